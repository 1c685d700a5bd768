import type { Severity } from './alert';
import type { ChainLink } from './chain';
import type { UserScore } from './priority';
import type { Tactic } from './tactics';

/**
 * When a user is risky (README "Risky users"). Absolute, per user: nobody else's alerts can flip a
 * user in or out (the percentile is shown, never used here). A user is risky on a SEQUENCE, never on
 * one step however loud:
 *   sequence   = ≥ 2 detection types AND (a hybrid chain OR real evidence in ≥ 2 tactics)
 *   qualifies  = ≥ 2 types AND (a full chain OR (a sequence AND score ≥ RISKY_MIN_SCORE))
 *   stays      = ≥ 2 types AND (a full chain OR (a sequence AND score ≥ RISKY_REARM_SCORE))
 * Announced once on crossing in; held while it stays (no re-announcement, no silent drop while the
 * evidence stands); re-armed only after falling below RISKY_REARM_SCORE.
 */
export interface RiskyConfig {
  minScore: number;
  rearmScore: number;
}

export type RiskyState = 'none' | 'risky' | 'dismissed';
type Evidence = Pick<UserScore, 'scoreCenti' | 'typeCount' | 'fullChain' | 'breadth' | 'chain'>;

/** Two or more detection types, and either an on-premises → cloud chain or real evidence in two tactics. */
export function isSequence(s: Evidence): boolean {
  return s.typeCount >= 2 && (s.chain !== null || s.breadth >= 2);
}

export function qualifiesAsRisky(s: Evidence, cfg: RiskyConfig): boolean {
  return s.typeCount >= 2 && (s.fullChain || (isSequence(s) && s.scoreCenti >= cfg.minScore * 100));
}

export function staysRisky(s: Evidence, cfg: RiskyConfig): boolean {
  return s.typeCount >= 2 && (s.fullChain || (isSequence(s) && s.scoreCenti >= cfg.rearmScore * 100));
}

/**
 * The risky state after a rescore. `types` are the user's detection types now; `dismissedTypes` those
 * they had when the SOC dismissed them: a dismissed user comes back only on genuinely new evidence (a
 * new alert of a type not seen at dismissal), or after re-arming.
 */
export function nextRiskyState(
  prev: { state: RiskyState; dismissedTypes: readonly string[] | null },
  s: Evidence & { types: readonly string[] },
  cause: string,
  cfg: RiskyConfig,
): { state: RiskyState; fire: boolean } {
  const qualifies = qualifiesAsRisky(s, cfg);
  const stays = staysRisky(s, cfg);
  switch (prev.state) {
    case 'none':
      return qualifies ? { state: 'risky', fire: true } : { state: 'none', fire: false };
    case 'risky':
      return stays ? { state: 'risky', fire: false } : { state: 'none', fire: false };
    case 'dismissed': {
      if (!stays) return { state: 'none', fire: false };
      const seen = new Set(prev.dismissedTypes ?? []);
      const newEvidence = cause === 'alert.new' && s.types.some((t) => !seen.has(t));
      return qualifies && newEvidence ? { state: 'risky', fire: true } : { state: 'dismissed', fire: false };
    }
  }
}

/** What the risky list and profile show now: flagged by the current evidence, or held by hysteresis. */
export function flaggedNow(stored: RiskyState | undefined, s: Evidence, cfg: RiskyConfig): boolean {
  return qualifiesAsRisky(s, cfg) || (stored !== undefined && stored !== 'none' && staysRisky(s, cfg));
}

export interface RiskReason {
  alertId: string;
  environment: 'onprem' | 'cloud';
  title: string;
  type: string;
  tactic: Tactic | null;
  severity: Severity;
  /** Alerts of this detection type in the window. */
  count: number;
  seenAt: string;
  /** Points this detection type adds to the score. */
  points: number;
}

/**
 * One reason per detection type, strongest first, and always the strongest from each environment
 * present, so a hybrid user's reasons show both sides.
 */
export function topReasons(s: Pick<UserScore, 'groups'>, max = 8): RiskReason[] {
  const all = s.groups
    .flatMap((g) => g.types)
    .sort((x, y) => y.centi - x.centi || (x.lastSeen < y.lastSeen ? 1 : x.lastSeen > y.lastSeen ? -1 : 0) || (x.type < y.type ? -1 : 1));
  const picked = all.slice(0, max);
  for (const env of ['onprem', 'cloud'] as const) {
    if (picked.some((c) => c.environment === env)) continue;
    const best = all.find((c) => c.environment === env);
    if (!best) continue;
    if (picked.length >= max) picked.pop();
    picked.push(best);
  }
  return picked.map((c) => ({ alertId: c.alertId, environment: c.environment, title: c.title, type: c.type, tactic: c.tactic, severity: c.severity, count: c.count, seenAt: c.lastSeen, points: c.centi / 100 }));
}

/** The explanation a card shows: tactics seen, the chain, and the reasons grouped by tactic. */
export interface RiskExplanation {
  tactics: Tactic[];
  chain: ChainLink | null;
  fullChain: boolean;
  /** 'fullChain' | 'score': why the user qualified (null when they do not). */
  qualifiedBy: 'fullChain' | 'score' | null;
  typeCount: number;
  reasons: RiskReason[];
}

export function explain(s: UserScore, cfg: RiskyConfig, max = 8): RiskExplanation {
  const q = qualifiesAsRisky(s, cfg);
  return { tactics: s.tactics, chain: s.chain, fullChain: s.fullChain, qualifiedBy: !q ? null : s.fullChain ? 'fullChain' : 'score', typeCount: s.typeCount, reasons: topReasons(s, max) };
}
