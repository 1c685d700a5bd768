/**
 * The built-in card templates (Adaptive Card 1.5 + `${…}` bindings) and their sample data (what the
 * Adaptive Cards Designer's sample-data pane takes). Adding a template: put `<name>.json` and
 * `<name>.data.json` here and add one line to each table below.
 */
import alert from './alert.json';
import alertData from './alert.data.json';
import alerts from './alerts.json';
import alertsData from './alerts.data.json';
import config from './config.json';
import configData from './config.data.json';
import confirmDisable from './confirm-disable.json';
import confirmDisableData from './confirm-disable.data.json';
import confirmEnable from './confirm-enable.json';
import confirmEnableData from './confirm-enable.data.json';
import digest from './digest.json';
import digestData from './digest.data.json';
import health from './health.json';
import healthData from './health.data.json';
import healthIssue from './health-issue.json';
import healthIssueData from './health-issue.data.json';
import help from './help.json';
import helpData from './help.data.json';
import integration from './integration.json';
import integrationData from './integration.data.json';
import linkNotice from './link-notice.json';
import linkNoticeData from './link-notice.data.json';
import policies from './policies.json';
import policiesData from './policies.data.json';
import risky from './risky.json';
import riskyData from './risky.data.json';
import riskyUser from './risky-user.json';
import riskyUserData from './risky-user.data.json';
import status from './status.json';
import statusData from './status.data.json';
import user from './user.json';
import userData from './user.data.json';

export const BUILT_IN_TEMPLATES = {
  alert,
  alerts,
  config,
  'confirm-disable': confirmDisable,
  'confirm-enable': confirmEnable,
  digest,
  health,
  'health-issue': healthIssue,
  help,
  integration,
  'link-notice': linkNotice,
  policies,
  risky,
  'risky-user': riskyUser,
  status,
  user,
} as const satisfies Record<string, object>;

export type TemplateName = keyof typeof BUILT_IN_TEMPLATES;
export const TEMPLATE_NAMES = Object.keys(BUILT_IN_TEMPLATES) as TemplateName[];

/** Sample data: exactly what each card's view model builds from cards/samples.ts (a test checks it). */
export const SAMPLE_DATA: Record<TemplateName, object> = {
  alert: alertData,
  alerts: alertsData,
  config: configData,
  'confirm-disable': confirmDisableData,
  'confirm-enable': confirmEnableData,
  digest: digestData,
  health: healthData,
  'health-issue': healthIssueData,
  help: helpData,
  integration: integrationData,
  'link-notice': linkNoticeData,
  policies: policiesData,
  risky: riskyData,
  'risky-user': riskyUserData,
  status: statusData,
  user: userData,
};
