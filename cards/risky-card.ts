import { plain, type CardMessage } from './card';
import { renderFitted } from './render';
import { chainText, tacticsText, type ChainView } from './risky-user-card';

export interface RiskyRow {
  key: string;
  displayName: string | null;
  upn: string | null;
  /** DOMAIN\sam when known. */
  onPremAccount: string | null;
  resolution: string;
  score: number;
  percentile: number;
  onpremScore: number;
  cloudScore: number;
  alertCount: number;
  /** Cloud App Security's own threatScore for the user, when a cloud alert carried one. */
  threatScore: number | null;
  /** Risky by the current evidence (or still held: risky until the score falls below the re-arm line). */
  qualifies: boolean;
  state: 'none' | 'risky' | 'dismissed';
  /** MITRE tactics the evidence spans (labels), strongest first. */
  tactics?: string[];
  chain?: ChainView | null;
}

export interface RiskyListData {
  rows: RiskyRow[];
  scoredUsers: number;
  thresholds: { minScore: number; rearmScore: number };
  windowDays: number;
  now: string;
}

/** cards/templates/risky.json. Each row opens the user's profile (`user.show`). */
export interface RiskyModel {
  windowDays: string;
  scoredUsers: string;
  minScore: string;
  rearmScore: string;
  rows: Array<{
    userKey: string;
    rank: string;
    name: string;
    /** "risky" | "dismissed" | "": the word people and scripts look for. */
    badge: string;
    color: string;
    ids: string;
    score: string;
    /** "97th pct" */
    pct: string;
    details: string;
    /** Tactics · the hybrid chain ('' when none). */
    explain: string;
  }>;
}

export const num = (n: number): string => (Math.round(n * 10) / 10).toString();

export function nameOf(r: { displayName: string | null; upn: string | null; onPremAccount: string | null; key: string }): string {
  return r.displayName || r.upn || r.onPremAccount || r.key;
}

export function riskyModel(d: RiskyListData, level = 0): RiskyModel {
  const max = [80, 50, 30][level];
  return {
    windowDays: String(d.windowDays),
    scoredUsers: String(d.scoredUsers),
    minScore: String(d.thresholds.minScore),
    rearmScore: String(d.thresholds.rearmScore),
    rows: d.rows.map((r, i) => {
      const ids = [r.upn, r.onPremAccount].filter((x): x is string => !!x && x !== r.displayName).map((x) => plain(x, max));
      const details = [`on-premises ${num(r.onpremScore)} · cloud ${num(r.cloudScore)} · ${r.alertCount} alert${r.alertCount === 1 ? '' : 's'}`];
      if (r.threatScore !== null) details.push(`Cloud App Security threat score ${r.threatScore}`);
      if (r.resolution !== 'resolved') details.push(`${plain(r.resolution, 20)} identity`);
      const badge = r.qualifies ? (r.state === 'dismissed' ? 'dismissed' : 'risky') : '';
      return {
        userKey: r.key,
        rank: String(i + 1),
        name: plain(nameOf(r), max),
        badge,
        color: badge === 'risky' ? 'Attention' : 'Default',
        ids: ids.join(' · '),
        score: num(r.score),
        pct: `${r.percentile}th pct`,
        details: details.join(' · '),
        explain: [r.tactics?.length ? tacticsText(r.tactics.slice(0, 6)) : '', r.chain ? chainText(r.chain) : ''].filter(Boolean).join(' · '),
      };
    }),
  };
}

/** `risky`: top users by hybrid investigation priority, with the on-premises / cloud split. */
export function riskyCard(d: RiskyListData): CardMessage {
  const risky = d.rows.filter((r) => r.qualifies && r.state !== 'dismissed').length;
  return renderFitted('risky', 3, (level) => riskyModel(d, level), { summary: `Risky users: ${risky} risky of ${d.scoredUsers} scored` });
}
