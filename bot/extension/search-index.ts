import type { Kysely } from 'kysely';
import type { HybridEvent, Trx } from '../events';
import { SEVERITY_RANK, toAlertRow, type AlertRow } from '../hybrid/alert';
import type { Schema } from '../store/schema';
import { paramChunks } from '../store/param-chunks';
import { accountOf, alertSearchText, userTerms } from './search-text';

type Db = Kysely<Schema> | Trx;
const BATCH = 200;

type UserRow = Schema['user_search'];
type UserInfo = { display_name: string | null; upn: string | null; account: string | null; sam: string | null };

/** One alert's users by key, merged as that alert names them (a user listed twice keeps the fuller name). */
function usersOf(a: AlertRow): Map<string, UserInfo> {
  const users = new Map<string, UserInfo>();
  for (const u of a.users) {
    if (!u.key) continue;
    const prev = users.get(u.key);
    users.set(u.key, { display_name: u.displayName ?? prev?.display_name ?? (u.raw.includes(' ') ? u.raw : null), upn: u.upn ?? prev?.upn ?? null, account: accountOf(u) ?? prev?.account ?? null, sam: u.sam ?? prev?.sam ?? null });
  }
  return users;
}

/**
 * Keeps alert_search / user_search current: a listener inside the ledger transaction (every
 * alert.new / alert.updated / alert.changed, whichever source or action caused it), a backfill at
 * start for rows written before this existed, and a cleanup of rows whose alerts retention removed.
 */
export class SearchIndex {
  constructor(private readonly db: Kysely<Schema>) {}

  async onEvent(trx: Trx, e: HybridEvent): Promise<void> {
    if (e.type === 'alert.new' || e.type === 'alert.updated' || e.type === 'alert.changed') await this.index(trx, [e.alert]);
  }

  /** A batch of events (emitAll): their alerts indexed at once, in order. */
  async onEvents(trx: Trx, events: HybridEvent[]): Promise<void> {
    const alerts: AlertRow[] = [];
    for (const e of events) if (e.type === 'alert.new' || e.type === 'alert.updated' || e.type === 'alert.changed') alerts.push(e.alert);
    await this.index(trx, alerts);
  }

  /**
   * Upsert the alerts' search rows and their users' rows (terms rewritten only when a name changed),
   * set-based: what indexing the alerts one at a time, in order, leaves, in a few statements.
   */
  async index(db: Db, alerts: AlertRow[]): Promise<void> {
    if (!alerts.length) return;
    // An alert seen twice (new, then re-triggered): its last state, as the last write would leave.
    const rows = new Map(alerts.map((a) => [a.id, { alert_id: a.id, text: alertSearchText(a), status: a.status, severity_rank: SEVERITY_RANK[a.severity] ?? 0, last_seen: a.last_seen }]));
    for (const chunk of paramChunks([...rows.values()], 5)) {
      await db
        .insertInto('alert_search')
        .values(chunk)
        .onConflict((oc) => oc.column('alert_id').doUpdateSet((eb) => ({ text: eb.ref('excluded.text'), status: eb.ref('excluded.status'), severity_rank: eb.ref('excluded.severity_rank'), last_seen: eb.ref('excluded.last_seen') })))
        .execute();
    }
    const perAlert = alerts.map(usersOf).filter((u) => u.size);
    if (!perAlert.length) return;
    const keys = [...new Set(perAlert.flatMap((u) => [...u.keys()]))];
    const current = new Map<string, UserRow>();
    for (const chunk of paramChunks(keys, 1, BATCH)) {
      for (const r of await db.selectFrom('user_search').selectAll().where('user_key', 'in', chunk).execute()) current.set(r.user_key, r as UserRow);
    }
    // Alert by alert, as one at a time would: a later alert may name the account more briefly ("jdoe"): keep what was known.
    const changed = new Map<string, { row: UserRow; sam: string | null | undefined }>();
    for (const users of perAlert) {
      for (const [key, u] of users) {
        const old = current.get(key);
        const row: UserRow = { user_key: key, display_name: u.display_name ?? old?.display_name ?? null, upn: u.upn ?? old?.upn ?? null, account: u.account ?? old?.account ?? null };
        if (old && old.display_name === row.display_name && old.upn === row.upn && old.account === row.account) continue; // a re-trigger: nothing to write
        current.set(key, row);
        changed.set(key, { row, sam: u.sam ?? row.account?.split('\\').pop() });
      }
    }
    if (!changed.size) return;
    const written = [...changed.values()];
    for (const chunk of paramChunks(written.map((w) => w.row), 4)) {
      await db
        .insertInto('user_search')
        .values(chunk)
        .onConflict((oc) => oc.column('user_key').doUpdateSet((eb) => ({ display_name: eb.ref('excluded.display_name'), upn: eb.ref('excluded.upn'), account: eb.ref('excluded.account') })))
        .execute();
    }
    for (const chunk of paramChunks([...changed.keys()], 1, BATCH * 5)) await db.deleteFrom('user_search_terms').where('user_key', 'in', chunk).execute();
    const terms = written.flatMap(({ row, sam }) => userTerms({ displayName: row.display_name, upn: row.upn, account: row.account, sam }).map((term) => ({ user_key: row.user_key, term })));
    for (const chunk of paramChunks(terms, 2)) await db.insertInto('user_search_terms').values(chunk).onConflict((oc) => oc.doNothing()).execute();
  }

  /** Index alerts that have no search row yet (written before this table existed, or by a path without events). */
  async backfill(): Promise<number> {
    let total = 0;
    for (;;) {
      const missing = await this.db
        .selectFrom('alerts as a')
        .leftJoin('alert_search as s', 's.alert_id', 'a.id')
        .selectAll('a')
        .where('s.alert_id', 'is', null)
        .orderBy('a.last_seen')
        .limit(BATCH)
        .execute();
      if (!missing.length) return total;
      await this.db.transaction().execute((trx) => this.index(trx, missing.map((r) => toAlertRow(r as Schema['alerts']))));
      total += missing.length;
    }
  }

  /** Search rows of alerts retention removed, and users no alert names any more. */
  async cleanup(): Promise<{ alerts: number; users: number }> {
    const n = (r: { numDeletedRows?: bigint } | undefined) => Number(r?.numDeletedRows ?? 0n);
    return this.db.transaction().execute(async (trx) => {
      const alerts = n(await trx.deleteFrom('alert_search').where((eb) => eb.not(eb.exists(eb.selectFrom('alerts').select('alerts.id').whereRef('alerts.id', '=', 'alert_search.alert_id')))).executeTakeFirst());
      const gone = trx.selectFrom('user_search').select('user_search.user_key').where((eb) => eb.not(eb.exists(eb.selectFrom('alert_users').select('alert_users.alert_id').whereRef('alert_users.user_key', '=', 'user_search.user_key'))));
      await trx.deleteFrom('user_search_terms').where('user_key', 'in', gone).execute();
      const users = n(await trx.deleteFrom('user_search').where((eb) => eb.not(eb.exists(eb.selectFrom('alert_users').select('alert_users.alert_id').whereRef('alert_users.user_key', '=', 'user_search.user_key')))).executeTakeFirst());
      return { alerts, users };
    });
  }
}
