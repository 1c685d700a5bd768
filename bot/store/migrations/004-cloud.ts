import type { Kysely } from 'kysely';
import type { Dialect } from '../store';

/**
 * Cloud App Security source (issue 4). Poll cursor and status live in `kv` (`mcas.*` keys); this table
 * keeps, per cloud alert, the hash of its JSON (duplicate detection even after it merged into an
 * on-prem row, whose `last_hash` stays the on-prem one) and its service id (Azure ATP = 20940).
 */
export async function up(db: Kysely<any>, _dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('mcas_alerts')
    .addColumn('cloud_id', 'text', (c) => c.primaryKey())
    .addColumn('alert_id', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addColumn('service_id', 'text')
    .addColumn('raised_at', 'text', (c) => c.notNull())
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addColumn('path', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('mcas_alerts_service_raised').on('mcas_alerts').columns(['service_id', 'raised_at']).execute();
  await db.schema.createIndex('mcas_alerts_alert_id').on('mcas_alerts').column('alert_id').execute();
  // The hybrid merge looks up on-prem alerts by start time (bot/hybrid/merge.ts).
  await db.schema.createIndex('mcas_merge_alerts_first_seen').on('alerts').column('first_seen').execute();
}
