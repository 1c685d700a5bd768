import type { Kysely } from 'kysely';
import type { AlertsListData } from '../../cards/alerts-card';
import type { RiskyListData, RiskyRow } from '../../cards/risky-card';
import type { TimelineItem, UserProfileData } from '../../cards/user-card';
import type { Directory, DirectoryUser } from '../directory/directory';
import type { Ledger } from './ledger';
import type { Schema, UserScoresTable } from '../store/schema';
import { hybridContext } from './hybrid-context';
import { fallbackKey, type IdentityResolver } from './identity-resolver';
import { percentileOf, windowStart, WINDOW_DAYS, type UserScore } from './priority';
import type { PriorityService } from './priority-service';
import { chainView, groupReasons, tacticLabels } from './risk-view';
import { flaggedNow, qualifiesAsRisky, topReasons, type RiskyConfig } from './risky';

export interface ViewDeps {
  db: Kysely<Schema>;
  priority: PriorityService;
  resolver: IdentityResolver;
  directory: Directory;
  ledger: Ledger;
  risky: RiskyConfig;
}

export interface Scored {
  key: string;
  score: UserScore;
  percentile: number;
  stored?: UserScoresTable;
}

/** "CONTOSO\jdoe" from sam + DNS domain (NetBIOS name = first label, the AD default). */
export function onPremAccount(sam: string | null | undefined, domain: string | null | undefined): string | null {
  if (!sam) return null;
  return domain ? `${domain.split('.')[0].toUpperCase()}\\${sam}` : sam;
}

/**
 * Current scores of everyone with alerts in the window, computed at read time (so 8 days later old
 * alerts are gone even before the hourly sweep); impact is the last one stored for each user.
 */
export async function snapshot(d: ViewDeps, now: Date): Promise<Scored[]> {
  const keys = (await d.db.selectFrom('alert_users').select('user_key').distinct().where('seen_at', '>=', windowStart(now)).where('counts', '=', 1).execute()).map((r) => r.user_key);
  const stored = await d.priority.stored(d.db, keys);
  const scores = await d.priority.compute(d.db, keys, new Map(keys.map((k) => [k, stored.get(k)?.impact_centi ?? 100])), now);
  const all = [...scores.values()].map((s) => s.scoreCenti);
  return keys
    .map((k) => ({ key: k, score: scores.get(k)!, percentile: percentileOf(scores.get(k)!.scoreCenti, all), stored: stored.get(k) }))
    .filter((s) => s.score.scoreCenti > 0)
    .sort((a, b) => b.score.scoreCenti - a.score.scoreCenti || (a.key < b.key ? -1 : 1));
}

export async function riskyData(d: ViewDeps, now: Date, limit = 10): Promise<RiskyListData> {
  const all = await snapshot(d, now);
  const rows: RiskyRow[] = all.slice(0, limit).map((s) => ({
    key: s.key,
    displayName: s.stored?.display_name ?? null,
    upn: s.stored?.upn ?? null,
    onPremAccount: onPremAccount(s.stored?.sam, s.stored?.domain),
    resolution: s.stored?.resolution ?? 'unresolved',
    score: s.score.scoreCenti / 100,
    percentile: s.percentile,
    onpremScore: s.score.onpremCenti / 100,
    cloudScore: s.score.cloudCenti / 100,
    alertCount: s.score.alertCount,
    threatScore: s.score.threatScore ?? s.stored?.threat_score ?? null,
    qualifies: flaggedNow(s.stored?.risky_state, s.score, d.risky),
    state: s.stored?.risky_state ?? 'none',
    tactics: tacticLabels(s.score.tactics),
    chain: chainView(s.score.chain, s.score.fullChain),
  }));
  return { rows, scoredUsers: all.length, thresholds: { ...d.risky }, windowDays: WINDOW_DAYS, now: now.toISOString() };
}

export type FindResult = { key: string; directoryUser?: DirectoryUser; note?: string } | { key: null; candidates: DirectoryUser[]; message: string };

