import type { Kysely } from 'kysely';
import type { Dialect } from '../store';

/**
 * Notify (issue 6): conversations we may post to, the durable outbox, which card went where (so a
 * re-trigger updates it in place), and per-minute digest windows. Times the delivery worker paces by
 * are epoch milliseconds (`*_ms`, bigint); times people read are ISO text.
 */
export async function up(db: Kysely<any>, dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('notify_conversations')
    .addColumn('id', 'text', (c) => c.primaryKey()) // channel id for channels, else the conversation id
    .addColumn('kind', 'text', (c) => c.notNull()) // channel | groupChat | personal
    .addColumn('tenant_id', 'text')
    .addColumn('team_id', 'text')
    .addColumn('service_url', 'text', (c) => c.notNull())
    .addColumn('reference', 'text', (c) => c.notNull()) // JSON ConversationReference
    .addColumn('subscribed', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('threshold', 'text', (c) => c.notNull().defaultTo('medium'))
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('inactive_reason', 'text')
    .addColumn('subscribed_by_id', 'text')
    .addColumn('subscribed_by_mri', 'text')
    .addColumn('subscribed_by_name', 'text')
    .addColumn('subscribed_at', 'text')
    .addColumn('lease_owner', 'text')
    .addColumn('lease_until_ms', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('notify_outbox')
    .addColumn('seq', dialect === 'postgres' ? 'bigserial' : 'integer', (c) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('conversation_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull()) // alert | alert.update | alert.reply | digest | risky | integration | text
    .addColumn('card_key', 'text') // alert:<id> | digest:<window> | user:<key>
    .addColumn('payload', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('pending')) // pending | sent | failed
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('not_before_ms', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('claimed_by', 'text')
    .addColumn('claimed_until_ms', 'bigint', (c) => c.notNull().defaultTo(0))
    // Set when the worker starts rendering a row: from then on new events queue a fresh row instead of coalescing into it.
    .addColumn('started_ms', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_ms', 'bigint', (c) => c.notNull())
    .addColumn('sent_at', 'text')
    .addColumn('sent_ms', 'bigint')
    .addColumn('activity_id', 'text')
    .addColumn('last_error', 'text')
    .execute();
  await db.schema.createIndex('notify_outbox_due').on('notify_outbox').columns(['status', 'conversation_id', 'seq']).execute();
  await db.schema.createIndex('notify_outbox_card').on('notify_outbox').columns(['conversation_id', 'card_key', 'status']).execute();
  await db.schema.createIndex('notify_outbox_sent').on('notify_outbox').columns(['conversation_id', 'sent_ms']).execute();

  await db.schema
    .createTable('notify_cards')
    .addColumn('card_key', 'text', (c) => c.notNull())
    .addColumn('conversation_id', 'text', (c) => c.notNull())
    .addColumn('activity_id', 'text', (c) => c.notNull())
    .addColumn('thread_id', 'text', (c) => c.notNull()) // the conversation id to PUT on / reply in
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('notify_cards_pk', ['card_key', 'conversation_id'])
    .execute();

  await db.schema
    .createTable('notify_windows')
    .addColumn('conversation_id', 'text', (c) => c.notNull())
    .addColumn('window_start', 'text', (c) => c.notNull())
    .addColumn('cards', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('notify_windows_pk', ['conversation_id', 'window_start'])
    .execute();

  await db.schema
    .createTable('notify_digest_items')
    .addColumn('conversation_id', 'text', (c) => c.notNull())
    .addColumn('window_start', 'text', (c) => c.notNull())
    .addColumn('alert_id', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('type_name', 'text', (c) => c.notNull())
    .addColumn('users', 'text', (c) => c.notNull().defaultTo('[]')) // JSON display names
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('notify_digest_items_pk', ['conversation_id', 'window_start', 'alert_id'])
    .execute();
  await db.schema.createIndex('notify_digest_items_alert').on('notify_digest_items').columns(['alert_id', 'conversation_id']).execute();
}
