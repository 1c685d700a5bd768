import type { Kysely } from 'kysely';
import type { Dialect } from '../store';

/**
 * Identity response from Teams (issue 15). One row per attempt at an action on a user (confirm
 * compromised, revoke sessions, disable the on-premises account, force a password reset, dismiss risk in
 * Entra ID Protection). The unique (user_key, action, round) is the claim: of two clicks — a double
 * click, a Teams retry, two instances — only one inserts the round and calls Graph; the others read the
 * row and answer its state. `answer` keeps what Graph (or local mode) said.
 */
export async function up(db: Kysely<any>, _dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('identity_actions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_key', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('round', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull()) // pending | done | failed
    .addColumn('mode', 'text', (c) => c.notNull()) // graph | local
    .addColumn('by_id', 'text', (c) => c.notNull())
    .addColumn('by_name', 'text', (c) => c.notNull())
    .addColumn('requested_at', 'text', (c) => c.notNull())
    .addColumn('lease_until_ms', 'bigint', (c) => c.notNull())
    .addColumn('done_at', 'text')
    .addColumn('target', 'text', (c) => c.notNull()) // JSON: the ids acted on
    .addColumn('answer', 'text') // JSON: Graph's answer, or the error
    .execute();
  await db.schema.createIndex('identity_actions_claim').on('identity_actions').columns(['user_key', 'action', 'round']).unique().execute();
}
