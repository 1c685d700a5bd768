import type { Transaction } from 'kysely';
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
 * Listeners run inside the transaction that caused the event, so what they write (an outbox row, a
 * score) commits or rolls back with it: nothing is announced that did not happen, nothing is lost.
 */
export class EventHooks {
  private readonly listeners: EventListener[] = [];
  private readonly deferred = new WeakMap<object, Map<string, () => Promise<void>>>();

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

  on(listener: EventListener): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }
  async emit(trx: Trx, event: HybridEvent): Promise<void> {
    for (const l of this.listeners) await l(trx, event);
  }
}
