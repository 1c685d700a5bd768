import type { RoleName } from '../directory/roles';
import type { AlertRow, Severity } from './alert';

/**
 * Investigation priority: Hybridwatch's own, documented formula (README "Investigation priority").
 * Pure and deterministic: every number is rounded to hundredths per alert, and scores are kept as
 * integer hundredths ("centi") so SQLite, PostgreSQL and JavaScript agree exactly.
 *
 *   score(user) = Σ over the user's alerts whose last_seen is within the last 7 days
 *                 round2( severityWeight × impact(user) × rarity(type) )
 */
export const WINDOW_DAYS = 7;

export const SEVERITY_WEIGHT: Record<Severity, number> = { informational: 0.5, low: 2, medium: 5, high: 10 };

/** Privileged users matter more: a compromised Global Administrator is a compromised tenant. */
export const ROLE_IMPACT: Record<RoleName, number> = {
  'Global Administrator': 2,
  'Security Administrator': 1.5,
  'Cloud App Security Administrator': 1.5,
  'Security Operator': 1.25,
  'Security Reader': 1.25,
  'Global Reader': 1.25,
};

/** The highest impact among the user's roles; 1 with no role or when roles are unknown (fail soft). */
export function impactOf(roles: readonly RoleName[]): number {
  return roles.reduce((m, r) => Math.max(m, ROLE_IMPACT[r] ?? 1), 1);
}

/**
 * Alert types seen for many users weigh less: 1 for a type only this user has, 0.5 when ten users
 * have it, a third at a hundred. n = distinct users with an alert of this type in the window.
 */
export function rarityOf(usersWithType: number): number {
  return 1 / (1 + Math.log10(Math.max(1, usersWithType)));
}

/** One alert's contribution in hundredths. */
export function contributionCenti(severity: Severity, impact: number, usersWithType: number): number {
  return Math.round(SEVERITY_WEIGHT[severity] * impact * rarityOf(usersWithType) * 100);
}

export interface ScoredAlertInput {
  alertId: string;
  environment: 'onprem' | 'cloud';
  severity: Severity;
  type: string;
  title: string;
  seenAt: string;
  /** Distinct users with this alert type in the window (this user included). */
  usersWithType: number;
  threatScore?: number | null;
}

export interface Contribution extends Omit<ScoredAlertInput, 'usersWithType'> {
  centi: number;
  rarity: number;
}

export interface UserScore {
  scoreCenti: number;
  onpremCenti: number;
  cloudCenti: number;
  alertCount: number;
  /** Sorted: biggest contribution first, then most recent, then id (deterministic). */
  contributions: Contribution[];
  /** Latest Cloud App Security threatScore seen on the user's cloud alerts in the window. */
  threatScore: number | null;
}

export function windowStart(now: Date): string {
  return new Date(now.getTime() - WINDOW_DAYS * 86_400_000).toISOString();
}

/** Score one user from their alerts (each alert once: a re-trigger updates a row, never adds one). */
export function scoreUser(alerts: readonly ScoredAlertInput[], impact: number): UserScore {
  const seen = new Set<string>();
  const contributions: Contribution[] = [];
  for (const a of alerts) {
    if (seen.has(a.alertId)) continue;
    seen.add(a.alertId);
    const { usersWithType, ...rest } = a;
    contributions.push({ ...rest, rarity: Math.round(rarityOf(usersWithType) * 1000) / 1000, centi: contributionCenti(a.severity, impact, usersWithType) });
  }
  contributions.sort((x, y) => y.centi - x.centi || (x.seenAt < y.seenAt ? 1 : x.seenAt > y.seenAt ? -1 : 0) || (x.alertId < y.alertId ? -1 : 1));
  const sum = (env?: 'onprem' | 'cloud') => contributions.filter((c) => !env || c.environment === env).reduce((s, c) => s + c.centi, 0);
  const cloud = contributions.filter((c) => c.environment === 'cloud' && c.threatScore !== null && c.threatScore !== undefined).sort((x, y) => (x.seenAt < y.seenAt ? 1 : -1));
  return { scoreCenti: sum(), onpremCenti: sum('onprem'), cloudCenti: sum('cloud'), alertCount: contributions.length, contributions, threatScore: cloud[0]?.threatScore ?? null };
}

/**
 * Percentile rank among scored users (score > 0): the share whose score is at or below this one, in
 * whole percent (rounded down). A user with no score is at 0.
 */
export function percentileOf(scoreCenti: number, allScoresCenti: readonly number[]): number {
  if (scoreCenti <= 0) return 0;
  const scored = allScoresCenti.filter((s) => s > 0);
  if (scored.length === 0) return 100;
  const atOrBelow = scored.filter((s) => s <= scoreCenti).length;
  return Math.floor((100 * atOrBelow) / scored.length);
}

/** Same rank from counts (what the database answers cheaply). */
export function percentileFromCounts(atOrBelow: number, scored: number): number {
  return scored <= 0 ? 0 : Math.floor((100 * Math.min(atOrBelow, scored)) / scored);
}

export interface RiskyConfig {
  percentile: number;
  minScore: number;
}

/** Risky: at or above the configured percentile AND at or above the minimum score. */
export function qualifiesAsRisky(scoreCenti: number, percentile: number, cfg: RiskyConfig): boolean {
  return scoreCenti > 0 && percentile >= cfg.percentile && scoreCenti >= cfg.minScore * 100;
}

export interface RiskReason {
  alertId: string;
  environment: 'onprem' | 'cloud';
  title: string;
  type: string;
  severity: Severity;
  seenAt: string;
  /** Points this alert adds to the score. */
  points: number;
}

/**
 * The top contributing alerts, and always the top one from each environment present, so a hybrid
 * user's reasons show both sides.
 */
export function topReasons(contributions: readonly Contribution[], max = 5): RiskReason[] {
  const picked = contributions.slice(0, max);
  for (const env of ['onprem', 'cloud'] as const) {
    if (picked.some((c) => c.environment === env)) continue;
    const best = contributions.find((c) => c.environment === env);
    if (!best) continue;
    if (picked.length >= max) picked.pop();
    picked.push(best);
  }
  return picked.map((c) => ({ alertId: c.alertId, environment: c.environment, title: c.title, type: c.type, severity: c.severity, seenAt: c.seenAt, points: c.centi / 100 }));
}

export const fromCenti = (c: number): number => Math.round(c) / 100;

const NOT_COUNTED = new Set(['benign', 'falsePositive', 'dismissed']);

/** Closed as benign, false positive or dismissed: the alert no longer says anything about the user. */
export function alertCounts(a: Pick<AlertRow, 'status' | 'resolution'>): number {
  return a.status === 'closed' && NOT_COUNTED.has(a.resolution ?? '') ? 0 : 1;
}
