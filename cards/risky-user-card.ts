import { card, esc, execute, facts, heading, plain, text, when, type CardMessage, type Element } from './card';

export interface RiskyReason {
  source: 'onprem' | 'cloud' | 'both';
  text: string;
}

/** The hybrid chain the model saw: on-premises alert → cloud alert for the same identity. Untrusted titles. */
export interface ChainView {
  onprem: string;
  cloud: string;
  hours: number;
  /** A full chain (strong link and evidence across ≥ 3 tactics): always risky. */
  full: boolean;
}

/** Reasons grouped under their MITRE tactic (label written by us, reasons' text untrusted). */
export interface ReasonGroupView {
  tactic: string;
  reasons: RiskyReason[];
}

export interface RiskyUserCardInput {
  userKey: string;
  displayName?: string | null;
  upn?: string | null;
  onPremAccount?: string | null;
  score: number;
  /** Context only (the rank among scored users). */
  percentile: number;
  reasons: RiskyReason[];
  /** MITRE tactics the evidence spans, strongest first (labels). */
  tactics?: string[];
  chain?: ChainView | null;
  /** The reasons grouped by tactic; when present they replace the flat list. */
  groups?: ReasonGroupView[];
  at: string;
  dismissed?: { byName: string; at: string } | null;
  interactive: boolean;
  refreshUserIds?: string[];
}

const SOURCE: Record<RiskyReason['source'], string> = { onprem: 'On-premises', cloud: 'Cloud', both: 'Both' };

const hoursText = (h: number) => (h < 1 ? `${Math.max(0, Math.round(h * 60))} min` : `${Math.round(h * 10) / 10} h`);

/** "⛓ pass-the-hash → impossible travel, 2 h later" (titles escaped). */
export function chainText(c: ChainView): string {
  return `⛓ ${esc(c.onprem, 90)} → ${esc(c.cloud, 90)}, ${hoursText(c.hours)} later${c.full ? ' · full attack chain' : ''}`;
}

/** "Why", grouped by tactic: a bold tactic line, then its reasons (source · text). At most 8 reasons. */
export function reasonGroups(groups: ReasonGroupView[], max = 8): Element[] {
  const out: Element[] = [text('**Why**', { spacing: 'Medium' })];
  let shown = 0;
  let total = 0;
  for (const g of groups) {
    total += g.reasons.length;
    const rs = g.reasons.slice(0, Math.max(0, max - shown));
    if (!rs.length) continue;
    shown += rs.length;
    out.push(text(`**${esc(g.tactic, 60)}**`, { spacing: 'Small', size: 'Small' }));
    out.push(facts(rs.map((r) => [SOURCE[r.source] ?? 'Other', esc(r.text, 200)] as [string, string])));
  }
  if (total > shown) out.push(text(`and ${total - shown} more reasons`, { isSubtle: true, size: 'Small' }));
  return out;
}

/** A user crossed into risky: score, tactics, the hybrid chain, reasons grouped by tactic, `user.dismiss`. */
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
  if (d.tactics?.length) rows.push(['Tactics', d.tactics.slice(0, 8).map((t) => esc(t, 40)).join(' · ')]);
  if (d.chain) rows.push(['Hybrid chain', chainText(d.chain)]);
  if (d.upn) rows.push(['Cloud identity', esc(d.upn, 120)]);
  if (d.onPremAccount) rows.push(['On-premises account', esc(d.onPremAccount, 120)]);
  rows.push(['Crossed at', when(d.at)]);
  body.push(facts(rows));
  if (d.groups?.length) body.push(...reasonGroups(d.groups));
  else if (d.reasons.length) {
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
