import type { RoleName } from '../directory/roles';
import type { AlertRow, Severity } from './alert';
import { chainOf, type ChainLink } from './chain';
import type { Tactic } from './tactics';

/**
 * Investigation priority (README "Investigation priority"): pure and deterministic. Every alert's
 * points are rounded to hundredths and scores are integer hundredths ("centi"), so SQLite, PostgreSQL
 * and JavaScript agree exactly. The model reads evidence, not volume:
 *
 *   base(type)   = severity weight × rarity of the type in the organisation (0.1–1)
 *   type         = base × (1 + ½ + ¼ + …) over the type's alerts: repeats add less and less, ≤ 1.5 × base
 *   tactic       = Σ types of that tactic, strongest first, each worth half the one before
 *   evidence     = Σ tactics × breadth (1 + ¼ per further tactic holding ≥ 2 points, up to 5 tactics)
 *   chain        = 50 × strength of the best on-premises credential-access / lateral-movement alert
 *                  followed within 48 h by a cloud alert for the same identity (bot/hybrid/chain.ts)
 *   score        = impact(roles) × (evidence + chain)
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

/** Repeats of one detection type: the n-th alert adds ½ⁿ of the first (1, ¼, ⅛, …); never more than 1.5× in all. */
export const repeatWeight = (i: number): number => (i === 0 ? 1 : 0.5 ** (i + 1));
/** Several types of one tactic: the j-th strongest counts ½ʲ (one attack step seen many ways is still one step). */
export const tacticDiscount = (j: number): number => 0.5 ** j;
/** A tactic widens the attack only with real evidence behind it (a medium alert of a type few users have, or better). */
export const BREADTH_FLOOR = 2;
export const BREADTH_STEP = 0.25;
export const BREADTH_MAX_TACTICS = 5;
export const CHAIN_POINTS = 50;
/** A full chain: a strong hybrid chain (on-prem → cloud) and evidence across at least three tactics. Always risky. */
export const FULL_CHAIN_STRENGTH = 0.25;
export const FULL_CHAIN_TACTICS = 3;

export const breadthOf = (tactics: number): number => 1 + BREADTH_STEP * Math.max(0, Math.min(tactics, BREADTH_MAX_TACTICS) - 1);

export interface ScoredAlertInput {
  alertId: string;
  environment: 'onprem' | 'cloud';
  severity: Severity;
  type: string;
  title: string;
  firstSeen: string;
  /** Last seen. */
  seenAt: string;
  /** MITRE tactics, the primary first; empty = not known. */
  tactics: readonly Tactic[];
  /** How rare the type was in the organisation before this alert (bot/hybrid/baseline.ts), 0–1. */
  rarity: number;
  threatScore?: number | null;
}

export interface Contribution extends ScoredAlertInput {
  /** Points this alert adds (its share of its type, tactic, breadth and chain), hundredths. */
  centi: number;
}

export interface TypeEvidence {
  type: string;
  title: string;
  environment: 'onprem' | 'cloud';
  tactic: Tactic | null;
  severity: Severity;
  count: number;
  rarity: number;
  lastSeen: string;
  /** Latest alert of this type (what a reason links to). */
  alertId: string;
  centi: number;
}

export interface TacticGroup {
  tactic: Tactic | null;
  centi: number;
  types: TypeEvidence[];
}

export interface UserScore {
  scoreCenti: number;
  onpremCenti: number;
  cloudCenti: number;
  alertCount: number;
  /** Distinct detection types: one type alone never makes a user risky, however many alerts. */
  typeCount: number;
  /** Every known tactic of the user's alerts, strongest first. */
  tactics: Tactic[];
  /** Tactics with ≥ BREADTH_FLOOR points (what the breadth factor counts). */
  breadth: number;
  groups: TacticGroup[];
  chain: ChainLink | null;
  chainCenti: number;
  fullChain: boolean;
  /** Sorted: biggest contribution first, then most recent, then id (deterministic). */
  contributions: Contribution[];
  /** Latest Cloud App Security threatScore seen on the user's cloud alerts in the window. */
  threatScore: number | null;
}

