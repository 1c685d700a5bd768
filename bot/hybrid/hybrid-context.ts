import type { Kysely } from 'kysely';
import type { Trx } from '../events';
import type { Schema } from '../store/schema';
import { SEVERITY_RANK, type AlertRow, type Severity } from './alert';
import { CHAIN_HOURS } from './chain';

export const CONTEXT_DAYS = 7;
/** The same window the investigation priority uses for a hybrid chain (bot/hybrid/chain.ts). */
export { CHAIN_HOURS };

export interface HybridContextAlert {
  id: string;
  title: string;
  severity: Severity;
  type: string;
  lastSeen: string;
  userKey: string;
}

/** Shaped to be usable directly as cards/alert-card's HybridContextView (other, count, topTitles, hybridChain). */
export interface HybridContext {
  /** This alert's environment ('both' counts as on-premises: an ATP alert surfaced in the cloud). */
  environment: 'onprem' | 'cloud';
  /** The side the context is about: "also in the cloud" for an on-prem alert, and vice versa. */
  other: 'onprem' | 'cloud';
  /** The other environment's alerts of the same users, 7 days before this alert's last_seen (or later). */
  count: number;
  /** Up to 3 distinct titles, worst severity and newest first. Untrusted text: shown only in TextRuns (cards/). */
  topTitles: string[];
  /** On-prem and cloud alerts of one user within CHAIN_HOURS (48) of each other: likely one attack chain. */
  hybridChain: boolean;
  /** The first 10 of those alerts. */
  alerts: HybridContextAlert[];
  /** The alert's users as stored (only resolved `aad:` keys can link both sides). */
  users: Array<{ key: string; displayName: string | null; resolution: string; note: string | null }>;
}

const DAY = 86_400_000;

/**
 * Hybrid context for an alert card or notification: for the alert's users, the OTHER environment's
 * alerts of the last 7 days (count, up to `topTitles` distinct titles, worst and newest first) and the
 * `hybridChain` flag (an other-environment alert within CHAIN_HOURS of this one).
 *
 * Call it with the ledger transaction inside an alert.new / alert.updated listener (`trx`), or with
 * the database anywhere else. It reads only `alert_users` + `alerts`, independent of the order in which
 * event listeners run (this alert's own rows are never needed). Times are relative to the alert's own
 * `last_seen`, so the answer is deterministic; pass `now` to anchor the 7 days elsewhere.
 */
export async function hybridContext(db: Kysely<Schema> | Trx, alert: AlertRow, opts: { now?: Date; topTitles?: number; maxAlerts?: number } = {}): Promise<HybridContext> {
  const environment = alert.source === 'cloud' ? 'cloud' : 'onprem';
  const other = environment === 'cloud' ? 'onprem' : 'cloud';
  const users = alert.users
    .filter((u, i, all) => u.key && all.findIndex((x) => x.key === u.key) === i)
    .map((u) => ({ key: u.key, displayName: u.displayName ?? u.raw ?? null, resolution: u.resolution ?? 'unresolved', note: u.note ?? null }));
  const empty: HybridContext = { environment, other, count: 0, topTitles: [], hybridChain: false, alerts: [], users };
  const keys = users.map((u) => u.key).slice(0, 200);
  if (!keys.length) return empty;
  const anchor = (opts.now ?? new Date(alert.last_seen)).getTime();
  if (Number.isNaN(anchor)) return empty;
  const since = new Date(anchor - CONTEXT_DAYS * DAY).toISOString();
  const rows = await db
    .selectFrom('alert_users as au')
    .innerJoin('alerts as a', 'a.id', 'au.alert_id')
    .select(['a.id', 'a.title', 'a.severity', 'a.type', 'a.first_seen', 'a.last_seen', 'au.user_key'])
    .where('au.user_key', 'in', keys)
    .where('au.environment', '=', other)
    .where('au.seen_at', '>=', since)
    .where('a.id', '!=', alert.id)
    .orderBy('au.seen_at', 'desc')
    .limit(opts.maxAlerts ?? 500)
    .execute();
  const byId = new Map<string, (typeof rows)[number]>();
  for (const r of rows) if (!byId.has(r.id)) byId.set(r.id, r);
  const list = [...byId.values()].sort((x, y) => SEVERITY_RANK[y.severity as Severity] - SEVERITY_RANK[x.severity as Severity] || (x.last_seen < y.last_seen ? 1 : x.last_seen > y.last_seen ? -1 : 0));
  const titles: string[] = [];
  for (const r of list) if (titles.length < (opts.topTitles ?? 3) && !titles.includes(r.title)) titles.push(r.title);
  // Chain: the two alerts' activity spans come within CHAIN_HOURS of each other.
  const aStart = new Date(alert.first_seen).getTime();
  const aEnd = new Date(alert.last_seen).getTime();
  const gap = CHAIN_HOURS * 3_600_000;
  const hybridChain = list.some((r) => new Date(r.last_seen).getTime() >= aStart - gap && new Date(r.first_seen).getTime() <= aEnd + gap);
  return {
    environment,
    other,
    count: list.length,
    topTitles: titles,
    hybridChain,
    alerts: list.slice(0, 10).map((r) => ({ id: r.id, title: r.title, severity: r.severity, type: r.type, lastSeen: r.last_seen, userKey: r.user_key })),
    users,
  };
}