/** `user <upn | DOMAIN\sam | display name>` → a user key; ambiguous names are never guessed. */
export async function findUser(d: ViewDeps, query: string): Promise<FindResult> {
  const q = query.trim();
  if (/^(aad|onprem|cloud):/i.test(q)) return { key: q.toLowerCase().startsWith('aad:') ? q.toLowerCase() : q };
  const { user, candidates } = await d.resolver.lookup({ raw: q, key: '' });
  if (user.resolution === 'resolved') return { key: user.key, directoryUser: candidates[0] };
  // Not exactly one directory user: an on-premises-only account seen in alerts may still match.
  const lower = q.toLowerCase();
  const sam = lower.includes('\\') ? lower.split('\\').pop()! : lower;
  const local = await d.db
    .selectFrom('user_scores')
    .selectAll()
    .where((eb) => eb.or([eb('user_key', '=', fallbackKey({ raw: q, key: '' })), eb(eb.fn('lower', ['display_name']), '=', lower), eb(eb.fn('lower', ['upn']), '=', lower), eb(eb.fn('lower', ['sam']), '=', sam)]))
    .where('user_key', 'not like', 'aad:%')
    .limit(5)
    .execute();
  if (local.length === 1) return { key: local[0].user_key, note: user.note ?? undefined };
  if (user.resolution === 'ambiguous') {
    return { key: null, candidates, message: `${user.note}. Which one? Ask with the UPN: ${candidates.map((c) => `\`user ${c.userPrincipalName}\``).join(', ')}.` };
  }
  return { key: null, candidates: [], message: `No user matches that name in the directory or in the alerts (${user.note ?? 'not found'}). Try a UPN (jdoe@contoso.com), DOMAIN\\sam or the exact display name.` };
}

async function timeline(d: ViewDeps, key: string, environment: 'onprem' | 'cloud', points: Map<string, number>): Promise<TimelineItem[]> {
  const rows = await d.db
    .selectFrom('alert_users as au')
    .innerJoin('alerts as a', 'a.id', 'au.alert_id')
    .select(['a.id', 'a.title', 'a.severity', 'a.status', 'a.first_seen', 'a.last_seen', 'a.trigger_count'])
    .where('au.user_key', '=', key)
    .where('au.environment', '=', environment)
    .orderBy('a.last_seen', 'desc')
    .limit(10)
    .execute();
  return rows.map((r) => ({ id: r.id, title: r.title, severity: r.severity, status: r.status, firstSeen: r.first_seen, lastSeen: r.last_seen, triggerCount: Number(r.trigger_count), points: (points.get(r.id) ?? 0) / 100 }));
}

export interface ProfileOptions {
  interactive: boolean;
  directoryUser?: DirectoryUser;
  notice?: string;
  noticeTone?: UserProfileData['noticeTone'];
  /** Identity response (issue 15): Entra ID Protection's view, what was done, the buttons. */
  response?: UserProfileData['response'];
  /** A snapshot the caller already took at `now` (several profiles at once need it once). */
  all?: Scored[];
}

export async function profileData(d: ViewDeps, key: string, now: Date, opts: ProfileOptions): Promise<UserProfileData> {
  const all = opts.all ?? (await snapshot(d, now));
  const mine = all.find((s) => s.key === key);
  const stored = mine?.stored ?? (await d.priority.stored(d.db, [key])).get(key);
  const score: UserScore = mine?.score ?? { scoreCenti: 0, onpremCenti: 0, cloudCenti: 0, alertCount: 0, typeCount: 0, tactics: [], breadth: 0, groups: [], chain: null, chainCenti: 0, fullChain: false, contributions: [], threatScore: null };
  const points = new Map(score.contributions.map((c) => [c.alertId, c.centi]));
  const [onprem, cloud, open, history] = await Promise.all([
    timeline(d, key, 'onprem', points),
    timeline(d, key, 'cloud', points),
    // Driven by the user's own rows (EXISTS): as a join SQLite's planner scanned every open alert instead.
    d.db
      .selectFrom('alert_users as au')
      .select((eb) => eb.fn.count<number>('au.alert_id').distinct().as('n'))
      .where('au.user_key', '=', key)
      .where((eb) => eb.exists(eb.selectFrom('alerts as a').select('a.id').whereRef('a.id', '=', 'au.alert_id').where('a.status', '=', 'open')))
      .executeTakeFirst(),
    d.db.selectFrom('score_history').selectAll().where('user_key', '=', key).orderBy('at', 'desc').limit(8).execute(),
  ]);
  const du = opts.directoryUser;
  const percentile = mine?.percentile ?? 0;
  let roles: string[] = [];
  try {
    roles = JSON.parse(stored?.roles ?? '[]');
  } catch {
    roles = [];
  }
  return {
    key,
    displayName: stored?.display_name ?? du?.displayName ?? null,
    upn: stored?.upn ?? du?.userPrincipalName ?? null,
    onPremAccount: onPremAccount(stored?.sam ?? du?.onPremisesSamAccountName, stored?.domain ?? du?.onPremisesDomainName),
    resolution: stored?.resolution ?? (du ? 'resolved' : 'unresolved'),
    note: stored?.resolution === 'resolved' ? null : stored?.note ?? null,
    roles,
    impact: (stored?.impact_centi ?? 100) / 100,
    score: score.scoreCenti / 100,
    percentile,
    onpremScore: score.onpremCenti / 100,
    cloudScore: score.cloudCenti / 100,
    threatScore: score.threatScore ?? stored?.threat_score ?? null,
    qualifies: qualifiesAsRisky(score, d.risky),
    // The stored state moves on events and the hourly sweep; what the reader sees follows the evidence now.
    state: flaggedNow(stored?.risky_state, score, d.risky) ? stored?.risky_state ?? 'none' : 'none',
    tactics: tacticLabels(score.tactics),
    chain: chainView(score.chain, score.fullChain),
    groups: groupReasons(topReasons(score)),
    riskySince: stored?.risky_since ?? null,
    dismissed: stored?.dismissed_at ? { byName: stored.dismissed_by_name ?? 'someone', at: stored.dismissed_at } : null,
    onprem,
    cloud,
    history: history.map((h) => ({ at: h.at, score: Number(h.score_centi) / 100, percentile: Number(h.percentile) })),
    openAlerts: Number(open?.n ?? 0),
    thresholds: { ...d.risky },
    windowDays: WINDOW_DAYS,
    now: now.toISOString(),
    interactive: opts.interactive,
    notice: opts.notice,
    noticeTone: opts.noticeTone,
    response: opts.response ?? null,
  };
}

export async function alertsData(d: ViewDeps, now: Date, limit = 10): Promise<AlertsListData> {
  const [alerts, counts] = await Promise.all([d.ledger.latestOpen(limit), d.ledger.counts()]);
  const items = [];
  for (const a of alerts) {
    const ctx = await hybridContext(d.db, a);
    items.push({
      id: a.id,
      title: a.title,
      severity: a.severity,
      source: a.source,
      users: a.users.map((u) => u.displayName ?? u.raw),
      lastSeen: a.last_seen,
      triggerCount: a.trigger_count,
      hybridChain: ctx.hybridChain,
      otherCount: ctx.count,
    });
  }
  return { items, openTotal: counts.open, now: now.toISOString() };
}
