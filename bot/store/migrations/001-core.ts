import type { Kysely } from 'kysely';
import type { Dialect } from '../store';

export async function up(db: Kysely<any>, _dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('integration')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('since', 'text', (c) => c.notNull())
    .addColumn('by_id', 'text')
    .addColumn('by_name', 'text')
    .addColumn('enabled_at', 'text')
    .addColumn('activated_at', 'text')
    .addColumn('last_onprem_at', 'text')
    .addColumn('last_cloud_at', 'text')
    .addColumn('ignored_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('nodata_warned_at', 'text')
    .execute();

  await db.schema
    .createTable('audit_log')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text', (c) => c.notNull())
    .addColumn('actor_name', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('from_state', 'text')
    .addColumn('to_state', 'text')
    .addColumn('detail', 'text', (c) => c.notNull().defaultTo('{}'))
    .execute();
  await db.schema.createIndex('audit_log_at').on('audit_log').column('at').execute();

  await db.schema
    .createTable('alerts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('onprem_id', 'text', (c) => c.unique())
    .addColumn('cloud_id', 'text', (c) => c.unique())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('type_name', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('open'))
    .addColumn('users', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('hosts', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('first_seen', 'text', (c) => c.notNull())
    .addColumn('last_seen', 'text', (c) => c.notNull())
    .addColumn('trigger_count', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('cnt', 'integer')
    .addColumn('url', 'text')
    .addColumn('cloud_url', 'text')
    .addColumn('app', 'text')
    .addColumn('policy', 'text')
    .addColumn('threat_score', 'integer')
    .addColumn('last_hash', 'text', (c) => c.notNull())
    .addColumn('closed_by_id', 'text')
    .addColumn('closed_by_name', 'text')
    .addColumn('closed_at', 'text')
    .addColumn('resolution', 'text')
    .addColumn('assigned_to_id', 'text')
    .addColumn('assigned_to_name', 'text')
    .addColumn('muted_until', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('alerts_last_seen').on('alerts').column('last_seen').execute();
  await db.schema.createIndex('alerts_status_last_seen').on('alerts').columns(['status', 'last_seen']).execute();

  await db.schema
    .createTable('kv')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
}
