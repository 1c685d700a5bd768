import { alertCard } from '../cards/alert-card';
import { statusCard } from '../cards/status-card';
import { userCard } from '../cards/user-card';
import { riskyUserCard } from '../cards/risky-user-card';
import { SAMPLE_INPUTS, sampleResponse } from '../cards/samples';
import type { AlertRow } from '../bot/hybrid/alert';
import { DEFAULT_LINK_HOSTS } from '../cards/card';

const NOW = '2026-03-02T09:01:00.000Z';
function alert(i: number, hostile: boolean): AlertRow {
  const t = hostile ? `[click](https://evil.example) **x** <at>y</at> ${'A'.repeat(2000)} ${i}` : `Identity theft using Pass-the-Hash attack (O'Brien's PC, v1.2) ${i}`;
  return {
    id: `atp:${i}`, source: 'onprem', onprem_id: String(i), cloud_id: null, type: '2017', type_name: 'PassTheHashSecurityAlert', title: t, description: hostile ? t : 'Alex used a hash on WKS-17', severity: 'high', status: 'open',
    users: [{ raw: 'CONTOSO\\awilber', key: 'aad:1', aadObjectId: '1', upn: 'alex@contoso.com', displayName: hostile ? t : 'Alex Wilber', sam: 'awilber', domain: 'contoso.local', resolution: 'resolved' }],
    hosts: hostile ? Array(50).fill(t) : ['WKS-17', 'DC-01'], first_seen: NOW, last_seen: NOW, trigger_count: 3, cnt: 3, url: 'https://contoso.atp.azure.com/alert/1', cloud_url: null, app: null, policy: null, threat_score: null, last_hash: 'h',
    closed_by_id: null, closed_by_name: null, closed_at: null, resolution: null, assigned_to_id: null, assigned_to_name: null, muted_until: null, created_at: NOW, updated_at: NOW,
    graph_id: null, graph_url: null, incident_url: null,
  };
}

function rate(fn: (i: number) => unknown, ms = 2000): number {
  for (let i = 0; i < 200; i++) fn(i);
  let n = 0;
  const t0 = process.hrtime.bigint();
  let el = 0;
  while (el < ms) {
    for (let k = 0; k < 50; k++) fn(n++);
    el = Number(process.hrtime.bigint() - t0) / 1e6;
  }
  return Math.round((n / el) * 1000);
}

/** Card render cost (the outbox renders every card it sends): cards/s for typical and hostile inputs. */
export async function run(): Promise<Record<string, number | string>> {
  const ctx = { other: 'cloud' as const, count: 2, topTitles: ['Impossible travel activity', 'Mass download by a single user'], hybridChain: true };
  const typical = Array.from({ length: 64 }, (_, i) => alert(i, false));
  const hostile = Array.from({ length: 64 }, (_, i) => alert(i, true));
  const base = { linkHosts: [...DEFAULT_LINK_HOSTS], now: NOW, context: ctx, refreshUserIds: ['8:orgid:1', '8:orgid:2'] };
  const status = { integration: { state: 'active' as const, since: NOW, byId: 'x', byName: 'Alex Wilber', enabledAt: NOW, activatedAt: NOW, lastOnPremAt: NOW, lastCloudAt: NOW, ignoredCount: 0, nodataWarnedAt: null }, now: NOW, retentionDays: 180, noDataWarning: false, counts: { total: 10, open: 5, onprem: 6, cloud: 4 }, onPremSources: ['syslog UDP 127.0.0.1:1514'], health: null, cloud: { configured: true, lastPollAt: NOW, received: 12, lastError: null } };
  const item = (i: number) => ({ id: `atp:${i}`, title: `Suspected brute force attack (Kerberos, NTLM) ${i}`, severity: 'medium', status: 'open', firstSeen: NOW, lastSeen: NOW, triggerCount: 2, points: 5 });
  const profile = { key: 'aad:1', displayName: 'John Doe', upn: 'jdoe@contoso.com', onPremAccount: 'CONTOSO\\jdoe', resolution: 'resolved', note: null, roles: [], impact: 1, score: 25, percentile: 100, onpremScore: 15, cloudScore: 10, threatScore: 40, qualifies: true, state: 'risky' as const, riskySince: NOW, dismissed: null, onprem: Array.from({ length: 10 }, (_, i) => item(i)), cloud: Array.from({ length: 10 }, (_, i) => item(i + 10)), history: [{ at: NOW, score: 25, percentile: 100 }], openAlerts: 20, thresholds: { minScore: 20, rearmScore: 10 }, windowDays: 7, now: NOW, interactive: true };
  return {
    alert_card_typical_per_s: rate((i) => alertCard({ ...base, alert: typical[i % 64], interactive: i % 2 === 0 })),
    alert_card_hostile_per_s: rate((i) => alertCard({ ...base, alert: hostile[i % 64], interactive: true })),
    status_card_per_s: rate(() => statusCard(status)),
    user_card_20_rows_per_s: rate(() => userCard(profile)),
    // Issue 15: the identity response section (Entra ID Protection line, history, four confirmations).
    user_card_20_rows_with_response_per_s: rate(() => userCard({ ...profile, response: sampleResponse() })),
    risky_user_card_per_s: rate(() => riskyUserCard({ ...SAMPLE_INPUTS['risky-user'](), response: null })),
    risky_user_card_with_response_per_s: rate(() => riskyUserCard(SAMPLE_INPUTS['risky-user']())),
  };
}
