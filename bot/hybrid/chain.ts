import type { Severity } from './alert';
import type { ScoredAlertInput } from './priority';
import type { Tactic } from './tactics';

/**
 * The hybrid chain: an on-premises credential-access or lateral-movement alert (primary tactic),
 * followed within CHAIN_HOURS by a cloud alert for the same identity — stolen on-premises credentials
 * used in the cloud. 48 h: long enough for an attacker who works in the next day's office hours, short
 * enough that a busy week's unrelated alerts of one user rarely pair up by chance.
 */
export const CHAIN_HOURS = 48;
/** The cloud alert may be stamped a little before the on-premises one (clock skew, reporting delay). */
export const CHAIN_SKEW_MS = 3_600_000;
export const CHAIN_START_TACTICS: readonly Tactic[] = ['CredentialAccess', 'LateralMovement'];

/**
 * How much each end says, 0–1; strength = their product.
 * - The on-premises end is the compromise itself, so its rarity decides: a type a quarter of the users
 *   or more show (an SMB brute force, a Kerberos brute force in a spray-prone tenant) says nothing,
 *   one at most a few in a hundred show says everything (ramp from rarity 0.3 to 0.65); severity
 *   trims a little (Microsoft rates overpass-the-hash "medium", yet it is the same step as pass-the-hash).
 * - The cloud end confirms the identity is used elsewhere: any cloud anomaly counts, by severity, and
 *   a rare one a bit more (0.6 + 0.4 × rarity).
 * So a chance pairing of common noise stays weak whatever the cloud alert, and a rare lateral movement
 * followed by any cloud anomaly is strong.
 */
export const ONPREM_END: Record<Severity, number> = { informational: 0.3, low: 0.6, medium: 0.85, high: 1 };
export const CLOUD_END: Record<Severity, number> = { informational: 0.3, low: 0.65, medium: 0.85, high: 1 };
export const RARITY_RAMP = [0.3, 0.65] as const;

const ramp = (r: number) => Math.min(1, Math.max(0, (r - RARITY_RAMP[0]) / (RARITY_RAMP[1] - RARITY_RAMP[0])));
export const onpremEnd = (a: Pick<ScoredAlertInput, 'severity' | 'rarity'>): number => ONPREM_END[a.severity] * ramp(a.rarity);
export const cloudEnd = (b: Pick<ScoredAlertInput, 'severity' | 'rarity'>): number => CLOUD_END[b.severity] * (0.6 + 0.4 * b.rarity);

export interface ChainEnd {
  alertId: string;
  title: string;
  type: string;
  tactic: Tactic | null;
  severity: Severity;
  at: string;
}

export interface ChainLink {
  onprem: ChainEnd;
  cloud: ChainEnd;
  /** Hours from the on-premises alert's first activity to the cloud alert's. */
  hours: number;
  /** 0–1, three decimals. */
  strength: number;
}

const end = (a: ScoredAlertInput): ChainEnd => ({ alertId: a.alertId, title: a.title, type: a.type, tactic: a.tactics[0] ?? null, severity: a.severity, at: a.firstSeen });

/** The strongest chain among these alerts (ties: the earliest), or null. */
export function chainOf(alerts: readonly ScoredAlertInput[]): ChainLink | null {
  const starts = alerts.filter((a) => a.environment === 'onprem' && a.tactics[0] && CHAIN_START_TACTICS.includes(a.tactics[0]));
  const clouds = alerts.filter((b) => b.environment === 'cloud');
  let best: { a: ScoredAlertInput; b: ScoredAlertInput; s: number } | null = null;
  for (const a of starts) {
    const from = Date.parse(a.firstSeen) - CHAIN_SKEW_MS;
    const to = Date.parse(a.seenAt) + CHAIN_HOURS * 3_600_000;
    const qa = onpremEnd(a);
    for (const b of clouds) {
      const t = Date.parse(b.firstSeen);
      if (!(t >= from && t <= to)) continue;
      const s = Math.round(qa * cloudEnd(b) * 1000) / 1000;
      if (!best || s > best.s) best = { a, b, s };
    }
  }
  if (!best || best.s <= 0) return null;
  const hours = Math.round(((Date.parse(best.b.firstSeen) - Date.parse(best.a.firstSeen)) / 3_600_000) * 10) / 10;
  return { onprem: end(best.a), cloud: end(best.b), hours, strength: best.s };
}