export function windowStart(now: Date): string {
  return new Date(now.getTime() - WINDOW_DAYS * 86_400_000).toISOString();
}

const SEV_RANK: Record<Severity, number> = { informational: 0, low: 1, medium: 2, high: 3 };
const byTime = (x: { firstSeen: string; alertId: string }, y: { firstSeen: string; alertId: string }) => (x.firstSeen < y.firstSeen ? -1 : x.firstSeen > y.firstSeen ? 1 : x.alertId < y.alertId ? -1 : x.alertId > y.alertId ? 1 : 0);

/** Score one user from their alerts in the window (each alert once: a re-trigger updates a row, never adds one). */
export function scoreUser(alerts: readonly ScoredAlertInput[], impact: number): UserScore {
  const unique = new Map<string, ScoredAlertInput>();
  for (const a of alerts) if (!unique.has(a.alertId)) unique.set(a.alertId, a);
  const list = [...unique.values()].sort(byTime);

  // 1. Per detection type: base × diminishing repeats.
  const byType = new Map<string, ScoredAlertInput[]>();
  for (const a of list) byType.set(a.type, [...(byType.get(a.type) ?? []), a]);
  const types = [...byType.entries()].map(([type, as]) => {
    const severity = as.reduce<Severity>((m, a) => (SEV_RANK[a.severity] > SEV_RANK[m] ? a.severity : m), as[0].severity);
    const rarity = Math.max(...as.map((a) => clamp01(a.rarity)));
    const base = SEVERITY_WEIGHT[severity] * rarity;
    const tactic = as.find((a) => a.tactics.length)?.tactics[0] ?? null;
    const latest = as.reduce((m, a) => (a.seenAt > m.seenAt || (a.seenAt === m.seenAt && a.alertId > m.alertId) ? a : m), as[0]);
    return { type, alerts: as, severity, rarity, base, tactic, value: base * as.reduce((s, _a, i) => s + repeatWeight(i), 0), latest };
  });

  // 2. Per tactic: strongest type first, each further type discounted.
  const byTactic = new Map<string, typeof types>();
  for (const t of types) byTactic.set(t.tactic ?? '', [...(byTactic.get(t.tactic ?? '') ?? []), t]);
  const tacticValue = new Map<string, number>();
  const discount = new Map<string, number>();
  for (const [k, ts] of byTactic) {
    ts.sort((x, y) => y.value - x.value || (x.type < y.type ? -1 : 1));
    ts.forEach((t, j) => discount.set(t.type, tacticDiscount(j)));
    tacticValue.set(k, ts.reduce((s, t, j) => s + t.value * tacticDiscount(j), 0));
  }
  const breadth = [...tacticValue.entries()].filter(([k, v]) => k && v >= BREADTH_FLOOR).length;
  const factor = breadthOf(breadth);

  // 3. The hybrid chain.
  const chain = chainOf(list);
  const chainPoints = chain ? CHAIN_POINTS * chain.strength : 0;

  // 4. Points per alert, so each alert shows what it adds and the score is exactly their sum: the exact
  // total is rounded once (monotone in evidence), then shared out in whole hundredths (largest remainder).
  const exact = new Map<string, number>();
  for (const t of types) t.alerts.forEach((a, i) => exact.set(a.alertId, impact * factor * t.base * repeatWeight(i) * discount.get(t.type)! * 100));
  if (chain) for (const id of [chain.onprem.alertId, chain.cloud.alertId]) exact.set(id, (exact.get(id) ?? 0) + (impact * chainPoints * 100) / 2);
  const centiOf = shareOut(exact);
  const contributions: Contribution[] = list.map((a) => ({ ...a, centi: centiOf.get(a.alertId) ?? 0 }));
  contributions.sort((x, y) => y.centi - x.centi || (x.seenAt < y.seenAt ? 1 : x.seenAt > y.seenAt ? -1 : 0) || (x.alertId < y.alertId ? -1 : 1));

  const groups: TacticGroup[] = [...byTactic.entries()]
    .map(([k, ts]) => {
      const evidence: TypeEvidence[] = ts.map((t) => ({
        type: t.type,
        title: t.latest.title,
        environment: t.latest.environment,
        tactic: t.tactic,
        severity: t.severity,
        count: t.alerts.length,
        rarity: Math.round(t.rarity * 1000) / 1000,
        lastSeen: t.latest.seenAt,
        alertId: t.latest.alertId,
        centi: t.alerts.reduce((s, a) => s + (centiOf.get(a.alertId) ?? 0), 0),
      }));
      return { tactic: (k || null) as Tactic | null, centi: evidence.reduce((s, e) => s + e.centi, 0), types: evidence };
    })
    .sort((x, y) => y.centi - x.centi || (x.tactic === null ? 1 : y.tactic === null ? -1 : x.tactic < y.tactic ? -1 : 1));

  const knownTactics = new Set(list.flatMap((a) => (a.tactics[0] ? [a.tactics[0]] : [])));
  const sum = (env?: 'onprem' | 'cloud') => contributions.filter((c) => !env || c.environment === env).reduce((s, c) => s + c.centi, 0);
  const cloud = contributions.filter((c) => c.environment === 'cloud' && c.threatScore !== null && c.threatScore !== undefined).sort((x, y) => (x.seenAt < y.seenAt ? 1 : -1));
  return {
    scoreCenti: sum(),
    onpremCenti: sum('onprem'),
    cloudCenti: sum('cloud'),
    alertCount: list.length,
    typeCount: types.length,
    tactics: groups.flatMap((g) => (g.tactic ? [g.tactic] : [])),
    breadth,
    groups,
    chain,
    chainCenti: chain ? Math.round(impact * chainPoints * 100) : 0,
    fullChain: !!chain && chain.strength >= FULL_CHAIN_STRENGTH && knownTactics.size >= FULL_CHAIN_TACTICS,
    contributions,
    threatScore: cloud[0]?.threatScore ?? null,
  };
}

