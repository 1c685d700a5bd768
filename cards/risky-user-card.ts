import { card, esc, execute, facts, heading, plain, text, when, type CardMessage, type Element } from './card';

export interface RiskyReason {
  source: 'onprem' | 'cloud' | 'both';
  text: string;
}

export interface RiskyUserCardInput {
  userKey: string;
  displayName?: string | null;
  upn?: string | null;
  onPremAccount?: string | null;
  score: number;
  percentile: number;
  reasons: RiskyReason[];
  at: string;
  dismissed?: { byName: string; at: string } | null;
  interactive: boolean;
  refreshUserIds?: string[];
}

const SOURCE: Record<RiskyReason['source'], string> = { onprem: 'On-premises', cloud: 'Cloud', both: 'Both' };

/** A user crossed the risky threshold: score, percentile, reasons from both environments, `user.dismiss`. */
export function riskyUserCard(d: RiskyUserCardInput): CardMessage {
  const name = d.displayName || d.upn || d.onPremAccount || d.userKey;
  const body: Element[] = [
    text('**Risky user** · hybrid investigation priority', { color: 'Attention', spacing: 'None' }),
    heading(esc(name, 120), { size: 'Medium' }),
  ];
  const rows: Array<[string, string]> = [
    ['Score', String(Math.round(d.score * 10) / 10)],
    ['Percentile', `${Math.round(d.percentile)}th`],
  ];
  if (d.upn) rows.push(['Cloud identity', esc(d.upn, 120)]);
  if (d.onPremAccount) rows.push(['On-premises account', esc(d.onPremAccount, 120)]);
  rows.push(['Crossed at', when(d.at)]);
  body.push(facts(rows));
  if (d.reasons.length) {
    body.push(text('**Why**', { spacing: 'Medium' }));
    body.push(facts(d.reasons.slice(0, 8).map((r) => [SOURCE[r.source] ?? 'Other', esc(r.text, 200)] as [string, string])));
    if (d.reasons.length > 8) body.push(text(`and ${d.reasons.length - 8} more reasons`, { isSubtle: true, size: 'Small' }));
  }
  if (d.dismissed) body.push(text(`Dismissed by ${esc(d.dismissed.byName, 80)} at ${when(d.dismissed.at)}`, { isSubtle: true }));
  const actions: Element[] = [];
  if (d.interactive && !d.dismissed) actions.push(execute('Dismiss', 'user.dismiss', { userKey: d.userKey }));
  const summary = plain(`Risky user: ${name} (score ${Math.round(d.score)})`, 200);
  return {
    card: card(body, { actions, fallbackText: summary, refresh: { action: execute('Refresh', 'refresh', { view: 'user', userKey: d.userKey }), userIds: (d.refreshUserIds ?? []).slice(0, 60) } }),
    summary,
  };
}
