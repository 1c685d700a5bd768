import type { TokenCredential } from '@azure/identity';
import { FakeClock } from '../bot/clock';
import { EventHooks } from '../bot/events';
import { Ledger } from '../bot/hybrid/ledger';
import { IntegrationService } from '../bot/integration/integration-service';
import { createMetrics } from '../bot/metrics';
import { RollingTokenBucket } from '../bot/sources/cloud/rate-limiter';
import { GraphMerge } from '../bot/sources/graph/graph-merge';
import { GraphPoller } from '../bot/sources/graph/graph-poller';
import { GraphRecorder } from '../bot/sources/graph/graph-recorder';
import { GraphSecurityClient } from '../bot/sources/graph/graph-security-client';
import { GRAPH_CALLS_PER_MINUTE } from '../bot/sources/graph/graph-feature';
import { normalizeGraphAlert } from '../bot/sources/graph/normalize-graph';
import { ThrottleGate } from '../bot/sources/graph/throttle-gate';
import { openStore } from '../bot/store/store';
import { round, silentLog, tempDir } from './bench-util';

const BASE = 'https://graph.microsoft.com/v1.0';
/** Modelled Graph answer time per page (fake clock): what a long backlog's calls per minute depend on besides the budget. */
const GRAPH_LATENCY_MS = 250;

function alert(i: number, t0: number) {
  const t = new Date(t0 + Math.floor(i / 3) * 1000).toISOString(); // three alerts per second: ties everywhere
  const mdi = i % 2 === 0;
  return {
    id: `da${String(637551227677560813n + BigInt(i))}_${-961444813 - i}`,
    providerAlertId: `p${i}`,
    incidentId: String(28000 + (i % 900)),
    status: 'new',
    severity: ['low', 'medium', 'high', 'informational'][i % 4],
    classification: null,
    determination: null,
    serviceSource: mdi ? 'microsoftDefenderForIdentity' : 'microsoftDefenderForCloudApps',
    detectorId: `d${i % 40}`,
    title: `${mdi ? 'Suspected brute-force attack' : 'Impossible travel activity'} ${i % 40}`,
    description: 'A hidden file has been launched. This activity could indicate a compromised host.',
    category: 'CredentialAccess',
    assignedTo: null,
    alertWebUrl: `https://security.microsoft.com/alerts/da${i}`,
    incidentWebUrl: `https://security.microsoft.com/incidents/${28000 + (i % 900)}`,
    createdDateTime: t,
    lastUpdateDateTime: t,
    firstActivityDateTime: t,
    lastActivityDateTime: t,
    comments: [],
    evidence: [
      { '@odata.type': '#microsoft.graph.security.userEvidence', userAccount: { accountName: `user${i % 500}`, domainName: 'CONTOSO', azureAdUserId: null, userPrincipalName: null, userSid: null } },
      { '@odata.type': '#microsoft.graph.security.deviceEvidence', deviceDnsName: `wks-${i % 300}.contoso.local` },
    ],
  };
}

/** alerts_v2 answered in-process with the documented list semantics (newest first, $filter on lastUpdateDateTime, $top/$skip, nextLink). */
function fakeGraph(alerts: any[], clock: FakeClock, calls: number[]): typeof fetch {
  const sorted = [...alerts].sort((a, b) => Date.parse(b.lastUpdateDateTime) - Date.parse(a.lastUpdateDateTime));
  return (async (input: string) => {
    clock.advance(GRAPH_LATENCY_MS);
    calls.push(clock.now().getTime());
    const u = new URL(input);
    const since = Date.parse(/lastUpdateDateTime ge (\S+)/.exec(u.searchParams.get('$filter') ?? '')?.[1] ?? '1970-01-01T00:00:00Z');
    const top = Number(u.searchParams.get('$top') ?? 100);
    const skip = Number(u.searchParams.get('$skip') ?? 0);
    const rows = sorted.filter((a) => Date.parse(a.lastUpdateDateTime) >= since);
    const body: Record<string, unknown> = { value: rows.slice(skip, skip + top) };
    if (skip + top < rows.length) {
      const q = new URLSearchParams(u.searchParams);
      q.set('$skip', String(skip + top));
      body['@odata.nextLink'] = `${BASE}/security/alerts_v2?${q}`;
    }
    return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json', date: clock.now().toUTCString() } });
  }) as typeof fetch;
}

