import type { Kysely } from 'kysely';
import type { HybridEvent, Trx } from '../events';
import { SEVERITY_RANK, toAlertRow, type AlertRow } from '../hybrid/alert';
import type { Schema } from '../store/schema';
import { accountOf, alertSearchText, userTerms } from './search-text';

type Db = Kysely<Schema> | Trx;
const BATCH = 200;

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

  /** Upsert the alerts' search rows and their users' rows (terms rewritten only when a name changed). */
  async index(db: Db, alerts: AlertRow[]): Promise<void> {
    if (!alerts.length) return;
    const rows = alerts.map((a) => ({ alert_id: a.id, text: alertSearchText(a), status: a.status, severity_rank: SEVERITY_RANK[a.severity] ?? 0, last_seen: a.last_seen }));
    for (const row of rows) {
      await db
        .insertInto('alert_search')
        .values(row)
        .onConflict((oc) => oc.column('alert_id').doUpdateSet({ text: row.text, status: row.status, severity_rank: row.severity_rank, last_seen: row.last_seen }))
        .execute();
    }
    const users = new Map<string, { display_name: string | null; upn: string | null; account: string | null; sam: string | null }>();
    for (const a of alerts) {
      for (const u of a.users) {
        if (!u.key) continue;
        const prev = users.get(u.key);
        users.set(u.key, { display_name: u.displayName ?? prev?.display_name ?? (u.raw.includes(' ') ? u.raw : null), upn: u.upn ?? prev?.upn ?? null, account: accountOf(u) ?? prev?.account ?? null, sam: u.sam ?? prev?.sam ?? null });
      }
    }
    if (!users.size) return;
    const keys = [...users.keys()];
    const stored = new Map<string, Schema['user_search']>();
    for (let i = 0; i < keys.length; i += BATCH) {
      for (const r of await db.selectFrom('user_search').selectAll().where('user_key', 'in', keys.slice(i, i + BATCH)).execute()) stored.set(r.user_key, r as Schema['user_search']);
    }
    for (const [key, u] of users) {
      const old = stored.get(key);
      // A later alert may name the account more briefly ("jdoe"): keep what was known.
      const row = { user_key: key, display_name: u.display_name ?? old?.display_name ?? null, upn: u.upn ?? old?.upn ?? null, account: u.account ?? old?.account ?? null };
      if (old && old.display_name === row.display_name && old.upn === row.upn && old.account === row.account) continue; // a re-trigger: nothing to write
      await db
        .insertInto('user_search')
        .values(row)
        .onConflict((oc) => oc.column('user_key').doUpdateSet({ display_name: row.display_name, upn: row.upn, account: row.account }))
        .execute();
      const terms = userTerms({ displayName: row.display_name, upn: row.upn, account: row.account, sam: u.sam ?? row.account?.split('\\').pop() });
      await db.deleteFrom('user_search_terms').where('user_key', '=', key).execute();
      if (terms.length) await db.insertInto('user_search_terms').values(terms.map((term) => ({ user_key: key, term }))).onConflict((oc) => oc.doNothing()).execute();
    }
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
