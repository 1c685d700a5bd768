import type { Kysely } from 'kysely';
import type { Schema } from '../store/schema';

export interface PurgeResult {
  cutoff: string;
  alerts: number;
  alertUsers: number;
  history: number;
  users: number;
}

const n = (r: { numDeletedRows?: bigint } | undefined) => Number(r?.numDeletedRows ?? 0n);

/**
 * Keeps RETENTION_DAYS: deletes alerts whose last_seen is older (with their alert_users and comment rows), score
 * history older than that, and score rows of users left with no alert and no risky state. Disabling
 * the integration does not call this: data stays until it ages out (the seed).
 */
export async function purgeExpired(db: Kysely<Schema>, now: Date, retentionDays: number): Promise<PurgeResult> {
  const cutoff = new Date(now.getTime() - retentionDays * 86_400_000).toISOString();
  return db.transaction().execute(async (trx) => {
    const oldAlerts = trx.selectFrom('alerts').select('id').where('last_seen', '<', cutoff);
    const alertUsers = n(await trx.deleteFrom('alert_users').where((eb) => eb.or([eb('seen_at', '<', cutoff), eb('alert_id', 'in', oldAlerts)])).executeTakeFirst());
    await trx.deleteFrom('alert_comments').where('alert_id', 'in', oldAlerts).execute();
    const alerts = n(await trx.deleteFrom('alerts').where('last_seen', '<', cutoff).executeTakeFirst());
    const history = n(await trx.deleteFrom('score_history').where('at', '<', cutoff).executeTakeFirst());
    const users = n(
      await trx
        .deleteFrom('user_scores')
        .where('scored_at', '<', cutoff)
        .where('risky_state', '!=', 'risky')
        .where((eb) => eb.not(eb.exists(eb.selectFrom('alert_users').select('alert_users.alert_id').whereRef('alert_users.user_key', '=', 'user_scores.user_key'))))
        .executeTakeFirst(),
    );
    return { cutoff, alerts, alertUsers, history, users };
  });
}
