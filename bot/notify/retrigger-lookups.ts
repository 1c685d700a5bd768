import type { Trx } from '../events';
import { paramChunks } from '../store/param-chunks';

const sep = '\u0000';

/**
 * What a run of re-triggers asks per (conversation, alert), read once for the run by card key: is there
 * a posted card, a pending first post, a digest line (its latest window). Kept current as the run
 * itself adds first posts or digest lines (a re-trigger whose severity rose to a threshold).
 */
export class RetriggerLookups {
  private constructor(
    private readonly carded: Set<string>,
    private readonly digested: Map<string, string>,
  ) {}

  static async read(trx: Trx, alertIds: string[], alertKey: (id: string) => string): Promise<RetriggerLookups> {
    const carded = new Set<string>();
    const digested = new Map<string, string>();
    for (const ids of paramChunks([...new Set(alertIds)], 1, 500)) {
      const keys = ids.map(alertKey);
      for (const r of await trx.selectFrom('notify_cards').select(['conversation_id', 'card_key']).where('card_key', 'in', keys).execute()) carded.add(r.conversation_id + sep + r.card_key);
      const queued = await trx.selectFrom('notify_outbox').select(['conversation_id', 'card_key']).where('card_key', 'in', keys).where('kind', '=', 'alert').where('status', '=', 'pending').execute();
      for (const r of queued) carded.add(r.conversation_id + sep + r.card_key);
      for (const r of await trx.selectFrom('notify_digest_items').select(['conversation_id', 'alert_id', 'window_start']).where('alert_id', 'in', ids).execute()) {
        const k = r.conversation_id + sep + r.alert_id;
        const prev = digested.get(k);
        if (prev === undefined || r.window_start > prev) digested.set(k, r.window_start);
      }
    }
    return new RetriggerLookups(carded, digested);
  }

  hasCard(conversationId: string, cardKey: string): boolean {
    return this.carded.has(conversationId + sep + cardKey);
  }
  digestWindow(conversationId: string, alertId: string): string | undefined {
    return this.digested.get(conversationId + sep + alertId);
  }
  /** The run queued a first post of this card here. */
  addCard(conversationId: string, cardKey: string): void {
    this.carded.add(conversationId + sep + cardKey);
  }
  /** The run put this alert in a digest here. */
  addDigest(conversationId: string, alertId: string, windowStart: string): void {
    const k = conversationId + sep + alertId;
    const prev = this.digested.get(k);
    if (prev === undefined || windowStart > prev) this.digested.set(k, windowStart);
  }
}
