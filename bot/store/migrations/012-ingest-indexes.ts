import type { Kysely } from 'kysely';
import type { Dialect } from '../store';

/**
 * Issue 16: the batched outbox asks for a run's waiting first posts and card rows by card key across
 * all conversations (bot/notify/retrigger-lookups.ts, holdersOf); notify_outbox_card leads with the
 * conversation, so without this every batch of re-triggers scanned the outbox.
 */
export async function up(db: Kysely<any>, _dialect: Dialect): Promise<void> {
  await db.schema.createIndex('notify_outbox_card_key').on('notify_outbox').columns(['card_key', 'kind', 'status']).execute();
}