function maxInWindow(times: number[], windowMs = 60_000): number {
  let best = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while (times[i] - times[j] >= windowMs) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

async function sweep(n: number): Promise<{ pollMs: number; pages: number; recorded: number; calls: number[]; fakeMinutes: number }> {
  const t0 = Date.parse('2026-03-01T00:00:00.000Z');
  const alerts = Array.from({ length: n }, (_, i) => alert(i, t0));
  const clock = new FakeClock('2026-03-02T00:00:00.000Z');
  const sleep = async (ms: number) => clock.advance(ms);
  const credential: TokenCredential = { getToken: async () => ({ token: 'bench', expiresOnTimestamp: Date.now() + 3_600_000 }) };
  const store = await openStore({ dataDir: tempDir() });
  try {
    const events = new EventHooks();
    const ledger = new Ledger(store.db, clock, events);
    ledger.mergeNew = new GraphMerge(events, clock).chain(ledger.mergeNew);
    const integration = new IntegrationService(store.db, clock, events);
    await integration.init();
    await integration.enable({ id: 'bench', name: 'bench' });
    const metrics = createMetrics();
    const calls: number[] = [];
    const client = new GraphSecurityClient({ baseUrl: BASE, credential, fetch: fakeGraph(alerts, clock, calls), clock, sleep, gate: new ThrottleGate(clock, sleep), bucket: new RollingTokenBucket(clock, sleep, GRAPH_CALLS_PER_MINUTE, 60_000), metrics, log: silentLog });
    const recorder = new GraphRecorder({ ledger, integration, events, clock, metrics });
    const poller = new GraphPoller({ client, db: store.db, recorder, integration, clock, log: silentLog, metrics, pollSeconds: 60, sources: ['microsoftDefenderForIdentity', 'microsoftDefenderForCloudApps'], initialLookbackMs: 30 * 86_400_000 });
    const fakeStart = clock.now().getTime();
    const t = performance.now();
    const r = await poller.pollOnce();
    const pollMs = performance.now() - t;
    if (r.error) throw r.error;
    return { pollMs, pages: r.pages, recorded: r.new, calls, fakeMinutes: (clock.now().getTime() - fakeStart) / 60_000 };
  } finally {
    await store.close();
  }
}

/** Defender XDR source: normalization, poll → ledger alerts/s (SQLite, no listeners), and Graph calls per minute under a long backlog. */
export async function run(): Promise<Record<string, number | string>> {
  const N = 5_000;
  const sample = Array.from({ length: N }, (_, i) => alert(i, Date.parse('2026-03-01T00:00:00.000Z')));
  const t = performance.now();
  for (const a of sample) normalizeGraphAlert(a);
  const normalizeMs = performance.now() - t;
  const small = await sweep(N);
  // A long backlog: 30,000 alerts = 300 pages, well past one minute of the budget.
  const big = await sweep(30_000);
  return {
    alerts: N,
    'normalize alerts/s': Math.round(N / (normalizeMs / 1000)),
    'poll→ledger alerts/s (5,000 alerts, SQLite, no listeners, Graph answering at once)': Math.round(N / (small.pollMs / 1000)),
    'pages (100 per page)': small.pages,
    'backlog of 30,000: pages': big.pages,
    'backlog: poll→ledger alerts/s (real time)': Math.round(big.recorded / (big.pollMs / 1000)),
    [`backlog: Graph calls in the busiest minute (budget ${GRAPH_CALLS_PER_MINUTE}, 20 kept for people, ${GRAPH_LATENCY_MS} ms per answer)`]: maxInWindow(big.calls),
    'backlog: average Graph calls per minute over the sweep (fake clock)': round(big.calls.length / big.fakeMinutes),
    'backlog: fake minutes to drain': round(big.fakeMinutes),
  };
}
