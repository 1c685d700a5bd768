import { sql, type Kysely } from 'kysely';
import type { Trx } from '../events';
import type { Schema } from '../store/schema';

type Db = Kysely<Schema> | Trx;

/**
 * The organisation's baseline: how rare a detection type is, from the 30 days BEFORE an alert's day.
 *
 *   a(type)      = Σ over those 30 days of min(users with the type that day, cap) — user-days,
 *                  cap = max(1, 2 × the median day): a one-day spray or one campaign hitting many
 *                  users at once adds at most `cap`, so it cannot make a type look common
 *   p            = a(type) / max(100, users with any alert in those 30 days): how often one user of
 *                  this organisation sets the type off in a month (the organisation counts as at least
 *                  100 users, so one user's history in a new or tiny deployment cannot make a type look
 *                  common; a baseline with data on fewer than 30 days is scaled up to 30)
 *   rarity       = log10(1/p) / log10(1/RARE_SHARE), clamped to [RARITY_FLOOR, 1]; never seen → 1
 *
 * While the baseline is young (alerts on fewer than LEARNING_DAYS of those 30 days) nothing counts as
 * more than half rare: a new deployment has not yet seen what is everyday noise (the products it reads
 * from learn for days to weeks before alerting too).
 *
 * And what a user does every week is their habit, not an attack: the rarity is multiplied by
 *   habit(n)     = 1 / (1 + n/3), n = days of those 30 on which THIS user already had the type
 * (a helpdesk account's daily reconnaissance, a traveller's weekly impossible travel fade; a first
 * time counts in full).
 *
 * An alert's rarity is fixed when it is recorded (alert_users.rarity_milli): the baseline ends the day
 * before, so alerts of other users arriving later — the same campaign hitting more people — never make
 * a victim look less risky, and a score moves only with the user's own alerts.
 */
export const BASELINE_DAYS = 30;
/** A type fewer than 1 in 1,000 users had in 30 days counts as fully rare. */
export const RARE_SHARE = 0.001;
export const RARITY_FLOOR = 0.1;
export const MIN_ORG_USERS = 100;
export const LEARNING_DAYS = 7;
export const LEARNING_CAP = 0.5;
const DAY = 86_400_000;

/**
 * Users who had the type in the baseline, each day capped at max(1, 2 × median day). `perDay` holds the
 * days the type was seen; `days` is how many days the baseline has data for (the others count as 0).
 */
export function robustUsers(perDay: readonly number[], days = BASELINE_DAYS): number {
  const values = [...perDay];
  while (values.length < days) values.push(0);
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length / 2;
  const median = !sorted.length ? 0 : sorted.length % 2 ? sorted[Math.floor(mid)] : (sorted[mid - 1] + sorted[mid]) / 2;
  const cap = Math.max(1, 2 * median);
  return values.reduce((s, n) => s + Math.min(Math.max(0, n), cap), 0);
}

/**
 * Rarity from the robust user count. A young baseline (data on fewer than 30 days) is scaled up to 30
 * days, and while it has fewer than LEARNING_DAYS days nothing counts as more than half rare.
 */
export function rarityFrom(typeUsers: number, orgUsers: number, daysWithData = BASELINE_DAYS): number {
  const cap = daysWithData < LEARNING_DAYS ? LEARNING_CAP : 1;
  if (typeUsers <= 0) return cap;
  const perMonth = (typeUsers * BASELINE_DAYS) / Math.max(1, Math.min(BASELINE_DAYS, daysWithData));
  const p = Math.min(1, perMonth / Math.max(MIN_ORG_USERS, orgUsers));
  const r = Math.log10(1 / p) / Math.log10(1 / RARE_SHARE);
  return Math.min(cap, Math.max(RARITY_FLOOR, r));
}

/** A type this user already had on n of the baseline days weighs 1 / (1 + n/3). */
export const habitOf = (n: number): number => 1 / (1 + Math.max(0, n) / 3);

export const dayOf = (iso: string): string => iso.slice(0, 10);
/** The UTC day of alert_users.seen_at (ISO text): the same SQL text in SELECT and GROUP BY, as PostgreSQL wants. */
const DAY_OF_SEEN = sql<string>`substr(seen_at, 1, 10)`;
const dayStart = (day: string) => `${day}T00:00:00.000Z`;
const shift = (day: string, days: number) => new Date(Date.parse(dayStart(day)) + days * DAY).toISOString().slice(0, 10);

/**
 * Baseline reads, cached per (day, type) in the process: the 30 days before a day do not change, so
 * each type costs one indexed query per day per instance (and the organisation's size one), never a
 * scan per alert. Days outside any sane range are rated 1 without a query.
 */
export class Baseline {
  private readonly rarities = new Map<string, number>();
  private readonly orgSize = new Map<string, { users: number; days: number }>();
  private readonly habits = new Map<string, Map<string, number>>();

  constructor(private readonly maxEntries = 20_000) {}

