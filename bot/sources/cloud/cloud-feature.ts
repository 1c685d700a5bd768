import { ClientSecretCredential } from '@azure/identity';
import type { AppParts, Feature } from '../../feature';
import { HybridMerge } from '../../hybrid/merge';
import { mountIngestRoute } from '../ingest-route';
import { McasCloudActions } from './cloud-actions';
import { CloudRecorder } from './cloud-recorder';
import { KV, kvGet, kvPut, readStatus, receivedCount } from './cloud-store';
import { entraAuth, McasClient, tokenAuth, type McasAuth } from './mcas-client';
import { ingestMcas } from './mcas-ingest';
import { McasPoller, type PollResult } from './mcas-poller';
import { RollingTokenBucket } from './rate-limiter';
import { sleepFor } from './sleep';

export interface CloudFeature extends Feature {
  /** Present when MCAS_URL is set. */
  poller: McasPoller | null;
  client: McasClient | null;
  /** One poll now (tests and a future `poll` command); resolves with what it did. */
  pollOnce(): Promise<PollResult>;
}

/**
 * The cloud source (issue 4): Cloud App Security alerts by REST polling (when MCAS_URL is set) and by
 * push (POST /api/ingest/mcas, when INGEST_TOKEN is set), the hybrid merge with on-prem alerts, and
 * actions back (services.cloudActions).
 */
export function cloudFeature(parts: AppParts): CloudFeature {
  const { config, services, store, clock, log, server } = parts;
  const merge = new HybridMerge(services.events, clock);
  services.ledger.mergeNew = merge.hook;
  const recorder = new CloudRecorder(services.ledger, merge, clock);

  mountIngestRoute(server, {
    path: '/api/ingest/mcas',
    contentTypes: ['application/json'],
    token: config.ingestToken,
    log,
    metrics: services.metrics,
    handle: (body) => ingestMcas(body, { db: store.db, recorder, integration: services.integration, metrics: services.metrics, log }),
    // A push flood holds at most this many bodies and transactions; the rest get 429 + Retry-After.
    maxInFlight: config.ingest.maxInFlight,
  });

  let client: McasClient | null = null;
  let poller: McasPoller | null = null;
  let bucket: RollingTokenBucket | null = null;
  if (config.mcas) {
    const sleep = sleepFor(clock);
    // Spends persist in kv so a restart does not forget the last minute of the 30/min budget.
    bucket = new RollingTokenBucket(clock, sleep, 30, 60_000, {
      load: async () => (await kvGet<number[]>(store.db, KV.spends)) ?? [],
      save: (times) => kvPut(store.db, KV.spends, times, clock),
    });
    const e = config.mcas.entra;
    const auth: McasAuth = e ? entraAuth(new ClientSecretCredential(e.tenantId, e.clientId, e.clientSecret, { authorityHost: e.authorityHost })) : tokenAuth(config.mcas.token);
    client = new McasClient({ baseUrl: config.mcas.url, auth, fetch: parts.fetch, clock, sleep, bucket, metrics: services.metrics, log });
    poller = new McasPoller({ client, db: store.db, recorder, integration: services.integration, clock, log, metrics: services.metrics, pollSeconds: config.mcas.pollSeconds });
    services.cloudActions = new McasCloudActions(client);
  }

  services.statusExtras.push(async () => {
    const [status, received] = await Promise.all([readStatus(store.db), receivedCount(store.db)]);
    return { cloud: { configured: !!config.mcas, lastPollAt: status.lastPollAt, lastError: config.mcas ? status.lastError : null, received } };
  });

  return {
    name: 'cloud',
    poller,
    client,
    readiness: [{ name: 'cloud-poller', check: () => !poller || poller.started }],
    pollOnce: async () => {
      if (!poller) throw new Error('The cloud source is off: set MCAS_URL and MCAS_TOKEN');
      return poller.pollOnce();
    },
    async start() {
      poller?.start();
    },
    async stop() {
      await poller?.stop();
      await bucket?.flush();
    },
  };
}
