import type { Kysely, Transaction } from 'kysely';
import type { Schema } from './store/schema';
import type { IntegrationState } from './integration/integration-service';
import type { AlertRow } from './hybrid/alert';

export interface Actor {
  id: string;
  name: string;
}

/** What happened, as the rest of Hybridwatch (cards, outbox, scoring) sees it. */
export type HybridEvent =
  | { type: 'integration.changed'; from: IntegrationState['state']; to: IntegrationState['state']; actor: Actor | null; at: string }
  | { type: 'integration.nodata'; enabledAt: string; at: string }
  | { type: 'alert.new'; alert: AlertRow; at: string }
  | { type: 'alert.updated'; alert: AlertRow; previous: AlertRow; at: string }
  | { type: 'alert.changed'; alert: AlertRow; action: string; actor: Actor; at: string }
  | { type: 'user.risky'; userKey: string; at: string; detail: unknown }
  /** Someone acted on a user (dismissed, confirmed compromised, revoked sessions…): the user's posted cards update (issue 15). */
  | { type: 'user.changed'; userKey: string; action: string; actor: Actor; at: string }
  /** A high-severity Defender for Identity health issue opened, or one we announced is no longer open (issue 12). */
  | { type: 'health.issue'; issueId: string; change: 'opened' | 'closed'; at: string };

export type Trx = Transaction<Schema>;
export type EventListener = (trx: Trx, event: HybridEvent) => Promise<void>;
/**
 * A listener that can take a whole batch of events at once (set-based writes: one multi-row insert for
 * a batch of alerts instead of one per alert). Events are in the order they happened; the listener must
 * keep every per-event semantic (order of cards per conversation, one score per user...).
 */
export type BatchEventListener = (trx: Trx, events: HybridEvent[]) => Promise<void>;

/**
 * Listeners run inside the transaction that caused the event, so what they write (an outbox row, a
 * score) commits or rolls back with it: nothing is announced that did not happen, nothing is lost.
 */
export class EventHooks {
  private readonly listeners: Array<{ one: EventListener; many?: BatchEventListener }> = [];
  private readonly deferred = new WeakMap<object, Map<string, () => Promise<void>>>();
  private readonly commitHooks = new WeakMap<object, Map<string, () => void>>();

  /**
   * Run `fn` as one batch inside `trx`: work that listeners hand to `later` runs once at the end of
   * the batch, still inside the transaction (many alerts for one user → one rescore, not one each).
   */
  async batch<T>(trx: Trx, fn: () => Promise<T>): Promise<T> {
    if (this.deferred.has(trx)) return fn();
    const queue = new Map<string, () => Promise<void>>();
    this.deferred.set(trx, queue);
    try {
      const result = await fn();
      while (queue.size) {
        const [key, work] = queue.entries().next().value!;
        queue.delete(key);
        await work();
      }
      return result;
    } finally {
      this.deferred.delete(trx);
    }
  }

  /** Inside batch(trx): queue `work` once per key for the batch's end and answer true; outside: false (do it now). */
  later(trx: Trx, key: string, work: () => Promise<void>): boolean {
    const queue = this.deferred.get(trx);
    if (!queue) return false;
    if (!queue.has(key)) queue.set(key, work);
    return true;
  }

  /** `many`, when given, receives the events of emitAll in one call (else `one` is called per event). */
  on(listener: EventListener, many?: BatchEventListener): () => void {
    const entry = { one: listener, many };
    this.listeners.push(entry);
    return () => {
      const i = this.listeners.indexOf(entry);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }
  async emit(trx: Trx, event: HybridEvent): Promise<void> {
    for (const l of this.listeners) await l.one(trx, event);
  }
  /**
   * Several events of one transaction, in order: each listener sees all of them before the next
   * listener runs (a listener's writes never depend on another listener's writes of the same batch).
   */
  async emitAll(trx: Trx, events: HybridEvent[]): Promise<void> {
    if (events.length === 1) return this.emit(trx, events[0]);
    if (!events.length) return;
    for (const l of this.listeners) {
      if (l.many) await l.many(trx, events);
      else for (const e of events) await l.one(trx, e);
    }
  }

  /**
   * Run `fn` once `trx` has committed (deduplicated by key), e.g. waking the outbox worker: woken before
   * the commit it would find nothing and sleep until its next poll. Only transactions run through
   * `transaction()` (or whose owner calls `committed`) run these; others are picked up by the poll.
   */
  afterCommit(trx: Trx, key: string, fn: () => void): void {
    let hooks = this.commitHooks.get(trx);
    if (!hooks) this.commitHooks.set(trx, (hooks = new Map()));
    if (!hooks.has(key)) hooks.set(key, fn);
  }
  /** Whether `trx` runs commit hooks (it was opened by `transaction()`). */
  tracksCommit(trx: Trx): boolean {
    return this.commitHooks.has(trx);
  }
  /** The owner of `trx` calls this after its commit. */
  committed(trx: Trx): void {
    const hooks = this.commitHooks.get(trx);
    this.commitHooks.delete(trx);
    if (hooks) for (const fn of hooks.values()) fn();
  }
  /** db.transaction().execute(fn), then the commit hooks (none when it rolled back). */
  async transaction<T>(db: Kysely<Schema>, fn: (trx: Trx) => Promise<T>): Promise<T> {
    let tx: Trx | null = null;
    const result = await db.transaction().execute(async (trx) => {
      tx = trx;
      this.commitHooks.set(trx, new Map());
      return fn(trx);
    }).catch((e) => {
      if (tx) this.commitHooks.delete(tx);
      throw e;
    });
    if (tx) this.committed(tx);
    return result;
  }
}
