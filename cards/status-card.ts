import type { IntegrationState } from '../bot/integration/integration-service';
import type { HealthSummary } from '../bot/sources/graph/mdi-health';
import { ago, card, esc, execute, facts, heading, text, when, type CardMessage, type Element } from './card';

export interface SensorHealth {
  title: string;
  sensor: string;
  severity: string;
  at: string;
}

export interface CloudSourceStatus {
  configured: boolean;
  lastPollAt?: string | null;
  lastError?: { message: string; fix: string; at: string } | null;
  received?: number;
}

/** Defender XDR alerts through Graph (issue 12). */
export interface GraphSourceStatus {
  configured: boolean;
  lastPollAt?: string | null;
  lastError?: { message: string; fix: string; at: string } | null;
  received?: number;
}

export interface StatusData {
  integration: IntegrationState;
  now: string;
  retentionDays: number;
  noDataWarning: boolean;
  counts: { total: number; open: number; onprem: number; cloud: number };
  onPremSources: string[];
  health?: SensorHealth | null;
  cloud?: CloudSourceStatus;
  graph?: GraphSourceStatus;
  /** Defender for Identity sensors through Graph: the one-line summary (issue 12). */
  defenderIdentity?: HealthSummary;
}

const STATE_TEXT: Record<IntegrationState['state'], { label: string; color: string; line: string }> = {
  disabled: { label: 'Disabled', color: 'Default', line: 'On-premises (Azure ATP) events are counted and ignored. A Global Administrator can `enable` it.' },
  pending: { label: 'Pending', color: 'Warning', line: 'Enabled; waiting for the first on-premises event. It may take up to 12 hours until the integration takes effect.' },
  active: { label: 'Active', color: 'Good', line: 'On-premises and cloud data are combined per user (hybrid UEBA).' },
};

/** `status`: the integration state card. The Identity Security Posture section only while enabled. */
export function statusCard(d: StatusData): CardMessage {
  const s = d.integration;
  const now = new Date(d.now);
  const st = STATE_TEXT[s.state];
  const body: Element[] = [
    heading('Azure ATP integration'),
    {
      type: 'ColumnSet',
      columns: [
        { type: 'Column', width: 'auto', items: [text(`**${st.label}**`, { color: st.color, size: 'Medium' })] },
        { type: 'Column', width: 'stretch', items: [text(`since ${when(s.since)}${s.byName ? ` by ${esc(s.byName, 80)}` : ''}`, { isSubtle: true })] },
      ],
    },
    text(st.line),
  ];
  if (d.noDataWarning) {
    body.push(
      text(`⚠️ **No on-premises data ${ago(s.enabledAt, now)} after enabling.** Check that an Azure ATP sensor forwards security alerts to this syslog listener (${d.onPremSources.map((x) => esc(x, 80)).join('; ') || 'none configured'}) and that the sensors are healthy.`, { color: 'Attention' }),
    );
  }
  const rows: Array<[string, string]> = [
    ['Last on-premises data', s.lastOnPremAt ? `${when(s.lastOnPremAt)} (${ago(s.lastOnPremAt, now)})` : 'none yet'],
    ['Last cloud data', d.cloud?.configured === false && !d.graph?.configured ? 'cloud source not configured (on-premises alone works)' : s.lastCloudAt ? `${when(s.lastCloudAt)} (${ago(s.lastCloudAt, now)})` : 'none yet'],
    ['Alerts', `${d.counts.total} in ledger, ${d.counts.open} open (${d.counts.onprem} on-premises, ${d.counts.cloud} cloud)`],
    ['Ignored while disabled', String(s.ignoredCount)],
    ['Retention', `${d.retentionDays} days`],
  ];
  if (d.cloud?.configured) {
    rows.push(['Cloud App Security', d.cloud.lastPollAt ? `last poll ${when(d.cloud.lastPollAt)}, ${d.cloud.received ?? 0} alerts received` : 'configured, not polled yet']);
    if (d.cloud.lastError) rows.push(['Cloud source error', `${esc(d.cloud.lastError.message, 200)} (${when(d.cloud.lastError.at)}). ${esc(d.cloud.lastError.fix, 200)}`]);
  }
  if (d.graph?.configured) {
    rows.push(['Defender XDR (Graph)', d.graph.lastPollAt ? `last poll ${when(d.graph.lastPollAt)}, ${d.graph.received ?? 0} alerts received` : 'configured, not polled yet']);
    if (d.graph.lastError) rows.push(['Defender XDR error', `${esc(d.graph.lastError.message, 200)} (${when(d.graph.lastError.at)}). ${esc(d.graph.lastError.fix, 200)}`]);
  }
  if (d.defenderIdentity) {
    const h = d.defenderIdentity;
    rows.push(['Defender for Identity sensors', esc(h.line, 200)]);
    if (h.problem && h.configured) rows.push(['Sensor health problem', `${esc(h.problem.message, 200)}. ${esc(h.problem.fix, 250)}`]);
  }
  body.push(facts(rows));

  if (s.state !== 'disabled') {
    // The seed: disabling removes the Identity Security Posture assessments section.
    const posture: Array<[string, string]> = [
      ['On-premises sources', d.onPremSources.map((x) => esc(x, 80)).join('; ') || 'none configured'],
      ['Latest sensor health issue', d.health ? `${esc(d.health.title, 120)} on ${esc(d.health.sensor, 60)} (${when(d.health.at)})` : 'none reported'],
    ];
    body.push({ type: 'Container', separator: true, items: [text('**Identity Security Posture**'), facts(posture)] });
  }
  return {
    card: card(body, { actions: [execute('Refresh', 'refresh', { view: 'status' })], fallbackText: `Azure ATP integration: ${st.label}` }),
    summary: `Azure ATP integration: ${st.label}`,
  };
}
