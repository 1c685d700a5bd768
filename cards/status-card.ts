import type { IntegrationState } from '../bot/integration/integration-service';
import type { HealthSummary } from '../bot/sources/graph/mdi-health';
import { ago, fact, plain, when, type CardMessage, type Fact } from './card';
import { render } from './render';

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
  /** Entra ID Protection for the identity response (issue 15): a tenant-wide problem reading it, said here once. */
  entraIdProtection?: { mode: 'graph' | 'local'; problem: string | null };
  /** On-premises back-pressure (issue 16): the queue now, and syslog UDP datagrams dropped since start. */
  ingest?: { queued: number; maxQueue: number; udpDropped: { queueFull: number; socketBuffer: number } };
}

/** What cards/templates/status.json binds to. The explanation of each state is wording in the template. */
export interface StatusModel {
  state: IntegrationState['state'];
  stateLabel: string;
  stateColor: string;
  since: string;
  /** Who made the last transition; "" when nobody (start-up) or automatic. */
  by: string;
  noData: { show: boolean; ago: string; sources: string };
  facts: Fact[];
  /** The seed: disabling removes the Identity Security Posture section. */
  posture: { show: boolean; facts: Fact[] };
}

const STATE: Record<IntegrationState['state'], { label: string; color: string }> = {
  disabled: { label: 'Disabled', color: 'Default' },
  pending: { label: 'Pending', color: 'Warning' },
  active: { label: 'Active', color: 'Good' },
};

const sourcesLine = (d: StatusData) => d.onPremSources.map((x) => plain(x, 80)).join('; ') || 'none configured';

export function statusModel(d: StatusData): StatusModel {
  const s = d.integration;
  const now = new Date(d.now);
  const facts = [
    fact('Last on-premises data', s.lastOnPremAt ? `${when(s.lastOnPremAt)} (${ago(s.lastOnPremAt, now)})` : 'none yet'),
    fact('Last cloud data', d.cloud?.configured === false && !d.graph?.configured ? 'cloud source not configured (on-premises alone works)' : s.lastCloudAt ? `${when(s.lastCloudAt)} (${ago(s.lastCloudAt, now)})` : 'none yet'),
    fact('Alerts', `${d.counts.total} in ledger, ${d.counts.open} open (${d.counts.onprem} on-premises, ${d.counts.cloud} cloud)`),
    fact('Ignored while disabled', String(s.ignoredCount)),
    fact('Retention', `${d.retentionDays} days`),
  ];
  if (d.cloud?.configured) {
    facts.push(fact('Cloud App Security', d.cloud.lastPollAt ? `last poll ${when(d.cloud.lastPollAt)}, ${d.cloud.received ?? 0} alerts received` : 'configured, not polled yet'));
    if (d.cloud.lastError) facts.push(fact('Cloud source error', `${plain(d.cloud.lastError.message, 200)} (${when(d.cloud.lastError.at)}). ${plain(d.cloud.lastError.fix, 200)}`));
  }
  if (d.graph?.configured) {
    facts.push(fact('Defender XDR (Graph)', d.graph.lastPollAt ? `last poll ${when(d.graph.lastPollAt)}, ${d.graph.received ?? 0} alerts received` : 'configured, not polled yet'));
    if (d.graph.lastError) facts.push(fact('Defender XDR error', `${plain(d.graph.lastError.message, 200)} (${when(d.graph.lastError.at)}). ${plain(d.graph.lastError.fix, 200)}`));
  }
  const mdi = d.defenderIdentity;
  if (mdi) {
    facts.push(fact('Defender for Identity sensors', plain(mdi.line, 200)));
    if (mdi.problem && mdi.configured) facts.push(fact('Sensor health problem', `${plain(mdi.problem.message, 200)}. ${plain(mdi.problem.fix, 250)}`));
  }
  const dropped = d.ingest ? d.ingest.udpDropped.queueFull + d.ingest.udpDropped.socketBuffer : 0;
  if (d.ingest && dropped > 0) {
    facts.push(fact('Syslog UDP dropped', `${dropped} since start (${d.ingest.udpDropped.queueFull} with the ingest queue full, ${d.ingest.udpDropped.socketBuffer} by the socket buffer); queue ${d.ingest.queued} of ${d.ingest.maxQueue}. Send over TCP to be slowed down instead of losing messages.`));
  }
  if (d.entraIdProtection?.problem) facts.push(fact('Entra ID Protection', plain(d.entraIdProtection.problem, 450)));
  return {
    state: s.state,
    stateLabel: STATE[s.state].label,
    stateColor: STATE[s.state].color,
    since: when(s.since),
    by: s.byName ? plain(s.byName, 80) : '',
    noData: { show: d.noDataWarning, ago: d.noDataWarning ? ago(s.enabledAt, now) : '', sources: sourcesLine(d) },
    facts,
    posture: {
      show: s.state !== 'disabled',
      facts: [
        fact('On-premises sources', sourcesLine(d)),
        fact('Latest sensor health issue', d.health ? `${plain(d.health.title, 120)} on ${plain(d.health.sensor, 60)} (${when(d.health.at)})` : 'none reported'),
      ],
    },
  };
}

/** `status`: the integration state card (template `status`). */
export function statusCard(d: StatusData): CardMessage {
  return render('status', statusModel(d), { summary: `Azure ATP integration: ${STATE[d.integration.state].label}` });
}
