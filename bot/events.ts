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
  | { type: 'user.risky'; userKey: string; at: string; detail: unknown };

export type Trx = Transaction<Schema>;
export type EventListener = (trx: Trx, event: HybridEvent) => Promise<void>;

/**
 * Listeners run inside the transaction that caused the event, so what they write (an outbox row, a
 * score) commits or rolls back with it: nothing is announced that did not happen, nothing is lost.
 */
export class EventHooks {
  private readonly listeners: EventListener[] = [];
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
