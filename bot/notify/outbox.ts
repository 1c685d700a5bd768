import type { Kysely, Selectable } from 'kysely';
import { SEVERITY_RANK, type AlertRow } from '../hybrid/alert';
import type { EventHooks, HybridEvent, Trx } from '../events';
import { paramChunks } from '../store/param-chunks';
import { placeNewCards, type NewCard, type NewCardDeps, type OutboxRowIntent } from './new-cards';
import { RetriggerLookups } from './retrigger-lookups';
import type { NotifyConversationsTable, NotifyOutboxTable, Schema } from '../store/schema';

/** An outbox row as read back (seq is a plain number). */
export type OutboxRow = Selectable<NotifyOutboxTable>;

export type Threshold = NotifyConversationsTable['threshold'];
export const THRESHOLDS: Threshold[] = ['low', 'medium', 'high'];
/** `subscribe` without a level: medium. High alone would hide most Azure ATP detections (recon, lateral movement are medium); low floods. */
export const DEFAULT_THRESHOLD: Threshold = 'medium';

export type OutboxKind = 'alert' | 'alert.update' | 'alert.reply' | 'digest' | 'risky' | 'risky.update' | 'integration' | 'text' | 'health' | 'health.update';

export interface OutboxOptions {
  /** Cards per conversation per minute before the rest of that minute goes into one digest card. */
  digestAfter: number;
  /** Epoch ms for the worker's pacing columns (real time even when the app clock is faked). */
  nowMs: () => number;
  dialect: 'sqlite' | 'postgres';
  /** Poke the worker after an enqueue (it also polls): soon, for writes whose commit we cannot see. */
  nudge: () => void;
  /** Wake the worker now: run after the commit of a transaction opened by `events.transaction()`. */
  nudgeNow?: () => void;
  events?: Pick<EventHooks, 'afterCommit' | 'tracksCommit' | 'later'>;
}

type AlertEvent<T extends HybridEvent['type']> = Extract<HybridEvent, { type: T }>;
const OUTBOX_ROW_PARAMS = 16;

type Db = Kysely<Schema> | Trx;

export const alertKey = (id: string) => `alert:${id}`;
export const userKey = (key: string) => `user:${key}`;
export const digestKey = (windowStart: string) => `digest:${windowStart}`;
export const healthKey = (issueId: string) => `health:${issueId}`;

/** The minute an event falls in: the digest window. */
export function windowOf(at: string): string {
  const d = new Date(at);
  d.setUTCSeconds(0, 0);
  return d.toISOString();
}

/**
 * Writes outbox rows for events, inside the transaction that caused them (EventHooks listener):
 * the alert and the card it owes commit together or not at all.
 */
export class Outbox {
  constructor(private readonly opts: OutboxOptions) {}

  async insert(db: Db, conversationId: string, kind: OutboxKind, cardKey: string | null, payload: unknown, at: string): Promise<void> {
    await this.insertMany(db, [{ conversationId, kind, cardKey, payload, at }]);
  }

  /** Rows in one multi-row insert (chunked under the parameter limit): seq follows the order given. */
  async insertMany(db: Db, rows: Array<Omit<OutboxRowIntent, 'kind' | 'cardKey'> & { kind: OutboxKind; cardKey: string | null }>): Promise<void> {
    if (!rows.length) return;
    const createdMs = this.opts.nowMs();
    for (const chunk of paramChunks(rows, OUTBOX_ROW_PARAMS)) {
      await db
        .insertInto('notify_outbox')
        .values(chunk.map((r) => ({ conversation_id: r.conversationId, kind: r.kind, card_key: r.cardKey, payload: JSON.stringify(r.payload ?? {}), status: 'pending' as const, attempts: 0, not_before_ms: 0, claimed_by: null, claimed_until_ms: 0, started_ms: 0, created_at: r.at, created_ms: createdMs, sent_at: null, sent_ms: null, activity_id: null, last_error: null })))
        .execute();
    }
    this.wake(db);
  }

