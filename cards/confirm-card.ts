import type { IntegrationState } from '../bot/integration/integration-service';
import type { HealthSummary } from '../bot/sources/graph/mdi-health';
import { fact, plain, when, type CardMessage, type Fact } from './card';
import { render } from './render';

export interface PrerequisiteData {
  integration: IntegrationState;
  onPremSources: string[];
  retentionDays: number;
  callerRoles: string[];
  /** Defender for Identity through Graph (issue 12): onboarded, and at least one healthy sensor. */
  defenderIdentity?: HealthSummary;
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

/** The checklist rows Defender for Identity health answers, or why they could not be checked. */
function mdiFacts(h: HealthSummary | undefined): Fact[] {
  if (!h) return [];
  if (!h.configured) return [fact('ℹ️ Defender for Identity sensors', 'not checked: Microsoft Graph is not configured (GRAPH_TENANT_ID, GRAPH_CLIENT_ID, GRAPH_CLIENT_SECRET)')];
  if (h.onboarded === false) return [fact(`${check(false)} Defender for Identity onboarded`, `no. ${plain(h.problem?.fix ?? '', 250)}`)];
  if (h.onboarded === null) return [fact(`${check(false)} Defender for Identity sensors`, `could not be checked: ${plain(h.problem?.message ?? '', 200)}. ${plain(h.problem?.fix ?? '', 200)}`)];
  return [
    fact(`${check(true)} Defender for Identity onboarded`, 'yes (read from Microsoft Graph)'),
    fact(`${check(h.healthySensors > 0)} A healthy sensor`, h.sensors === 0 ? 'no sensor installed: install one on a domain controller' : plain(h.line, 200)),
  ];
}

export function enableConfirmModel(d: PrerequisiteData): EnableConfirmModel {
  const s = d.integration;
  return {
    prerequisites: [
      fact(`${check(d.onPremSources.length > 0)} On-premises source`, d.onPremSources.length ? d.onPremSources.map((x) => plain(x, 80)).join('; ') : 'none configured: set SYSLOG_UDP_PORT / SYSLOG_TCP_PORT or INGEST_TOKEN'),
      fact(`${check(!!s.lastOnPremAt)} On-premises data seen`, s.lastOnPremAt ? `last ${when(s.lastOnPremAt)}` : `not yet${s.ignoredCount ? ` (${s.ignoredCount} events ignored while disabled)` : ''}`),
      ...mdiFacts(d.defenderIdentity),
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
