import type { AlertRow } from '../hybrid/alert';
import type { Trx } from '../events';
import { paramChunks } from '../store/param-chunks';

/** One alert owed to one conversation: a card, or past the minute's budget a digest line. */
export interface NewCard {
  conversationId: string;
  alert: AlertRow;
  at: string;
}
export type Placed = { kind: 'alert' } | { kind: 'digest'; windowStart: string };

export interface OutboxRowIntent {
  conversationId: string;
  kind: 'alert' | 'digest';
  cardKey: string;
  payload: unknown;
  at: string;
}

export interface NewCardDeps {
  digestAfter: number;
  dialect: 'sqlite' | 'postgres';
  windowOf(at: string): string;
  alertKey(id: string): string;
  digestKey(windowStart: string): string;
  insertMany(trx: Trx, rows: OutboxRowIntent[]): Promise<void>;
}

const sep = '\u0000';

/**
 * Set-based `newCard` for many (conversation, alert) pairs in event order, leaving exactly the rows
 * one-at-a-time processing leaves: one window upsert per conversation and minute adds its k cards
 * (the returned count says which of them are still within the budget), the digest row is queued at the
 * first overflowing alert unless an unstarted one waits, and outbox rows go in one insert in pair order
 * (seq order = event order, so each conversation's cards keep their order).
 */
export async function placeNewCards(trx: Trx, deps: NewCardDeps, pairs: NewCard[]): Promise<Placed[]> {
  if (!pairs.length) return [];
  const windows = new Map<string, { conversationId: string; windowStart: string; k: number; next: number }>();
  const windowOfPair = pairs.map((p) => {
    const windowStart = deps.windowOf(p.at);
    const key = p.conversationId + sep + windowStart;
    const w = windows.get(key) ?? { conversationId: p.conversationId, windowStart, k: 0, next: 0 };
    w.k++;
    windows.set(key, w);
    return w;
  });
  // Sorted: concurrent batches (instances sharing PostgreSQL) lock window rows in one order, not into a deadlock.
  const sorted = [...windows.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, w]) => w);
  for (const chunk of paramChunks(sorted, 3)) {
    const counted = await trx
      .insertInto('notify_windows')
      .values(chunk.map((w) => ({ conversation_id: w.conversationId, window_start: w.windowStart, cards: w.k })))
      .onConflict((oc) => oc.columns(['conversation_id', 'window_start']).doUpdateSet((eb) => ({ cards: eb('notify_windows.cards', '+', eb.ref('excluded.cards')) })))
      .returning(['conversation_id', 'window_start', 'cards'])
      .execute();
    for (const r of counted) {
      const w = windows.get(r.conversation_id + sep + r.window_start)!;
      w.next = Number(r.cards) - w.k + 1; // the count the first of this batch's cards brought the window to
    }
  }
  const counts = windowOfPair.map((w) => w.next++);
  const overflow = [...new Set(windowOfPair.filter((w, i) => counts[i] > deps.digestAfter))];
  const waiting = await unstartedDigests(trx, deps, overflow);

  const rows: OutboxRowIntent[] = [];
  const items: Array<{ conversation_id: string; window_start: string; alert_id: string; severity: string; type_name: string; users: string; created_at: string }> = [];
  const placed: Placed[] = pairs.map((p, i) => {
    const w = windowOfPair[i];
    if (counts[i] <= deps.digestAfter) {
      rows.push({ conversationId: p.conversationId, kind: 'alert', cardKey: deps.alertKey(p.alert.id), payload: {}, at: p.at });
      return { kind: 'alert' };
    }
    const names = p.alert.users.map((u) => u.displayName ?? u.upn ?? u.raw).slice(0, 20);
    items.push({ conversation_id: p.conversationId, window_start: w.windowStart, alert_id: p.alert.id, severity: p.alert.severity, type_name: p.alert.type_name || p.alert.type, users: JSON.stringify(names), created_at: p.at });
    const key = p.conversationId + sep + deps.digestKey(w.windowStart);
    if (!waiting.has(key)) {
      waiting.add(key);
      rows.push({ conversationId: p.conversationId, kind: 'digest', cardKey: deps.digestKey(w.windowStart), payload: { windowStart: w.windowStart }, at: p.at });
    }
    return { kind: 'digest', windowStart: w.windowStart };
  });
  for (const chunk of paramChunks(items, 7)) {
    await trx
      .insertInto('notify_digest_items')
      .values(chunk)
      .onConflict((oc) => oc.columns(['conversation_id', 'window_start', 'alert_id']).doNothing())
      .execute();
  }
  await deps.insertMany(trx, rows);
  return placed;
}

/**
 * `conversation \0 digest key` of the windows whose digest row waits unstarted: a new digest line joins it. Locked
 * (PostgreSQL) like Outbox.unstarted, so the worker renders it only after this transaction commits.
 */
async function unstartedDigests(trx: Trx, deps: NewCardDeps, windows: Array<{ conversationId: string; windowStart: string }>): Promise<Set<string>> {
  const found = new Set<string>();
  for (const chunk of paramChunks(windows, 2, 500)) {
    let q = trx
      .selectFrom('notify_outbox')
      .select(['conversation_id', 'card_key'])
      .where('kind', '=', 'digest')
      .where('status', '=', 'pending')
      .where('started_ms', '=', 0)
      .where((eb) => eb.or(chunk.map((w) => eb.and([eb('conversation_id', '=', w.conversationId), eb('card_key', '=', deps.digestKey(w.windowStart))]))));
    if (deps.dialect === 'postgres') q = q.forUpdate();
    for (const r of await q.execute()) found.add(r.conversation_id + sep + r.card_key);
  }
  return found;
}
