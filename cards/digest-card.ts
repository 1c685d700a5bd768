import { card, esc, facts, heading, text, when, type CardMessage, type Element } from './card';

export interface DigestCardInput {
  windowStart: string;
  windowEnd: string;
  total: number;
  bySeverity: Record<string, number>;
  byType: Array<[string, number]>;
  topUsers: Array<[string, number]>;
  updatedAt: string;
}

const ORDER = ['high', 'medium', 'low', 'informational'];

/** When a conversation would get more than its per-minute card budget, the rest of the minute lands here. */
export function digestCard(d: DigestCardInput): CardMessage {
  const sev = ORDER.filter((s) => d.bySeverity[s]).map((s) => `${d.bySeverity[s]} ${s}`).join(', ') || 'none';
  const body: Element[] = [
    heading(`${d.total} more alert${d.total === 1 ? '' : 's'} (digest)`, { size: 'Medium' }),
    text(`Between ${when(d.windowStart)} and ${when(d.windowEnd)} more alerts arrived than a channel can read, so they are summed up here instead of one card each. Every one is in the ledger: send \`alerts\` to list them.`, { isSubtle: true }),
    facts([['By severity', sev], ['Updated', when(d.updatedAt)]]),
  ];
  if (d.byType.length) {
    body.push(text('**By detection**', { spacing: 'Medium' }));
    body.push(facts(d.byType.slice(0, 10).map(([t, n]) => [String(n), esc(t, 100)] as [string, string])));
  }
  if (d.topUsers.length) {
    body.push(text('**Top users**', { spacing: 'Medium' }));
    body.push(facts(d.topUsers.slice(0, 10).map(([u, n]) => [String(n), esc(u, 100)] as [string, string])));
  }
  const summary = `Digest: ${d.total} more alert${d.total === 1 ? '' : 's'} (${sev})`;
  return { card: card(body, { fallbackText: summary }), summary };
}
