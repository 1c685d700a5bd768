import type { Kysely, Selectable } from 'kysely';
import type { ResponseAction } from '../../cards/response-section';
import type { Actor, Trx } from '../events';
import type { IdentityActionsTable, Schema } from '../store/schema';

export type ActionRow = Selectable<IdentityActionsTable>;
type Db = Kysely<Schema> | Trx;

/** How long a claim holds while its Graph call runs; past it (the instance died mid-call) another click takes over. */
export const LEASE_MS = 30_000;
/**
 * A done action is answered, not repeated, for this long: double clicks and Teams retries arrive within
 * seconds. After it, the button does it again (sessions can be revoked again tomorrow).
 */
export const REPEAT_AFTER_MS = 5 * 60_000;

export type Claim =
  /** This click owns the round: it calls Graph and finishes the row. */
  | { kind: 'mine'; row: ActionRow }
  /** Done recently: answer that, call nothing. */
  | { kind: 'done'; row: ActionRow }
  /** Another click (maybe on another instance) is calling Graph right now. */
  | { kind: 'pending'; row: ActionRow };

export interface ClaimRequest {
  userKey: string;
  action: ResponseAction;
  actor: Actor;
  mode: 'graph' | 'local';
  target: Record<string, unknown>;
  nowMs: number;
  at: string;
}

const num = (r: ActionRow): ActionRow => ({ ...r, round: Number(r.round), lease_until_ms: Number(r.lease_until_ms) });

export async function latest(db: Db, userKey: string, action: ResponseAction): Promise<ActionRow | undefined> {
  const r = await db.selectFrom('identity_actions').selectAll().where('user_key', '=', userKey).where('action', '=', action).orderBy('round', 'desc').limit(1).executeTakeFirst();
  return r ? num(r) : undefined;
}

/**
 * Claim the next round of `action` on a user. The unique (user_key, action, round) decides: of several
 * clicks at once — a double click, a Teams retry, two instances on one PostgreSQL — exactly one inserts
 * the round (and calls Graph); every other click reads that row and answers its state.
 */
export async function claim(db: Kysely<Schema>, q: ClaimRequest): Promise<Claim> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const last = await latest(db, q.userKey, q.action);
    if (last?.status === 'done' && q.nowMs - Date.parse(last.done_at ?? last.requested_at) < REPEAT_AFTER_MS) return { kind: 'done', row: last };
    if (last?.status === 'pending' && last.lease_until_ms > q.nowMs) return { kind: 'pending', row: last };
    const mine = { by_id: q.actor.id, by_name: q.actor.name, requested_at: q.at, lease_until_ms: q.nowMs + LEASE_MS, mode: q.mode, target: JSON.stringify(q.target) };
    if (last?.status === 'pending') {
      // Its lease ran out (the instance that claimed it stopped mid-call): take the round over, once.
      const r = await db.updateTable('identity_actions').set(mine).where('id', '=', last.id).where('status', '=', 'pending').where('lease_until_ms', '=', last.lease_until_ms).executeTakeFirst();
      if (Number(r.numUpdatedRows ?? 0n) > 0) return { kind: 'mine', row: { ...last, ...mine } };
      continue;
    }
    const round = (last?.round ?? 0) + 1;
    const row: ActionRow = { id: `${q.userKey}|${q.action}|${round}`, user_key: q.userKey, action: q.action, round, status: 'pending', done_at: null, answer: null, ...mine };
    const inserted = await db.insertInto('identity_actions').values(row).onConflict((oc) => oc.doNothing()).returning('id').executeTakeFirst();
    if (inserted) return { kind: 'mine', row };
    // Another click took this round a moment ago: read it.
  }
  const last = await latest(db, q.userKey, q.action);
  return last?.status === 'done' ? { kind: 'done', row: last } : { kind: 'pending', row: last! };
}

/** Record how the claimed round ended (inside the caller's transaction, with the audit row and the card update). */
export async function finish(trx: Trx, row: ActionRow, status: 'done' | 'failed', answer: unknown, at: string): Promise<void> {
  await trx.updateTable('identity_actions').set({ status, answer: JSON.stringify(answer ?? null), done_at: status === 'done' ? at : null, lease_until_ms: 0 }).where('id', '=', row.id).execute();
}

/** The latest done or in-flight row of each action on a user, oldest first (what the card shows). */
export async function historyOf(db: Db, userKey: string, nowMs: number): Promise<ActionRow[]> {
  const rows = (await db.selectFrom('identity_actions').selectAll().where('user_key', '=', userKey).where('status', 'in', ['done', 'pending']).orderBy('round', 'desc').execute()).map(num);
  const byAction = new Map<string, ActionRow>();
  for (const r of rows) {
    if (r.status === 'pending' && r.lease_until_ms <= nowMs) continue; // abandoned mid-call
    if (!byAction.has(r.action)) byAction.set(r.action, r);
  }
  return [...byAction.values()].sort((a, b) => (a.done_at ?? a.requested_at).localeCompare(b.done_at ?? b.requested_at));
}
