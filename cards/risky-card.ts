import { card, esc, facts, heading, text, type CardMessage, type Element } from './card';
import { chainText, type ChainView } from './risky-user-card';

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

export const num = (n: number): string => (Math.round(n * 10) / 10).toString();

export function nameOf(r: { displayName: string | null; upn: string | null; onPremAccount: string | null; key: string }): string {
  return r.displayName || r.upn || r.onPremAccount || r.key;
}

function badge(r: RiskyRow): string {
  if (r.qualifies && r.state === 'dismissed') return ' · dismissed';
  if (r.qualifies) return ' · **risky**';
  return '';
}

/** `risky`: top users by hybrid investigation priority, with the on-premises / cloud split. */
export function riskyCard(d: RiskyListData): CardMessage {
  const body: Element[] = [
    heading('Risky users'),
    text(`Hybrid investigation priority over the last ${d.windowDays} days · ${d.scoredUsers} scored users · risky: a sequence of attack steps scoring ${d.thresholds.minScore} or more (held until below ${d.thresholds.rearmScore}), or a full on-premises → cloud chain`, { isSubtle: true }),
  ];
  if (!d.rows.length) body.push(text('No user has alerts in the last 7 days.'));
  d.rows.forEach((r, i) => {
    const ids = [r.upn, r.onPremAccount].filter((x): x is string => !!x && x !== r.displayName).map((x) => esc(x, 80));
    const split = `on-premises ${num(r.onpremScore)} · cloud ${num(r.cloudScore)}`;
    const mcas = r.threatScore !== null ? ` · Cloud App Security threat score ${r.threatScore}` : '';
    const unresolved = r.resolution !== 'resolved' ? ` · ${esc(r.resolution, 20)} identity` : '';
    body.push({
      type: 'Container',
      separator: i > 0,
      spacing: 'Small',
      items: [
        {
          type: 'ColumnSet',
          columns: [
            { type: 'Column', width: 'stretch', items: [text(`**${i + 1}. ${esc(nameOf(r), 80)}**${badge(r)}`, { color: r.qualifies && r.state !== 'dismissed' ? 'Attention' : 'Default' }), ids.length ? text(ids.join(' · '), { isSubtle: true, spacing: 'None', size: 'Small' }) : null].filter(Boolean) },
            { type: 'Column', width: 'auto', items: [text(`**${num(r.score)}**`, { horizontalAlignment: 'Right' }), text(`${r.percentile}th pct`, { isSubtle: true, spacing: 'None', size: 'Small', horizontalAlignment: 'Right' })] },
          ],
        },
        text(`${split} · ${r.alertCount} alert${r.alertCount === 1 ? '' : 's'}${mcas}${unresolved}`, { isSubtle: true, size: 'Small', spacing: 'None' }),
        r.tactics?.length || r.chain ? text([r.tactics?.length ? r.tactics.slice(0, 6).map((t) => esc(t, 40)).join(' · ') : '', r.chain ? chainText(r.chain) : ''].filter(Boolean).join(' · '), { isSubtle: true, size: 'Small', spacing: 'None' }) : null,
      ].filter(Boolean),
    });
  });
  body.push(facts([['Details', 'Send `user <upn | DOMAIN\\sam | display name>` for one user\'s hybrid profile.']]));
  const risky = d.rows.filter((r) => r.qualifies && r.state !== 'dismissed').length;
  const summary = `Risky users: ${risky} risky of ${d.scoredUsers} scored`;
  return { card: card(body, { fallbackText: summary }), summary };
}
