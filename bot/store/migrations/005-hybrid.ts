import type { Kysely } from 'kysely';
import type { Dialect } from '../store';

/**
 * Hybrid view (issue 5): one row per (alert, user) for cheap per-user scoring queries, the per-user
 * score and risky state, and the score history. Scores are integer hundredths (portable, exact).
 */
export async function up(db: Kysely<any>, _dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('alert_users')
    .addColumn('alert_id', 'text', (c) => c.notNull())
    .addColumn('user_key', 'text', (c) => c.notNull())
    .addColumn('environment', 'text', (c) => c.notNull()) // 'onprem' | 'cloud'
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('seen_at', 'text', (c) => c.notNull()) // the alert's last_seen
    .addColumn('first_seen', 'text', (c) => c.notNull())
    .addColumn('counts', 'integer', (c) => c.notNull().defaultTo(1)) // 0 once closed as benign / false positive
    .addPrimaryKeyConstraint('alert_users_pk', ['alert_id', 'user_key'])
    .execute();
  await db.schema.createIndex('alert_users_user_seen').on('alert_users').columns(['user_key', 'seen_at']).execute();
  await db.schema.createIndex('alert_users_type_seen').on('alert_users').columns(['type', 'seen_at']).execute();
  await db.schema.createIndex('alert_users_seen').on('alert_users').column('seen_at').execute();

  await db.schema
    .createTable('user_scores')
    .addColumn('user_key', 'text', (c) => c.primaryKey())
    .addColumn('display_name', 'text')
    .addColumn('upn', 'text')
    .addColumn('aad_object_id', 'text')
    .addColumn('sam', 'text')
    .addColumn('domain', 'text')
    .addColumn('resolution', 'text', (c) => c.notNull().defaultTo('unresolved'))
    .addColumn('note', 'text')
    .addColumn('impact_centi', 'integer', (c) => c.notNull().defaultTo(100))
    .addColumn('roles', 'text', (c) => c.notNull().defaultTo('[]')) // JSON
    .addColumn('score_centi', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('onprem_centi', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('cloud_centi', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('percentile', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('alert_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('threat_score', 'integer')
    .addColumn('risky_state', 'text', (c) => c.notNull().defaultTo('none')) // none | risky | dismissed
    .addColumn('risky_since', 'text')
    .addColumn('dismissed_at', 'text')
    .addColumn('dismissed_by_id', 'text')
    .addColumn('dismissed_by_name', 'text')
    .addColumn('dismissed_score_centi', 'integer')
    .addColumn('reasons', 'text', (c) => c.notNull().defaultTo('[]')) // JSON: RiskReason[]
    .addColumn('scored_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('user_scores_score').on('user_scores').column('score_centi').execute();

  await db.schema
    .createTable('score_history')
    .addColumn('user_key', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('score_centi', 'integer', (c) => c.notNull())
    .addColumn('percentile', 'integer', (c) => c.notNull())
    .addColumn('cause', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('score_history_user_at').on('score_history').columns(['user_key', 'at']).execute();
  await db.schema.createIndex('score_history_at').on('score_history').column('at').execute();
}
