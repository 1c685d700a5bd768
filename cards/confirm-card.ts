import type { IntegrationState } from '../bot/integration/integration-service';
import { fact, plain, when, type CardMessage, type Fact } from './card';
import { render } from './render';

export interface PrerequisiteData {
  integration: IntegrationState;
  onPremSources: string[];
  retentionDays: number;
  callerRoles: string[];
}

/** cards/templates/confirm-enable.json: the seed's prerequisites as a checklist. */
export interface EnableConfirmModel {
  prerequisites: Fact[];
}

/** cards/templates/confirm-disable.json. */
export interface DisableConfirmModel {
  state: string;
  retentionDays: string;
}

const check = (ok: boolean) => (ok ? '✅' : '⚠️');

export function enableConfirmModel(d: PrerequisiteData): EnableConfirmModel {
  const s = d.integration;
  return {
    prerequisites: [
      fact(`${check(d.onPremSources.length > 0)} On-premises source`, d.onPremSources.length ? d.onPremSources.map((x) => plain(x, 80)).join('; ') : 'none configured: set SYSLOG_UDP_PORT / SYSLOG_TCP_PORT or INGEST_TOKEN'),
      fact(`${check(!!s.lastOnPremAt)} On-premises data seen`, s.lastOnPremAt ? `last ${when(s.lastOnPremAt)}` : `not yet${s.ignoredCount ? ` (${s.ignoredCount} events ignored while disabled)` : ''}`),
      fact('ℹ️ Azure ATP license', 'a valid Azure ATP license connected to your Active Directory'),
      fact(`${check(d.callerRoles.includes('Global Administrator'))} Your role`, d.callerRoles.length ? plain(d.callerRoles.join(', '), 200) : 'none'),
    ],
  };
}

/** `enable`: the checklist, then Confirm (Action.Execute integration.enable). */
export function enableConfirmCard(d: PrerequisiteData): CardMessage {
  return render('confirm-enable', enableConfirmModel(d), { summary: 'Confirm: enable the Azure ATP integration', fallbackText: 'Enable the Azure ATP integration?' });
}

export function disableConfirmModel(d: PrerequisiteData): DisableConfirmModel {
  return { state: d.integration.state, retentionDays: String(d.retentionDays) };
}

/** `disable`: what disabling does (the seed's note), then Confirm (integration.disable). */
export function disableConfirmCard(d: PrerequisiteData): CardMessage {
  return render('confirm-disable', disableConfirmModel(d), { summary: 'Confirm: disable the Azure ATP integration', fallbackText: 'Disable the Azure ATP integration?' });
}
