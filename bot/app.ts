import type { AddressInfo } from 'node:net';
import type { Server } from 'restify';
import { systemClock, type Clock } from './clock';
import type { Config } from './config';
import { CachedDirectory } from './directory/cached-directory';
import type { Directory } from './directory/directory';
import { FileDirectory } from './directory/file-directory';
import { GraphDirectory } from './directory/graph-directory';
import { EventHooks } from './events';
import type { AppParts, Feature } from './feature';
import { Ledger } from './hybrid/ledger';
import { hybridFeature } from './hybrid/hybrid-feature';
import { IdentityResolver } from './hybrid/identity-resolver';
import { IntegrationService } from './integration/integration-service';
import { createLogger, type Logger } from './log';
import { createMetrics } from './metrics';
import { createHttpServer, type Readiness } from './server/http-server';
import type { Services } from './services';
import { openStore, type Store, type StoreOptions } from './store/store';
import { createAdapter } from './teams/adapter';
import { coreFeature } from './teams/core-feature';
import { onPremFeature } from './sources/onprem/onprem-feature';
import { cloudFeature } from './sources/cloud/cloud-feature';
import { graphFeature } from './sources/graph/graph-feature';
import { responseFeature } from './response/response-feature';
import { devFeature } from './dev/dev-feature';
import { tabFeature } from './tab/tab-feature';
import { helpCommand } from './teams/commands/core-commands';
import { mountMessages } from './teams/messages-route';
import { createTurnHandler } from './teams/turn-handler';
import type { ActionRoute, CommandRoute, LinkRoute, QueryRoute } from './teams/router';
import { notifyFeature, type NotifyOptions } from './notify/notify-feature';
import { installTemplates } from '../cards/render';
import { extensionFeature } from './extension/extension-feature';
import { loadCardsDir } from './templates/cards-dir';

export interface AppOverrides {
  clock?: Clock;
  log?: Logger;
  directory?: Directory;
  fetch?: typeof fetch;
  store?: Partial<StoreOptions>;
  /** Extra botbuilder auth settings (tests point OpenID metadata at a local fake). */
  botAuth?: Record<string, string>;
  /** Notify tuning for tests and benches (digest budget, a fake sender, worker timings). */
  notify?: Partial<NotifyOptions>;
}

export interface App {
  config: Config;
  server: Server;
  store: Store;
  services: Services;
  parts: AppParts;
  features: Feature[];
  log: Logger;
  /** Listen; resolves to the base URL. */
  start(): Promise<string>;
  stop(): Promise<void>;
  url(): string;
}

/** The composition root: the one place that builds objects. */
export async function buildApp(config: Config, o: AppOverrides = {}): Promise<App> {
  const log = o.log ?? createLogger(config.logLevel);
  const clock = o.clock ?? systemClock;
  // Card templates first: a bad CARDS_DIR override stops start-up (ConfigError) before anything opens.
  const overrides = config.cardsDir ? loadCardsDir(config.cardsDir) : null;
  const reported = new Set<string>();
  installTemplates(overrides?.templates ?? {}, (e) => {
    if (reported.has(e.template)) return;
    reported.add(e.template);
    log.error({ template: e.template, problem: e.message }, 'CARDS_DIR: this override failed on real data; the built-in template was used (reported once per template)');
  });
  if (overrides) log.info({ dir: config.cardsDir, files: overrides.files }, 'card templates: CARDS_DIR overrides in use');
  const metrics = createMetrics();
  const dbQueries = metrics.dbQueries;
  const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, onQuery: () => dbQueries.inc(), ...o.store });
  const directory: Directory =
    o.directory ??
    new CachedDirectory(config.graph ? new GraphDirectory(config.graph) : new FileDirectory(config.directoryFile!), clock);
  const events = new EventHooks();
  const integration = new IntegrationService(store.db, clock, events);
  await integration.init();
  const ledger = new Ledger(store.db, clock, events);
  const resolver = new IdentityResolver(directory, log, clock);
  ledger.resolveUsers = (users) => resolver.resolve(users);
  const linkHosts = ['atp.azure.com', 'portal.cloudappsecurity.com', 'security.microsoft.com', 'learn.microsoft.com'];
  if (config.atpWorkspaceUrl) linkHosts.push(new URL(config.atpWorkspaceUrl).hostname);
  if (config.mcas) linkHosts.push(new URL(config.mcas.url).hostname);
  const services: Services = { config, integration, ledger, events, metrics, onPremSources: [], linkHosts, statusExtras: [], conversationHooks: [] };

  const readiness: Readiness[] = [{ name: 'database', check: () => store.ping() }];
  const beforeScrape = [async () => metrics.ledgerSize.set((await ledger.counts()).total)];
  const server = createHttpServer(log, metrics, readiness, beforeScrape);
  const adapter = createAdapter(config, log, o.botAuth);
  const parts: AppParts = { config, store, services, server, adapter, directory, log, clock, fetch: o.fetch ?? fetch };

  // Each concern is one feature; order is the order of `help`, and of construction (event listeners and
  // hooks register in it). Identity response needs the Graph connector and the hybrid view's cards.
  const early: Feature[] = [coreFeature(parts), onPremFeature(parts), cloudFeature(parts), graphFeature(parts)];
  const hybrid = hybridFeature(parts);
  const features: Feature[] = [...early, hybrid, responseFeature(parts, hybrid), notifyFeature(parts, o.notify), extensionFeature(parts, hybrid), devFeature(parts), tabFeature(parts)];
  for (const f of features) readiness.push(...(f.readiness ?? []));
  const commands: CommandRoute[] = [];
  commands.push(helpCommand(() => commands), ...features.flatMap((f) => f.commands ?? []));
  const actions: ActionRoute[] = features.flatMap((f) => f.actions ?? []);
  const queries: QueryRoute[] = features.flatMap((f) => f.queries ?? []);
  const links: LinkRoute<any>[] = features.flatMap((f) => f.links ?? []);
  const onTurn = createTurnHandler({ store, directory, log, clock, services, commands: () => commands, actions: () => actions, queries: () => queries, links: () => links });
  mountMessages(server, adapter, onTurn, log, metrics);

  for (const w of config.warnings) log.warn(w);
  if (config.mode === 'local') {
    log.warn('local mode: MicrosoftAppId is unset, so Bot Framework authentication is OFF. Listening on loopback only; never expose this server.');
  }

  let started = false;
  const url = () => {
    const addr = server.address() as AddressInfo | null;
    const host = config.host.includes(':') ? `[${config.host}]` : config.host === '0.0.0.0' ? '127.0.0.1' : config.host;
    return `http://${host}:${addr?.port ?? config.port}`;
  };
  return {
    config,
    server,
    store,
    services,
    parts,
    features,
    log,
    async start() {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, () => resolve());
      });
      started = true;
      for (const f of features) await f.start?.();
      log.info({ url: url(), mode: config.mode, database: store.dialect }, 'Hybridwatch listening');
      return url();
    },
    async stop() {
      if (started) {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        // Idle keep-alive sockets would hold close() open; in-flight requests still finish.
        server.server.closeIdleConnections?.();
        await closed;
      }
      for (const f of [...features].reverse()) await f.stop?.().catch((e) => log.error({ err: e }, `stopping ${f.name} failed`));
      await store.close();
    },
    url,
  };
}
