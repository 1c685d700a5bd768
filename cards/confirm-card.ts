import type { IntegrationState } from '../bot/integration/integration-service';
import type { HealthSummary } from '../bot/sources/graph/mdi-health';
import { card, esc, execute, facts, heading, text, when, type CardMessage } from './card';

export interface PrerequisiteData {
  integration: IntegrationState;
  onPremSources: string[];
  retentionDays: number;
  callerRoles: string[];
  /** Defender for Identity through Graph (issue 12): onboarded, and at least one healthy sensor. */
  defenderIdentity?: HealthSummary;
}

/** The two checklist rows Defender for Identity health answers, or why they could not be checked. */
function mdiRows(h: HealthSummary | undefined): Array<[string, string]> {
  if (!h) return [];
  if (!h.configured) return [['ℹ️ Defender for Identity sensors', 'not checked: Microsoft Graph is not configured (GRAPH_TENANT_ID, GRAPH_CLIENT_ID, GRAPH_CLIENT_SECRET)']];
  if (h.onboarded === false) return [[`${check(false)} Defender for Identity onboarded`, `no. ${esc(h.problem?.fix ?? '', 250)}`]];
  if (h.onboarded === null) return [[`${check(false)} Defender for Identity sensors`, `could not be checked: ${esc(h.problem?.message ?? '', 200)}. ${esc(h.problem?.fix ?? '', 200)}`]];
  return [
    [`${check(true)} Defender for Identity onboarded`, 'yes (read from Microsoft Graph)'],
    [`${check(h.healthySensors > 0)} A healthy sensor`, h.sensors === 0 ? 'no sensor installed: install one on a domain controller' : esc(h.line, 200)],
  ];
}

const check = (ok: boolean) => (ok ? '✅' : '⚠️');

/** `enable`: the seed's prerequisites as a checklist, then Confirm (Action.Execute integration.enable). */
export function enableConfirmCard(d: PrerequisiteData): CardMessage {
  const s = d.integration;
  const body = [
    heading('Enable the Azure ATP integration?'),
    text('On-premises Active Directory detections (Azure ATP) will be combined with cloud alerts per user, and new hybrid alerts and risky users will be posted to subscribed channels.'),
    text('**Prerequisites**'),
    facts([
      [`${check(d.onPremSources.length > 0)} On-premises source`, d.onPremSources.length ? d.onPremSources.map((x) => esc(x, 80)).join('; ') : 'none configured: set SYSLOG_UDP_PORT / SYSLOG_TCP_PORT or INGEST_TOKEN'],
      [`${check(!!s.lastOnPremAt)} On-premises data seen`, s.lastOnPremAt ? `last ${when(s.lastOnPremAt)}` : `not yet${s.ignoredCount ? ` (${s.ignoredCount} events ignored while disabled)` : ''}`],
      ...mdiRows(d.defenderIdentity),
      ['ℹ️ Azure ATP license', 'a valid Azure ATP license connected to your Active Directory'],
      [`${check(d.callerRoles.includes('Global Administrator'))} Your role`, d.callerRoles.length ? esc(d.callerRoles.join(', '), 200) : 'none'],
    ]),
    text('It may take up to 12 hours until the integration takes effect: the state stays **pending** until the first on-premises event arrives, then turns **active**.', { isSubtle: true }),
  ];
  return {
    card: card(body, { actions: [execute('Enable', 'integration.enable', {}, 'positive'), execute('Cancel', 'refresh', { view: 'status' })], fallbackText: 'Enable the Azure ATP integration?' }),
    summary: 'Confirm: enable the Azure ATP integration',
  };
}

/** `disable`: what disabling does (the seed's note), then Confirm (integration.disable). */
export function disableConfirmCard(d: PrerequisiteData): CardMessage {
  const body = [
    heading('Disable the Azure ATP integration?'),
    text(`The integration is **${d.integration.state}**. After disabling, on-premises events are counted and ignored.`),
    text(`Existing Azure ATP data is kept for ${d.retentionDays} days (retention), and the **Identity Security Posture** section is removed from status cards.`),
  ];
  return {
    card: card(body, { actions: [execute('Disable', 'integration.disable', {}, 'destructive'), execute('Cancel', 'refresh', { view: 'status' })], fallbackText: 'Disable the Azure ATP integration?' }),
    summary: 'Confirm: disable the Azure ATP integration',
  };
}
