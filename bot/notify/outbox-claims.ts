import type { Kysely } from 'kysely';
import type { Schema } from '../store/schema';
import type { Dialect } from '../store/store';
import type { OutboxRow } from './outbox';

/** What a delivered row records: the activity Teams answered with, and the card to update later. */
export interface SentRecord {
  activityId: string | null;
  sentMs?: number;
  note?: string;
  card?: { activityId: string; threadId: string };
}

/**
 * The delivery worker's rows and leases in the database: which instance owns a conversation, which
 * rows it claimed (FOR UPDATE SKIP LOCKED on PostgreSQL, so instances share the outbox), and what was
 * sent. Rows are marked sent only after Teams answered.
 */
export class OutboxClaims {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly dialect: Dialect,
    private readonly me: string,
    private readonly leaseMs: number,
    private readonly batch: number,
  ) {}

  /** SQLite: one process owns the file, so claims and leases left by a crashed run are stale. */
  async clearAll(): Promise<void> {
    await this.db.updateTable('notify_outbox').set({ claimed_by: null, claimed_until_ms: 0 }).where('status', '=', 'pending').where('claimed_by', 'is not', null).execute();
    await this.db.updateTable('notify_conversations').set({ lease_owner: null, lease_until_ms: 0 }).where('lease_owner', 'is not', null).execute();
  }

  /** On stop: what this instance claimed but did not send is free for the next one. */
  async releaseMine(): Promise<void> {
    await this.db.updateTable('notify_outbox').set({ claimed_by: null, claimed_until_ms: 0 }).where('claimed_by', '=', this.me).where('status', '=', 'pending').execute();
    await this.db.updateTable('notify_conversations').set({ lease_owner: null, lease_until_ms: 0 }).where('lease_owner', '=', this.me).execute();
  }

  async depth(): Promise<{ pending: number; oldestMs: number | null }> {
    const r = await this.db.selectFrom('notify_outbox').select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.min('created_ms').as('oldest')]).where('status', '=', 'pending').executeTakeFirstOrThrow();
    return { pending: Number(r.n), oldestMs: r.oldest === null || r.oldest === undefined ? null : Number(r.oldest) };
  }

  /** One instance sends for a conversation at a time (its order and pacing are per conversation). */
  async takeLease(c: string, now: number): Promise<boolean> {
    const r = await this.db
      .updateTable('notify_conversations')
      .set({ lease_owner: this.me, lease_until_ms: now + this.leaseMs })
      .where('id', '=', c)
      .where((eb) => eb.or([eb('lease_owner', 'is', null), eb('lease_owner', '=', this.me), eb('lease_until_ms', '<', now)]))
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async releaseLease(c: string): Promise<void> {
    await this.db.updateTable('notify_conversations').set({ lease_owner: null, lease_until_ms: 0 }).where('id', '=', c).where('lease_owner', '=', this.me).execute();
  }

  /** The next due rows of a conversation, in order, claimed for this instance. */
  async claim(c: string, now: number): Promise<OutboxRow[]> {
    return this.db.transaction().execute(async (trx) => {
      let q = trx
        .selectFrom('notify_outbox')
        .select('seq')
        .where('conversation_id', '=', c)
        .where('status', '=', 'pending')
        .where('not_before_ms', '<=', now)
        .where((eb) => eb.or([eb('claimed_by', 'is', null), eb('claimed_by', '=', this.me), eb('claimed_until_ms', '<', now)]))
        .orderBy('seq')
        .limit(this.batch);
      if (this.dialect === 'postgres') q = q.forUpdate().skipLocked();
      const seqs = (await q.execute()).map((r) => Number(r.seq));
      if (!seqs.length) return [];
      await trx.updateTable('notify_outbox').set({ claimed_by: this.me, claimed_until_ms: now + this.leaseMs }).where('seq', 'in', seqs).execute();
      await trx.updateTable('notify_conversations').set({ lease_until_ms: now + this.leaseMs }).where('id', '=', c).where('lease_owner', '=', this.me).execute();
      const rows = await trx.selectFrom('notify_outbox').selectAll().where('seq', 'in', seqs).orderBy('seq').execute();
      return rows.map((r) => ({ ...r, seq: Number(r.seq), attempts: Number(r.attempts), created_ms: Number(r.created_ms) }) as OutboxRow);
    });
  }

  /** Send times of a conversation since `since` (epoch ms): after a restart they still count against its limits. */
  async sentSince(c: string, since: number): Promise<number[]> {
    const sent = await this.db.selectFrom('notify_outbox').select('sent_ms').where('conversation_id', '=', c).where('sent_ms', '>', since).execute();
    return sent.map((r) => Number(r.sent_ms));
  }

  /** Give up on every pending row of a conversation (403, no reference); answers how many. */
  async failPending(c: string, reason: string): Promise<number> {
    const r = await this.db.updateTable('notify_outbox').set({ status: 'failed', last_error: reason, claimed_by: null }).where('conversation_id', '=', c).where('status', '=', 'pending').executeTakeFirst();
    return Number(r.numUpdatedRows);
  }

  async retryLater(row: OutboxRow, attempts: number, notBefore: number, error: string): Promise<void> {
    await this.db.updateTable('notify_outbox').set({ attempts, not_before_ms: notBefore, last_error: error.slice(0, 500), claimed_until_ms: notBefore + this.leaseMs }).where('seq', '=', row.seq).execute();
  }

  /** Mark a row sent and remember which activity holds its card (for in-place updates). */
  async finish(row: OutboxRow, r: SentRecord, at: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('notify_outbox')
        .set({ status: 'sent', sent_at: at, sent_ms: r.sentMs ?? null, activity_id: r.activityId, last_error: r.note ?? null, claimed_by: null })
        .where('seq', '=', row.seq)
        .execute();
      if (r.card && row.card_key) {
        await trx
          .insertInto('notify_cards')
          .values({ card_key: row.card_key, conversation_id: row.conversation_id, activity_id: r.card.activityId, thread_id: r.card.threadId, created_at: at, updated_at: at })
          .onConflict((oc) => oc.columns(['card_key', 'conversation_id']).doUpdateSet({ activity_id: r.card!.activityId, thread_id: r.card!.threadId, updated_at: at }))
          .execute();
      }
    });
  }
}
