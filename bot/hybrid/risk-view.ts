import type { ChainView, ReasonGroupView, RiskyReason } from '../../cards/risky-user-card';
import type { ChainLink } from './chain';
import type { RiskReason } from './risky';
import { TACTIC_LABEL, isTactic } from './tactics';

/**
 * The model's explanation in the shape cards take (cards stay pure and know nothing of the model).
 * Tolerant of stored JSON from older rows or payloads: unknown fields are ignored, missing ones empty.
 */
export const tacticLabel = (t: unknown): string => (isTactic(t) ? TACTIC_LABEL[t] : 'No known tactic');

export function reasonText(r: Partial<Pick<RiskReason, 'severity' | 'title' | 'count' | 'points'>>): string {
  const times = typeof r.count === 'number' && r.count > 1 ? ` ×${r.count}` : '';
  const pts = typeof r.points === 'number' ? ` (+${Math.round(r.points * 10) / 10})` : '';
  return `${r.severity ? `${r.severity}: ` : ''}${r.title ?? 'alert'}${times}${pts}`;
}

const sourceOf = (env: unknown): RiskyReason['source'] => (env === 'cloud' ? 'cloud' : env === 'onprem' ? 'onprem' : 'both');

/** Reasons grouped by tactic, in the order the reasons come (strongest first). */
export function groupReasons(reasons: ReadonlyArray<Partial<RiskReason>>): ReasonGroupView[] {
  const groups: ReasonGroupView[] = [];
  for (const r of reasons.slice(0, 20)) {
    const label = tacticLabel(r.tactic);
    let g = groups.find((x) => x.tactic === label);
    if (!g) groups.push((g = { tactic: label, reasons: [] }));
    g.reasons.push({ source: sourceOf(r.environment), text: reasonText(r) });
  }
  return groups;
}

export function chainView(c: Partial<ChainLink> | null | undefined, full: boolean): ChainView | null {
  if (!c || !c.onprem || !c.cloud) return null;
  return { onprem: String(c.onprem.title ?? 'on-premises alert'), cloud: String(c.cloud.title ?? 'cloud alert'), hours: Number(c.hours ?? 0), full };
}

export const tacticLabels = (ts: unknown): string[] => (Array.isArray(ts) ? ts.filter(isTactic).map((t) => TACTIC_LABEL[t]) : []);

export function parseJson<T>(s: string | null | undefined, fallback: T): T {
  try {
    return s ? (JSON.parse(s) as T) : fallback;
  } catch {
    return fallback;
  }
}
