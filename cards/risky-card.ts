import { card, esc, facts, heading, text, type CardMessage, type Element } from './card';

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
  /** At or above both thresholds now. */
  qualifies: boolean;
  state: 'none' | 'risky' | 'dismissed';
}

export interface RiskyListData {
  rows: RiskyRow[];
  scoredUsers: number;
  thresholds: { percentile: number; minScore: number };
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
    text(`Hybrid investigation priority over the last ${d.windowDays} days · ${d.scoredUsers} scored users · risky at or above the ${d.thresholds.percentile}th percentile and score ${d.thresholds.minScore}`, { isSubtle: true }),
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
      ],
    });
  });
  body.push(facts([['Details', 'Send `user <upn | DOMAIN\\sam | display name>` for one user\'s hybrid profile.']]));
  const risky = d.rows.filter((r) => r.qualifies && r.state !== 'dismissed').length;
  const summary = `Risky users: ${risky} risky of ${d.scoredUsers} scored`;
  return { card: card(body, { fallbackText: summary }), summary };
}
