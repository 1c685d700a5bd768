import type { Kysely } from 'kysely';
import type { Dialect } from '../store';

/** On-premises source (issue 3): Azure ATP sensor health issues, kept apart from security alerts. */
export async function up(db: Kysely<any>, _dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('sensor_health')
    .addColumn('id', 'text', (c) => c.primaryKey()) // monitoring URL id, or a stable hash
    .addColumn('sensor', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('message', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('url', 'text')
    .addColumn('external_id', 'text')
    .addColumn('first_seen', 'text', (c) => c.notNull())
    .addColumn('last_seen', 'text', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('last_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sensor_health_last_seen').on('sensor_health').column('last_seen').execute();
}
