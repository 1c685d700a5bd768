import type { Kysely } from 'kysely';
import type { Dialect } from '../store';

/**
 * Investigation priority that reads chains (issue 11): the tactics a source supplied with an alert,
 * per (alert, user) the alert's tactics and how rare its type was in the organisation before the
 * alert's day (frozen when recorded, so other users' later alerts never move it), and per user the
 * tactics and hybrid chain that explain the score plus the detection types seen at dismissal. Rows
 * written before this migration keep NULLs: they are classified and rated when read.
 */
export async function up(db: Kysely<any>, _dialect: Dialect): Promise<void> {
  await db.schema.alterTable('alerts').addColumn('tactics', 'text').execute();
  await db.schema.alterTable('alert_users').addColumn('tactics', 'text').execute();
  await db.schema.alterTable('alert_users').addColumn('rarity_milli', 'integer').execute();
  await db.schema.alterTable('user_scores').addColumn('tactics', 'text', (c) => c.notNull().defaultTo('[]')).execute();
  await db.schema.alterTable('user_scores').addColumn('chain', 'text').execute();
  await db.schema.alterTable('user_scores').addColumn('dismissed_types', 'text').execute();
}
