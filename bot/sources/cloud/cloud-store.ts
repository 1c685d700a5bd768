import type { Kysely } from 'kysely';
import type { Clock } from '../../clock';
import type { Trx } from '../../events';
import type { Schema } from '../../store/schema';

type Db = Kysely<Schema> | Trx;

/** Where the poll resumes: the newest timestamp seen and every alert key seen at exactly that ms. */
export interface McasCursor {
  ts: number;
  ids: string[];
}

export interface McasStatus {
  lastPollAt: string | null;
  lastError: { message: string; fix: string; at: string } | null;
}

export const KV = { cursor: 'mcas.cursor', status: 'mcas.status', spends: 'mcas.spends', lease: 'mcas.lease' } as const;

/**
 * Several instances on one PostgreSQL: only the lease holder polls (one lease per `key`: Cloud App
 * Security's, Graph's alerts_v2 poll, Defender for Identity health). The row's `value` is the owner and
 * `updated_at` the expiry; taking it is one atomic upsert (free, expired, or already ours).
 */
export async function takeLease(db: Kysely<Schema>, owner: string, clock: Clock, ms: number, key: string = KV.lease): Promise<boolean> {
  const now = clock.now();
  const until = new Date(now.getTime() + ms).toISOString();
  const r = await db
    .insertInto('kv')
    .values({ key, value: owner, updated_at: until })
    .onConflict((oc) =>
      oc
        .column('key')
        .doUpdateSet({ value: owner, updated_at: until })
        .where((eb) => eb.or([eb('kv.value', '=', owner), eb('kv.updated_at', '<', now.toISOString())])),
    )
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0n) > 0;
}

export async function releaseLease(db: Kysely<Schema>, owner: string, key: string = KV.lease): Promise<void> {
  await db.deleteFrom('kv').where('key', '=', key).where('value', '=', owner).execute();
}

export async function kvGet<T>(db: Db, key: string): Promise<T | null> {
  const r = await db.selectFrom('kv').select('value').where('key', '=', key).executeTakeFirst();
  if (!r) return null;
  try {
    return JSON.parse(r.value) as T;
  } catch {
    return null;
  }
}

export async function kvPut(db: Db, key: string, value: unknown, clock: Clock): Promise<void> {
  const v = JSON.stringify(value);
  const at = clock.now().toISOString();
  await db
    .insertInto('kv')
    .values({ key, value: v, updated_at: at })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value: v, updated_at: at }))
    .execute();
}

export async function readCursor(db: Db): Promise<McasCursor | null> {
  const c = await kvGet<McasCursor>(db, KV.cursor);
  return c && Number.isFinite(c.ts) && Array.isArray(c.ids) ? c : null;
}

export async function readStatus(db: Db): Promise<McasStatus> {
  return (await kvGet<McasStatus>(db, KV.status)) ?? { lastPollAt: null, lastError: null };
}

/** Cloud alerts received so far (poll and push): one row per `_id`. */
export async function receivedCount(db: Db): Promise<number> {
  const r = await db.selectFrom('mcas_alerts').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(r.n);
}