  /**
   * Woken before the commit the worker finds nothing and sleeps until its next poll: inside a
   * transaction that runs commit hooks, wake it once after the commit; otherwise nudge it soon.
   */
  private wake(db: Db): void {
    const { events, nudgeNow, nudge } = this.opts;
    if (events && events.tracksCommit(db as Trx)) events.afterCommit(db as Trx, 'outbox.nudge', nudgeNow ?? nudge);
    else nudge();
  }

  /** Insert unless the same (conversation, kind, card) is already waiting: updates render current state, so one is enough. */
  async ensurePending(db: Db, conversationId: string, kind: OutboxKind, cardKey: string, payload: unknown, at: string): Promise<void> {
    // Once ensured inside a transaction the row stays waiting and unstarted until the commit (locked on
    // PostgreSQL, one writer on SQLite): the many re-triggers of a batch that land in one digest or
    // card update ask once (issue 16).
    const memo = db.isTransaction ? this.ensuredIn(db) : null;
    const k = `${conversationId}\u0000${kind}\u0000${cardKey}`;
    if (memo?.has(k)) return;
    if (!(await this.unstarted(db, conversationId, kind, cardKey))) await this.insert(db, conversationId, kind, cardKey, payload, at);
    memo?.add(k);
  }

  private readonly ensured = new WeakMap<object, Set<string>>();
  private ensuredIn(trx: object): Set<string> {
    let set = this.ensured.get(trx);
    if (!set) this.ensured.set(trx, (set = new Set()));
    return set;
  }

  /**
   * A waiting row the worker has not started rendering. Locked (PostgreSQL) so the worker cannot
   * start it until this transaction commits, and then renders the state this transaction wrote.
   */
  async unstarted(db: Db, conversationId: string, kind: OutboxKind, cardKey: string): Promise<{ seq: number; payload: string } | undefined> {
    let q = db.selectFrom('notify_outbox').select(['seq', 'payload']).where('conversation_id', '=', conversationId).where('card_key', '=', cardKey).where('kind', '=', kind).where('status', '=', 'pending').where('started_ms', '=', 0);
    if (this.opts.dialect === 'postgres') q = q.forUpdate();
    const r = await q.executeTakeFirst();
    return r ? { seq: Number(r.seq), payload: r.payload } : undefined;
  }

  private readonly subscribersIn = new WeakMap<object, Promise<Array<Pick<NotifyConversationsTable, 'id' | 'threshold'>>>>();

  /** Read once per transaction: a batch of alerts asks once, not once per alert. */
  private subscribers(db: Db): Promise<Array<Pick<NotifyConversationsTable, 'id' | 'threshold'>>> {
    let rows = this.subscribersIn.get(db);
    if (!rows) {
      rows = db.selectFrom('notify_conversations').select(['id', 'threshold']).where('subscribed', '=', 1).where('active', '=', 1).execute();
      this.subscribersIn.set(db, rows);
    }
    return rows;
  }

  /**
   * A batch of events (emitAll), with the rows per-event processing would write: runs of alert.new are
   * written set-based, runs of alert.updated read their lookups once, anything else goes one by one.
   * Runs are handled in order, so every run sees what the runs before it wrote.
   */
  private readonly deferred = new WeakMap<object, HybridEvent[]>();

  /**
   * The listener: inside a batch (EventHooks.batch) the events are kept for the batch's end, after the
   * rescore, so the rows this writes (notify_windows above all, shared by every writer of a channel and
   * minute) stay locked only until the commit, not for the whole batch (issue 16: on PostgreSQL the
   * lanes queued behind that lock). Order is kept: a user.risky emitted by the rescore joins the same
   * list after the alerts that caused it. Outside a batch: at once, as before.
   */
  async listen(trx: Trx, events: HybridEvent[]): Promise<void> {
    const queued = this.deferred.get(trx);
    if (queued) {
      queued.push(...events);
      return;
    }
    const list = [...events];
    const run = async () => {
      this.deferred.delete(trx);
      await this.onEvents(trx, list);
    };
    if (this.opts.events?.later(trx, 'outbox.events', run)) this.deferred.set(trx, list);
    else await this.onEvents(trx, list);
  }

