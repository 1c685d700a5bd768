import type { Kysely } from 'kysely';
import type { Dialect } from '../store';

/**
 * Defender XDR through Microsoft Graph (issue 12). A ledger row may now carry a Graph alert id (its own
 * key when Graph saw it first, or attached to a CEF / Cloud App Security row); `graph_alerts` keeps, per
 * Graph alert, the version last seen and Defender XDR's side of its handling, with the ids and links a
 * pasted security.microsoft.com link resolves through (indexed). `alert_comments` keeps who commented
 * what from Teams; `mdi_health_issues` the Defender for Identity health issues seen (for their cards).
 */
export async function up(db: Kysely<any>, _dialect: Dialect): Promise<void> {
  await db.schema.alterTable('alerts').addColumn('graph_id', 'text').execute();
  await db.schema.alterTable('alerts').addColumn('graph_url', 'text').execute();
  await db.schema.alterTable('alerts').addColumn('incident_url', 'text').execute();
  await db.schema.createIndex('alerts_graph_id').on('alerts').column('graph_id').unique().execute();

  await db.schema
    .createTable('graph_alerts')
    .addColumn('graph_id', 'text', (c) => c.primaryKey())
    .addColumn('alert_id', 'text', (c) => c.notNull())
    .addColumn('provider_alert_id', 'text') // lower-cased
    .addColumn('incident_id', 'text')
    .addColumn('alert_web_url', 'text')
    .addColumn('incident_web_url', 'text')
    .addColumn('service_source', 'text', (c) => c.notNull())
    .addColumn('category', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('classification', 'text')
    .addColumn('determination', 'text')
    .addColumn('assigned_to', 'text')
    .addColumn('last_update', 'text', (c) => c.notNull()) // lastUpdateDateTime as Graph wrote it
    .addColumn('last_update_ms', 'bigint', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull()) // the whole object as last read
    .addColumn('received_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('graph_alerts_alert_id').on('graph_alerts').column('alert_id').execute();
  await db.schema.createIndex('graph_alerts_provider').on('graph_alerts').column('provider_alert_id').execute();
  await db.schema.createIndex('graph_alerts_incident').on('graph_alerts').column('incident_id').execute();
  await db.schema.createIndex('graph_alerts_alert_url').on('graph_alerts').column('alert_web_url').execute();
  await db.schema.createIndex('graph_alerts_incident_url').on('graph_alerts').column('incident_web_url').execute();

  await db.schema
    .createTable('alert_comments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('alert_id', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('by_id', 'text', (c) => c.notNull())
    .addColumn('by_name', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('target', 'text', (c) => c.notNull()) // graph | local
    .execute();
  await db.schema.createIndex('alert_comments_alert').on('alert_comments').columns(['alert_id', 'at']).execute();

  await db.schema
    .createTable('mdi_health_issues')
    .addColumn('issue_id', 'text', (c) => c.primaryKey())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull()) // open | closed
    .addColumn('detail', 'text', (c) => c.notNull()) // JSON: the issue as last read
    .addColumn('first_seen', 'text', (c) => c.notNull())
    .addColumn('last_seen', 'text', (c) => c.notNull())
    .addColumn('closed_at', 'text')
    .addColumn('notified', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}