/** Round the total once, then give each part its floor plus one hundredth for the largest remainders. */
function shareOut(exact: Map<string, number>): Map<string, number> {
  const total = Math.round([...exact.values()].reduce((s, v) => s + v, 0) + 1e-9);
  const parts = [...exact.entries()].map(([id, v]) => ({ id, floor: Math.floor(v + 1e-9), rest: v - Math.floor(v + 1e-9) }));
  let left = total - parts.reduce((s, p) => s + p.floor, 0);
  const out = new Map(parts.map((p) => [p.id, p.floor]));
  for (const p of [...parts].sort((x, y) => y.rest - x.rest || (x.id < y.id ? -1 : 1))) {
    if (left <= 0) break;
    out.set(p.id, out.get(p.id)! + 1);
    left--;
  }
  return out;
}

const clamp01 = (n: number) => (Number.isFinite(n) ? Math.min(1, Math.max(0, n)) : 1);

/**
 * Percentile rank among scored users (score > 0): the share whose score is at or below this one, in
 * whole percent (rounded down). Context only: it never decides whether a user is risky.
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

export const fromCenti = (c: number): number => Math.round(c) / 100;

const NOT_COUNTED = new Set(['benign', 'falsePositive', 'dismissed']);

/** Closed as benign, false positive or dismissed: the alert no longer says anything about the user. */
export function alertCounts(a: Pick<AlertRow, 'status' | 'resolution'>): number {
  return a.status === 'closed' && NOT_COUNTED.has(a.resolution ?? '') ? 0 : 1;
}
