import { sql, type Insertable, type Kysely } from 'kysely';
import type { Trx } from '../events';
import type { Schema, ScoreHistoryTable, UserScoresTable } from '../store/schema';
import type { Dialect } from '../store/store';
import { paramChunks } from '../store/param-chunks';
import { percentileFromCounts } from './priority';

/** What a rescore writes to user_scores (the risky state moves separately, guarded). */
export type ScoreWrite = Omit<UserScoresTable, 'risky_state' | 'risky_since' | 'dismissed_at' | 'dismissed_by_id' | 'dismissed_by_name' | 'dismissed_score_centi' | 'dismissed_types'>;
const WRITTEN: ReadonlyArray<Exclude<keyof ScoreWrite, 'user_key'>> = [
  'display_name', 'upn', 'aad_object_id', 'sam', 'domain', 'resolution', 'note', 'impact_centi', 'roles', 'score_centi', 'onprem_centi',
  'cloud_centi', 'percentile', 'alert_count', 'threat_score', 'reasons', 'scored_at', 'tactics', 'chain',
];
const TOP = Number.MAX_SAFE_INTEGER;
type Db = Kysely<Schema> | Trx;

/** user_scores and score_history, set-based: a batch's users cost a few statements, not a few each. */
export class ScoreRows {
  constructor(private readonly dialect: Dialect) {}

  /** These users' rows (no lock). */
  async read(db: Db, keys: readonly string[]): Promise<Map<string, UserScoresTable>> {
    const out = new Map<string, UserScoresTable>();
    for (const part of paramChunks([...new Set(keys)], 1, 500)) {
      for (const r of await db.selectFrom('user_scores').selectAll().where('user_key', 'in', part).execute()) out.set(r.user_key, normalize(r));
    }
    return out;
  }

  /**
   * The rows a rescore is about to replace. On PostgreSQL they are locked first, in key order (missing
   * rows created so they can be locked too, and not returned): a second transaction rescoring one of
   * these users waits here, then reads evidence that includes ours, and two of them never deadlock.
   * SQLite has one writer: a plain read.
   */
  async lock(trx: Trx, keys: readonly string[], at: string): Promise<Map<string, UserScoresTable>> {
    const sorted = [...new Set(keys)].sort();
    if (this.dialect !== 'postgres') return this.read(trx, sorted);
    const created = new Set<string>();
    for (const part of paramChunks(sorted, 1, 1000)) {
      const rows = await trx.insertInto('user_scores').values(part.map((user_key) => placeholder(user_key, at))).onConflict((oc) => oc.column('user_key').doNothing()).returning('user_key').execute();
      for (const r of rows) created.add(r.user_key);
    }
    const out = new Map<string, UserScoresTable>();
    for (const part of paramChunks(sorted, 1, 1000)) {
      const rows = await trx.selectFrom('user_scores').selectAll().where('user_key', 'in', part).orderBy('user_key').forUpdate().execute();
      for (const r of rows) if (!created.has(r.user_key)) out.set(r.user_key, normalize(r));
    }
    return out;
  }

  /** One multi-row upsert per chunk: `insert … on conflict (user_key) do update set col = excluded.col`. */
  async write(trx: Trx, rows: readonly ScoreWrite[]): Promise<void> {
    for (const part of paramChunks(rows, WRITTEN.length + 1, 1000)) {
      await trx
        .insertInto('user_scores')
        .values(part.map((r) => ({ ...r, risky_state: 'none' as const })))
        .onConflict((oc) => oc.column('user_key').doUpdateSet((eb) => Object.fromEntries(WRITTEN.map((c) => [c, eb.ref(`excluded.${c}`)]))))
        .execute();
    }
  }

  async history(trx: Trx, rows: ReadonlyArray<Insertable<ScoreHistoryTable>>): Promise<void> {
    for (const part of paramChunks(rows, 5, 1000)) await trx.insertInto('score_history').values(part).execute();
  }

  /**
   * The percentile each of these users will have once their new scores are written (as if ranked after
   * the write): ONE query counts the stored scores between consecutive new scores of the batch (one
   * pass over the scores at most, however many users the batch has), then the batch's own users are
   * moved from their stored score to their new one.
   */
  async ranks(trx: Trx, next: ReadonlyMap<string, number>, stored: ReadonlyMap<string, UserScoresTable>): Promise<(centi: number) => number> {
    const values = [...new Set([...next.values()].filter((c) => c > 0))].sort((a, b) => a - b);
    if (!values.length) return () => 0;
    // counted: stored scores in (previous value, value], and in (last value, ∞) under TOP.
    const bounds = [...values, TOP];
    const counted = new Map<number, number>();
    if (this.dialect === 'postgres') {
      // One pass: width_bucket finds each score's range by binary search (bucket j = above the j-th value).
      const { rows } = await sql<{ b: number | string; n: number | string }>`
        select width_bucket(score_centi, ${values.map((c) => c + 1)}::bigint[]) as b, count(*) as n from user_scores where score_centi > 0 group by 1`.execute(trx);
      for (const r of rows) counted.set(bounds[Number(r.b)], Number(r.n));
    } else {
      // Each range an index range count: one pass over the scores at most.
      for (const part of paramChunks(bounds.map((hi, i) => [i ? bounds[i - 1] : 0, hi] as const), 1, 5000)) {
        const ranges = sql.join(part.map(([lo, hi]) => sql`(cast(${lo} as bigint), cast(${hi} as bigint))`));
        const { rows } = await sql<{ hi: number | string; n: number | string }>`
          with r(lo, hi) as (values ${ranges})
          select r.hi as hi, (select count(*) from user_scores s where s.score_centi > r.lo and s.score_centi <= r.hi) as n from r`.execute(trx);
        for (const r of rows) counted.set(Number(r.hi), Number(r.n));
      }
    }
    const old = [...next.keys()].map((k) => stored.get(k)?.score_centi ?? 0).filter((c) => c > 0);
    const now = [...next.values()].filter((c) => c > 0);
    const total = bounds.reduce((s, b) => s + (counted.get(b) ?? 0), 0) - old.length + now.length;
    const atOrBelow = new Map<number, number>();
    let running = 0;
    for (const c of values) {
      running += counted.get(c) ?? 0;
      atOrBelow.set(c, running - old.filter((x) => x <= c).length + now.filter((x) => x <= c).length);
    }
    return (centi) => (centi <= 0 ? 0 : percentileFromCounts(atOrBelow.get(centi) ?? 0, total));
  }
}

/** A row to lock until the rescore writes the real one (never committed as is: the rescore always writes a user it created). */
const placeholder = (user_key: string, scored_at: string): Insertable<UserScoresTable> => ({
  user_key, scored_at, resolution: 'unresolved', impact_centi: 100, roles: '[]', score_centi: 0, onprem_centi: 0, cloud_centi: 0, percentile: 0, alert_count: 0, risky_state: 'none', reasons: '[]', tactics: '[]',
});

export function normalize(r: UserScoresTable): UserScoresTable {
  const n = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return { ...r, impact_centi: Number(r.impact_centi), score_centi: Number(r.score_centi), onprem_centi: Number(r.onprem_centi), cloud_centi: Number(r.cloud_centi), percentile: Number(r.percentile), alert_count: Number(r.alert_count), threat_score: n(r.threat_score), dismissed_score_centi: n(r.dismissed_score_centi) };
}
