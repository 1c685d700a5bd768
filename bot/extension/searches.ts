import { sql, type Kysely } from 'kysely';
import { toAlertRow, type AlertRow } from '../hybrid/alert';
import type { Schema } from '../store/schema';
import { containsPattern, prefixPattern } from './search-text';

/** Closed alerts stay findable this long after they were last seen ("open and recent"). */
export const RECENT_DAYS = 30;
/** Users a name prefix may match before ranking by score (a one-letter prefix in a big tenant). */
export const USER_CANDIDATES = 500;

const ESCAPE = sql.raw(`'\\'`);

export interface Page {
  skip: number;
  count: number;
}

/**
 * Open alerts, and closed ones seen in the last RECENT_DAYS, whose title, type, users or hosts contain
 * every word (case-insensitive); newest first, then most severe. No words: the latest alerts.
 */
export async function findAlerts(db: Kysely<Schema>, words: string[], page: Page, now: Date): Promise<AlertRow[]> {
  const recent = new Date(now.getTime() - RECENT_DAYS * 86_400_000).toISOString();
  let q = db
    .selectFrom('alert_search as s')
    .innerJoin('alerts as a', 'a.id', 's.alert_id')
    .selectAll('a')
    .where((eb) => eb.or([eb('s.status', '=', 'open'), eb('s.last_seen', '>=', recent)]));
  for (const w of words) q = q.where(sql<boolean>`${sql.ref('s.text')} like ${containsPattern(w)} escape ${ESCAPE}`);
  const rows = await q.orderBy('s.last_seen', 'desc').orderBy('s.severity_rank', 'desc').orderBy('s.alert_id').limit(page.count).offset(page.skip).execute();
  return rows.map((r) => toAlertRow(r as Schema['alerts']));
}

/**
 * Users seen in alerts whose name (or a word of it), UPN or DOMAIN\sam starts with the query
 * (case-insensitive, through the terms index). Several words: the whole name starts with them.
 */
export async function findUserKeys(db: Kysely<Schema>, text: string, limit = USER_CANDIDATES): Promise<string[]> {
  const rows = await db
    .selectFrom('user_search_terms')
    .select('user_key')
    .distinct()
    .where(sql<boolean>`${sql.ref('term')} like ${prefixPattern(text)} escape ${ESCAPE}`)
    .limit(limit)
    .execute();
  return rows.map((r) => r.user_key);
}

export async function userRows(db: Kysely<Schema>, keys: string[]): Promise<Map<string, Schema['user_search']>> {
  const out = new Map<string, Schema['user_search']>();
  for (let i = 0; i < keys.length; i += 500) {
    for (const r of await db.selectFrom('user_search').selectAll().where('user_key', 'in', keys.slice(i, i + 500)).execute()) out.set(r.user_key, r as Schema['user_search']);
  }
  return out;
}
