import type { Kysely, Selectable } from 'kysely';
import { SEVERITY_RANK, type AlertRow } from '../hybrid/alert';
import type { HybridEvent, Trx } from '../events';
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
  /** Poke the worker after an enqueue (it also polls). */
  nudge: () => void;
}

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
    await db
      .insertInto('notify_outbox')
      .values({ conversation_id: conversationId, kind, card_key: cardKey, payload: JSON.stringify(payload ?? {}), status: 'pending', attempts: 0, not_before_ms: 0, claimed_by: null, claimed_until_ms: 0, started_ms: 0, created_at: at, created_ms: this.opts.nowMs(), sent_at: null, sent_ms: null, activity_id: null, last_error: null })
      .execute();
    this.opts.nudge();
  }

  /** Insert unless the same (conversation, kind, card) is already waiting: updates render current state, so one is enough. */
  async ensurePending(db: Db, conversationId: string, kind: OutboxKind, cardKey: string, payload: unknown, at: string): Promise<void> {
    if (!(await this.unstarted(db, conversationId, kind, cardKey))) await this.insert(db, conversationId, kind, cardKey, payload, at);
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

  async onEvent(trx: Trx, e: HybridEvent): Promise<void> {
    switch (e.type) {
      case 'alert.new':
        for (const s of await this.subscribers(trx)) if (passes(e.alert, s.threshold)) await this.newCard(trx, s.id, e.alert, e.at);
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
  private async newCard(trx: Trx, conversationId: string, alert: AlertRow, at: string): Promise<void> {
    const windowStart = windowOf(at);
    const w = await trx
      .insertInto('notify_windows')
      .values({ conversation_id: conversationId, window_start: windowStart, cards: 1 })
      .onConflict((oc) => oc.columns(['conversation_id', 'window_start']).doUpdateSet((eb) => ({ cards: eb('notify_windows.cards', '+', 1) })))
      .returning('cards')
      .executeTakeFirstOrThrow();
    if (Number(w.cards) <= this.opts.digestAfter) {
      await this.insert(trx, conversationId, 'alert', alertKey(alert.id), {}, at);
      return;
    }
    const names = alert.users.map((u) => u.displayName ?? u.upn ?? u.raw).slice(0, 20);
    await trx
      .insertInto('notify_digest_items')
      .values({ conversation_id: conversationId, window_start: windowStart, alert_id: alert.id, severity: alert.severity, type_name: alert.type_name || alert.type, users: JSON.stringify(names), created_at: at })
      .onConflict((oc) => oc.columns(['conversation_id', 'window_start', 'alert_id']).doNothing())
      .execute();
    await this.ensurePending(trx, conversationId, 'digest', digestKey(windowStart), { windowStart }, at);
  }

  /** A re-trigger: update the card in place and say so once in its thread (silently while muted). */
  private async retrigger(trx: Trx, conversationId: string, threshold: Threshold, alert: AlertRow, at: string): Promise<void> {
    const key = alertKey(alert.id);
    const hasCard =
      (await trx.selectFrom('notify_cards').select('activity_id').where('card_key', '=', key).where('conversation_id', '=', conversationId).executeTakeFirst()) ??
      (await trx.selectFrom('notify_outbox').select('seq').where('card_key', '=', key).where('conversation_id', '=', conversationId).where('kind', '=', 'alert').where('status', '=', 'pending').executeTakeFirst());
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
    const item = await trx.selectFrom('notify_digest_items').select('window_start').where('alert_id', '=', alert.id).where('conversation_id', '=', conversationId).orderBy('window_start', 'desc').executeTakeFirst();
    if (item) {
      await this.ensurePending(trx, conversationId, 'digest', digestKey(item.window_start), { windowStart: item.window_start }, at);
      return;
    }
    // Never announced here (e.g. its severity just rose to the threshold): now it is new to this conversation.
    if (passes(alert, threshold)) await this.newCard(trx, conversationId, alert, at);
  }
}

export function passes(alert: Pick<AlertRow, 'severity'>, threshold: Threshold): boolean {
  return (SEVERITY_RANK[alert.severity] ?? 0) >= (SEVERITY_RANK[threshold] ?? 2);
}
