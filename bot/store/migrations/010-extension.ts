import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../store';

/**
 * Message extension (issue 14): what the compose box searches, kept small and lowercased so every
 * query works the same on SQLite and PostgreSQL (SQLite's lower() knows ASCII only).
 * - alert_search: one row per alert, its searchable text (title, type, users, hosts); scanned with
 *   LIKE '%…%' inside "open or recent", ordered by last_seen (indexed).
 * - user_search + user_search_terms: users seen in alerts; each name word, the UPN and DOMAIN\sam are
 *   terms, found by prefix through an index (NOCASE column on SQLite, text_pattern_ops on PostgreSQL).
 */
export async function up(db: Kysely<any>, dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('alert_search')
    .addColumn('alert_id', 'text', (c) => c.primaryKey())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('severity_rank', 'integer', (c) => c.notNull())
    .addColumn('last_seen', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('alert_search_last_seen').on('alert_search').columns(['last_seen', 'severity_rank']).execute();
  await db.schema.createIndex('alert_search_status_last_seen').on('alert_search').columns(['status', 'last_seen']).execute();

  await db.schema
    .createTable('user_search')
    .addColumn('user_key', 'text', (c) => c.primaryKey())
    .addColumn('display_name', 'text')
    .addColumn('upn', 'text')
    .addColumn('account', 'text') // DOMAIN\sam as cards show it
    .execute();

  const nocase = dialect === 'sqlite' ? sql`collate nocase` : sql``;
  await db.schema
    .createTable('user_search_terms')
    .addColumn('user_key', 'text', (c) => c.notNull())
    .addColumn('term', 'text', (c) => c.notNull().modifyEnd(nocase))
    .addPrimaryKeyConstraint('user_search_terms_pk', ['user_key', 'term'])
    .execute();
  if (dialect === 'postgres') await sql`create index user_search_terms_term on user_search_terms (term text_pattern_ops)`.execute(db);
  else await db.schema.createIndex('user_search_terms_term').on('user_search_terms').column('term').execute();
}
