import type { Kysely } from 'kysely';
import { HOUR_MS, DAY_MS } from '../clock';
import type { AppParts, Feature } from '../feature';
import type { Schema } from '../store/schema';
import { dismissAction, hybridCommands, showUserAction } from './commands/hybrid-commands';
import { IdentityResolver } from './identity-resolver';
import { PriorityService } from './priority-service';
import { purgeExpired, type PurgeResult } from './retention';
import type { ViewDeps } from './views';

const LAST_PURGE = 'hybrid.purge.last';

export interface HybridFeature extends Feature {
  priority: PriorityService;
  resolver: IdentityResolver;
  /** What the `user` and `risky` cards are built from (identity response answers with the user card). */
  views: ViewDeps;
  /** Rescore everyone (aged-out alerts, percentile shifts). Hourly; callable in tests. */
  sweep(): Promise<{ users: number }>;
  /** Delete what is older than RETENTION_DAYS. Daily; callable in tests. */
  purge(): Promise<PurgeResult>;
  /** One timer tick: sweep, and purge when the last purge is a day old (kept in kv across restarts and instances). */
  tick(): Promise<void>;
}

/**
 * The hybrid view (issue 5): per-user investigation priority and risky users, kept current by a
 * listener inside the ledger transaction; `risky`, `user`, `alerts`; `user.dismiss`, `user.show`; retention.
 */
export function hybridFeature(parts: AppParts): HybridFeature {
  const { store, services, directory, clock, log, config } = parts;
  const db: Kysely<Schema> = store.db;
  const resolver = new IdentityResolver(directory, log, clock);
  const priority = new PriorityService(db, directory, clock, services.events, config.risky, store.dialect, log);
  services.events.on(
    (trx, e) => priority.onEvent(trx, e),
    (trx, es) => priority.onEvents(trx, es),
  );
  // Roles for the impact factor are fetched before a batch's transaction opens, never inside it.
  services.ledger.beforeBatch.push((users) => priority.prefetchRoles(users));
  const deps: ViewDeps = { db, priority, resolver, directory, ledger: services.ledger, risky: config.risky };

  let timer: NodeJS.Timeout | null = null;
  let inFlight: Promise<void> | null = null;

  const purge = async () => {
    const now = clock.now();
    const r = await purgeExpired(db, now, config.retentionDays);
    const at = now.toISOString();
    await db.insertInto('kv').values({ key: LAST_PURGE, value: at, updated_at: at }).onConflict((oc) => oc.column('key').doUpdateSet({ value: at, updated_at: at })).execute();
    if (r.alerts || r.alertUsers || r.history || r.users) log.info(r, 'retention: purged');
    return r;
  };
  const tick = async () => {
    await priority.sweep();
    const last = await db.selectFrom('kv').select('value').where('key', '=', LAST_PURGE).executeTakeFirst();
    if (!last || clock.now().getTime() - new Date(last.value).getTime() >= DAY_MS - 60_000) await purge();
  };

  return {
    name: 'hybrid',
    priority,
    resolver,
    views: deps,
    commands: hybridCommands(deps),
    actions: [dismissAction(deps), showUserAction(deps)],
    sweep: () => priority.sweep(),
    purge,
    tick,
    async start() {
      timer = setInterval(() => {
        if (inFlight) return;
        inFlight = tick()
          .catch((e) => log.error({ err: e }, 'hybrid: hourly sweep / retention failed'))
          .finally(() => (inFlight = null));
      }, HOUR_MS);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
      await inFlight;
    },
  };
}