  async onEvents(trx: Trx, events: HybridEvent[]): Promise<void> {
    for (let i = 0; i < events.length; ) {
      let j = i + 1;
      while (j < events.length && events[j].type === events[i].type) j++;
      const run = events.slice(i, j);
      if (run[0].type === 'alert.new') await this.newCards(trx, run as Array<AlertEvent<'alert.new'>>);
      else if (run[0].type === 'alert.updated') await this.retriggers(trx, run as Array<AlertEvent<'alert.updated'>>);
      else for (const e of run) await this.onEvent(trx, e);
      i = j;
    }
  }

  private async newCards(trx: Trx, events: Array<AlertEvent<'alert.new'>>): Promise<void> {
    const subs = await this.subscribers(trx);
    const pairs: NewCard[] = [];
    for (const e of events) for (const s of subs) if (passes(e.alert, s.threshold)) pairs.push({ conversationId: s.id, alert: e.alert, at: e.at });
    await placeNewCards(trx, this.newCardDeps, pairs);
  }

  private async retriggers(trx: Trx, events: Array<AlertEvent<'alert.updated'>>): Promise<void> {
    const subs = await this.subscribers(trx);
    if (!subs.length) return;
    const known = await RetriggerLookups.read(trx, events.map((e) => e.alert.id), alertKey);
    for (const e of events) for (const s of subs) await this.retrigger(trx, s.id, s.threshold, e.alert, e.at, known);
  }

  private get newCardDeps(): NewCardDeps {
    return { digestAfter: this.opts.digestAfter, dialect: this.opts.dialect, windowOf, alertKey, digestKey, insertMany: (trx, rows) => this.insertMany(trx, rows) };
  }

  async onEvent(trx: Trx, e: HybridEvent): Promise<void> {
    switch (e.type) {
      case 'alert.new':
        await this.newCards(trx, [e]);
        return;
      case 'alert.updated':
        for (const s of await this.subscribers(trx)) await this.retrigger(trx, s.id, s.threshold, e.alert, e.at);
        return;
      case 'alert.changed':
        // Close / assign / mute: every conversation holding the card sees who did what.
        for (const c of await this.holders(trx, e.alert.id)) await this.ensurePending(trx, c, 'alert.update', alertKey(e.alert.id), {}, e.at);
        return;
      case 'integration.changed':
        for (const s of await this.subscribers(trx)) await this.insert(trx, s.id, 'integration', null, { kind: 'changed', from: e.from, to: e.to, actorName: e.actor?.name ?? null, at: e.at }, e.at);
        return;
      case 'integration.nodata':
        for (const s of await this.subscribers(trx)) await this.insert(trx, s.id, 'integration', null, { kind: 'nodata', enabledAt: e.enabledAt, at: e.at }, e.at);
        return;
      case 'health.issue':
        // A high-severity Defender for Identity health issue: every subscriber (high passes any threshold);
        // when it closes, the cards already posted are updated in place.
        if (e.change === 'opened') {
          for (const s of await this.subscribers(trx)) {
            if (!(await this.holdersOf(trx, healthKey(e.issueId), 'health')).includes(s.id)) await this.insert(trx, s.id, 'health', healthKey(e.issueId), { issueId: e.issueId }, e.at);
            else await this.ensurePending(trx, s.id, 'health.update', healthKey(e.issueId), { issueId: e.issueId }, e.at);
          }
        } else for (const c of await this.holdersOf(trx, healthKey(e.issueId), 'health')) await this.ensurePending(trx, c, 'health.update', healthKey(e.issueId), { issueId: e.issueId }, e.at);
        return;
      case 'user.risky':
        for (const s of await this.subscribers(trx)) await this.insert(trx, s.id, 'risky', userKey(e.userKey), { userKey: e.userKey, at: e.at, detail: e.detail ?? null }, e.at);
        return;
      case 'user.changed':
        // Dismissed, confirmed compromised, sessions revoked…: every conversation holding the risky-user card sees it.
        for (const c of await this.holdersOf(trx, userKey(e.userKey), 'risky')) await this.ensurePending(trx, c, 'risky.update', userKey(e.userKey), {}, e.at);
        return;
    }
  }