  /**
   * Rarity (0–1) of each (type, day) asked for, day = the alert's first-seen day (YYYY-MM-DD, UTC).
   * Whatever is not cached costs ONE grouped query for all pairs (per 200 types), whatever their days:
   * per (type, day seen) distinct users over the union of their windows, each pair keeping its 30 days.
   */
  async rarityOf(db: Db, wanted: ReadonlyArray<{ type: string; day: string }>): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    const missing = new Map<string, Set<string>>();
    for (const w of wanted) {
      const k = key(w.day, w.type);
      const hit = this.rarities.get(k);
      if (hit !== undefined) out.set(k, hit);
      else if (!/^\d{4}-\d{2}-\d{2}$/.test(w.day)) out.set(k, 1);
      else missing.set(w.day, (missing.get(w.day) ?? new Set()).add(w.type));
    }
    if (this.rarities.size > this.maxEntries) this.rarities.clear();
    if (!missing.size) return out;
    const days = [...missing.keys()].sort();
    const orgs = new Map<string, { users: number; days: number }>();
    for (const day of days) orgs.set(day, await this.org(db, day, dayStart(shift(day, -BASELINE_DAYS)), dayStart(day)));
    const list = [...new Set([...missing.values()].flatMap((ts) => [...ts]))];
    const seen = new Map<string, Array<{ day: string; n: number }>>();
    for (let i = 0; i < list.length; i += 200) {
      const rows = await db
        .selectFrom('alert_users')
        .select(['type', DAY_OF_SEEN.as('day'), (eb) => eb.fn.count<number>('user_key').distinct().as('n')])
        .where('type', 'in', list.slice(i, i + 200))
        .where('seen_at', '>=', dayStart(shift(days[0], -BASELINE_DAYS)))
        .where('seen_at', '<', dayStart(days[days.length - 1]))
        .groupBy(['type', DAY_OF_SEEN])
        .execute();
      for (const r of rows) seen.set(r.type, [...(seen.get(r.type) ?? []), { day: r.day, n: Number(r.n) }]);
    }
    for (const [day, types] of missing) {
      const from = shift(day, -BASELINE_DAYS);
      const org = orgs.get(day)!;
      for (const t of types) {
        const perDay = (seen.get(t) ?? []).filter((x) => x.day >= from && x.day < day).map((x) => x.n);
        const r = rarityFrom(robustUsers(perDay, org.days), org.users, org.days);
        this.rarities.set(key(day, t), r);
        out.set(key(day, t), r);
      }
    }
    return out;
  }

  /**
   * For one alert: on how many of the 30 days before `day` each of its users already had this type.
   * Read per (user, day) for all the user's types at once (the user index; a user has few rows) and
   * kept for the day, so a user's further alerts that day cost nothing.
   */
  async userDays(db: Db, users: readonly string[], type: string, day: string): Promise<Map<string, number>> {
    return (await this.userDaysMany(db, [{ users, type, day }]))[0];
  }

  /**
   * userDays for many alerts at once: the (user, day) pairs not cached cost one query per 1,000 users
   * (per user, type and day seen, over the union of the windows), each pair keeping its own 30 days.
   */
  async userDaysMany(db: Db, wanted: ReadonlyArray<{ users: readonly string[]; type: string; day: string }>): Promise<Array<Map<string, number>>> {
    const valid = (day: string) => /^\d{4}-\d{2}-\d{2}$/.test(day);
    const missing = new Map<string, { user: string; day: string }>();
    for (const w of wanted) {
      if (!w.users.length || !valid(w.day)) continue;
      for (const u of w.users.slice(0, 500)) if (!this.habits.has(key(w.day, u))) missing.set(key(w.day, u), { user: u, day: w.day });
    }
    if (this.habits.size > this.maxEntries) this.habits.clear();
    for (const k of missing.keys()) this.habits.set(k, new Map());
    if (missing.size) {
      const days = [...new Set([...missing.values()].map((m) => m.day))].sort();
      const users = [...new Set([...missing.values()].map((m) => m.user))];
      const byUser = new Map<string, Array<{ type: string; day: string }>>();
      for (let i = 0; i < users.length; i += 1000) {
        const rows = await db
          .selectFrom('alert_users')
          .select(['user_key', 'type', DAY_OF_SEEN.as('day')])
          .where('user_key', 'in', users.slice(i, i + 1000))
          .where('seen_at', '>=', dayStart(shift(days[0], -BASELINE_DAYS)))
          .where('seen_at', '<', dayStart(days[days.length - 1]))
          .groupBy(['user_key', 'type', DAY_OF_SEEN])
          .execute();
        for (const r of rows) byUser.set(r.user_key, [...(byUser.get(r.user_key) ?? []), { type: r.type, day: r.day }]);
      }
      for (const [k, m] of missing) {
        const from = shift(m.day, -BASELINE_DAYS);
        const habit = this.habits.get(k)!;
        for (const r of byUser.get(m.user) ?? []) if (r.day >= from && r.day < m.day) habit.set(r.type, (habit.get(r.type) ?? 0) + 1);
      }
    }
    return wanted.map((w) => {
      const out = new Map<string, number>();
      if (!w.users.length || !valid(w.day)) return out;
      for (const u of w.users) out.set(u, this.habits.get(key(w.day, u))?.get(w.type) ?? 0);
      return out;
    });
  }

  /** Users with any alert in the baseline days, and on how many of those days there was any alert at all. */
  private async org(db: Db, day: string, from: string, to: string): Promise<{ users: number; days: number }> {
    const hit = this.orgSize.get(day);
    if (hit !== undefined) return hit;
    const r = await db
      .selectFrom('alert_users')
      .select((eb) => [eb.fn.count<number>('user_key').distinct().as('users'), eb.fn.count<number>(DAY_OF_SEEN).distinct().as('days')])
      .where('seen_at', '>=', from)
      .where('seen_at', '<', to)
      .executeTakeFirst();
    const org = { users: Number(r?.users ?? 0), days: Number(r?.days ?? 0) };
    if (this.orgSize.size > 1000) this.orgSize.clear();
    this.orgSize.set(day, org);
    return org;
  }
}

export const key = (day: string, type: string): string => `${day}|${type}`;
