import { DAY_MS } from '../clock';
import type { AppParts, Feature } from '../feature';
import type { HybridFeature } from '../hybrid/hybrid-feature';
import type { ViewDeps } from '../hybrid/views';
import { alertLinkRoute, openInChatAction, searchAlertsRoute, searchUsersRoute } from './extension-routes';
import { ScoreMemo } from './score-memo';
import { SearchIndex } from './search-index';

export interface ExtensionFeature extends Feature {
  index: SearchIndex;
  scores: ScoreMemo;
}

/**
 * Teams-native reach (issue 14): the message extension's search commands (`searchAlerts`,
 * `searchUsers`), link unfurling for Azure ATP, Cloud App Security and Defender XDR alert links, and
 * "Open in chat with Hybridwatch" on the cards it inserts. The search tables are kept inside the
 * ledger transaction; start-up indexes what came before them, a daily cleanup follows retention.
 */
export function extensionFeature(parts: AppParts, hybrid: HybridFeature): ExtensionFeature {
  const { store, services, directory, config, log } = parts;
  const index = new SearchIndex(store.db);
  const views: ViewDeps = { db: store.db, priority: hybrid.priority, resolver: hybrid.resolver, directory, ledger: services.ledger, risky: config.risky };
  const scores = new ScoreMemo(views);
  services.events.on(
    async (trx, e) => {
      if (e.type.startsWith('alert.')) scores.forget();
      await index.onEvent(trx, e);
    },
    async (trx, events) => {
      if (events.some((e) => e.type.startsWith('alert.'))) scores.forget();
      await index.onEvents(trx, events);
    },
  );
  const settings = { atpWorkspaceUrl: config.atpWorkspaceUrl, mcasUrl: config.mcas?.url };
  let timer: NodeJS.Timeout | null = null;
  let work: Promise<unknown> | null = null;

  return {
    name: 'extension',
    index,
    scores,
    queries: [searchAlertsRoute, searchUsersRoute(views, scores)],
    links: [alertLinkRoute(settings, services.linkHosts)],
    actions: [openInChatAction],
    async start() {
      const indexed = await index.backfill();
      if (indexed) log.info({ alerts: indexed }, 'message extension: indexed alerts recorded before the search tables');
      timer = setInterval(() => {
        if (work) return;
        work = index
          .cleanup()
          .catch((e) => log.error({ err: e }, 'message extension: search cleanup failed'))
          .finally(() => (work = null));
      }, DAY_MS);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
      await work;
    },
  };
}