  /** Conversations that have (or are about to get) this alert's card. */
  holders(db: Db, alertId: string): Promise<string[]> {
    return this.holdersOf(db, alertKey(alertId), 'alert');
  }

  /** Conversations that have the card `key`, or a pending first post (`kind`) of it. */
  async holdersOf(db: Db, key: string, kind: OutboxKind): Promise<string[]> {
    const sent = await db.selectFrom('notify_cards').select('conversation_id').where('card_key', '=', key).execute();
    const queued = await db.selectFrom('notify_outbox').select('conversation_id').where('card_key', '=', key).where('kind', '=', kind).where('status', '=', 'pending').execute();
    return [...new Set([...sent, ...queued].map((r) => r.conversation_id))];
  }

  /** A first card, or, past the per-minute budget, a line in that minute's digest. */
  private async newCard(trx: Trx, conversationId: string, alert: AlertRow, at: string, known?: RetriggerLookups): Promise<void> {
    const [placed] = await placeNewCards(trx, this.newCardDeps, [{ conversationId, alert, at }]);
    if (placed.kind === 'alert') known?.addCard(conversationId, alertKey(alert.id));
    else known?.addDigest(conversationId, alert.id, placed.windowStart);
  }

  /**
   * A re-trigger: update the card in place and say so once in its thread (silently while muted).
   * `known`: the batch's lookups (else read here, for this conversation).
   */
  private async retrigger(trx: Trx, conversationId: string, threshold: Threshold, alert: AlertRow, at: string, known?: RetriggerLookups): Promise<void> {
    const key = alertKey(alert.id);
    const hasCard = known
      ? known.hasCard(conversationId, key)
      : ((await trx.selectFrom('notify_cards').select('activity_id').where('card_key', '=', key).where('conversation_id', '=', conversationId).executeTakeFirst()) ??
        (await trx.selectFrom('notify_outbox').select('seq').where('card_key', '=', key).where('conversation_id', '=', conversationId).where('kind', '=', 'alert').where('status', '=', 'pending').executeTakeFirst()));
    if (hasCard) {
      await this.ensurePending(trx, conversationId, 'alert.update', key, {}, at);
      const muted = alert.muted_until !== null && alert.muted_until > at;
      if (muted) return;
      // One reply per delivery: re-triggers that pile up before it goes out are summed in it.
      const waiting = await this.unstarted(trx, conversationId, 'alert.reply', key);
      const info = { triggers: 1, triggerCount: alert.trigger_count, lastSeen: alert.last_seen, cnt: alert.cnt };
      if (waiting) {
        const prev = JSON.parse(waiting.payload) as { triggers?: number };
        await trx.updateTable('notify_outbox').set({ payload: JSON.stringify({ ...info, triggers: (prev.triggers ?? 1) + 1 }) }).where('seq', '=', waiting.seq).execute();
      } else await this.insert(trx, conversationId, 'alert.reply', key, info, at);
      return;
    }
    const windowStart = known
      ? known.digestWindow(conversationId, alert.id)
      : (await trx.selectFrom('notify_digest_items').select('window_start').where('alert_id', '=', alert.id).where('conversation_id', '=', conversationId).orderBy('window_start', 'desc').executeTakeFirst())?.window_start;
    if (windowStart !== undefined) {
      await this.ensurePending(trx, conversationId, 'digest', digestKey(windowStart), { windowStart }, at);
      return;
    }
    // Never announced here (e.g. its severity just rose to the threshold): now it is new to this conversation.
    if (passes(alert, threshold)) await this.newCard(trx, conversationId, alert, at, known);
  }
}

export function passes(alert: Pick<AlertRow, 'severity'>, threshold: Threshold): boolean {
  return (SEVERITY_RANK[alert.severity] ?? 0) >= (SEVERITY_RANK[threshold] ?? 2);
}
