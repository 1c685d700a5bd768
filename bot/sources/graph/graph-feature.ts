import { graphCredential } from '../../directory/graph-directory';
import type { AppParts, Feature } from '../../feature';
import { RollingTokenBucket } from '../cloud/rate-limiter';
import { sleepFor } from '../cloud/sleep';
import { GraphMerge } from './graph-merge';
import { GraphPoller, type GraphPollResult } from './graph-poller';
import { GraphRecorder } from './graph-recorder';
import { GraphSecurityClient } from './graph-security-client';
import { readStatus, receivedCount } from './graph-store';
import { healthCommand } from './health-command';
import { HealthMonitor } from './health-monitor';
import { HEALTH_CACHE_MS, MdiHealth, summarize } from './mdi-health';
import { ThrottleGate } from './throttle-gate';
import { GraphXdrActions } from './xdr-actions';

export interface GraphFeature extends Feature {
  /** Present when GRAPH_* is set. */
  client: GraphSecurityClient | null;
  /** Present when GRAPH_SECURITY_POLL_SECONDS is set too. */
  poller: GraphPoller | null;
  health: MdiHealth;
  monitor: HealthMonitor | null;
  /** One sweep now (tests, benches); resolves with what it did. */
  pollOnce(): Promise<GraphPollResult>;
}

/**
 * Per app instance, per minute, for every security call (polls, health, card actions). Graph documents
 * 150 per minute per app and tenant for the legacy alerts API (unconfirmed for alerts_v2); background
 * work leaves INTERACTIVE_RESERVE of it for people.
 */
export const GRAPH_CALLS_PER_MINUTE = 150;

/**
 * Defender XDR through Microsoft Graph (issue 12): alerts_v2 as a third source (GRAPH_SECURITY_POLL_SECONDS),
 * merged with the CEF and Cloud App Security feeds; close / assign / comment written back; Defender for
 * Identity health for `health`, `status` and `enable`, and cards for high-severity health issues.
 */
export function graphFeature(parts: AppParts): GraphFeature {
  const { config, services, store, clock, log } = parts;
  const gs = config.graphSecurity;
  const glog = log.child({ concern: 'graph-security' });
  let client: GraphSecurityClient | null = null;
  if (config.graph && gs) {
    const sleep = sleepFor(clock);
    client = new GraphSecurityClient({
      baseUrl: config.graph.baseUrl,
      credential: graphCredential(config.graph),
      fetch: parts.fetch,
      clock,
      sleep,
      gate: new ThrottleGate(clock, sleep),
      bucket: new RollingTokenBucket(clock, sleep, GRAPH_CALLS_PER_MINUTE, 60_000),
      metrics: services.metrics,
      log: glog,
    });
    services.graphSecurity = client;
    services.xdrActions = new GraphXdrActions(client, clock, store.db);
  }
  const health = new MdiHealth(client, clock, glog);
  services.mdiHealth = health;
  const monitor = client && gs ? new HealthMonitor({ health, db: store.db, events: services.events, clock, log: glog, intervalSeconds: gs.healthSeconds }) : null;

  let poller: GraphPoller | null = null;
  if (client && gs && gs.pollSeconds > 0) {
    // After the cloud source's hook: Graph twins first, then the CEF ↔ Cloud App Security merge.
    services.ledger.mergeNew = new GraphMerge(services.events, clock).chain(services.ledger.mergeNew);
    const recorder = new GraphRecorder({ ledger: services.ledger, integration: services.integration, events: services.events, clock, metrics: services.metrics });
    poller = new GraphPoller({ client, db: store.db, recorder, integration: services.integration, clock, log: glog, metrics: services.metrics, pollSeconds: gs.pollSeconds, sources: gs.sources });
  }

  services.statusExtras.push(async () => {
    // Usually the monitor's last read; a live one (≤ a few seconds) when that is older than two intervals.
    const maxAgeMs = Math.max(HEALTH_CACHE_MS, 2 * (gs?.healthSeconds ?? 0) * 1000);
    const defenderIdentity = summarize(await health.read({ maxAgeMs }));
    if (!poller) return { defenderIdentity };
    const [status, received] = await Promise.all([readStatus(store.db), receivedCount(store.db)]);
    return { defenderIdentity, graph: { configured: true, lastPollAt: status.lastPollAt, lastError: status.lastError, received } };
  });

  return {
    name: 'graph',
    client,
    poller,
    health,
    monitor,
    commands: [healthCommand],
    readiness: [{ name: 'graph-poller', check: () => !poller || poller.started }],
    pollOnce: async () => {
      if (!poller) throw new Error('The Defender XDR source is off: set GRAPH_SECURITY_POLL_SECONDS and the GRAPH_* app');
      return poller.pollOnce();
    },
    async start() {
      poller?.start();
      monitor?.start();
    },
    async stop() {
      await poller?.stop();
      await monitor?.stop();
    },
  };
}
