import { fact, plain, when, type CardMessage, type Fact } from './card';
import { render } from './render';
import { noticeColor, responseModel, type NoticeTone, type ResponseInput, type ResponseModel } from './response-section';

export interface RiskyReason {
  source: 'onprem' | 'cloud' | 'both';
  text: string;
}

/** The hybrid chain the model saw: on-premises alert → cloud alert for the same identity (titles from the sources). */
export interface ChainView {
  onprem: string;
  cloud: string;
  hours: number;
  /** A full chain (strong link and evidence across ≥ 3 tactics): always risky. */
  full: boolean;
}

/** Reasons grouped under their MITRE tactic (label written by us; reasons' text from the sources). */
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
  /** Entra ID Protection's view, what was done to the user, and the response buttons (issue 15). */
  response?: ResponseInput | null;
  /** Our own sentence on top for the clicker ("Sessions revoked."), and how it reads. */
  notice?: string;
  noticeTone?: NoticeTone;
}

/** cards/templates/risky-user.json. */
export interface RiskyUserModel extends ResponseModel {
  notice: string;
  noticeColor: string;
  userKey: string;
  name: string;
  facts: Fact[];
  /** Source label → reason (alert titles come from the sources: drawn literally); used when there are no groups. */
  reasons: Fact[];
  /** The reasons by MITRE tactic: the tactic, then its reasons (at most 8 reasons in all). */
  reasonGroups: ReasonGroupModel[];
  moreReasons: string;
  dismissed: { show: boolean; by: string; at: string };
  canDismiss: boolean;
  refreshUserIds: string[];
}

export interface ReasonGroupModel {
  tactic: string;
  reasons: Fact[];
}

const SOURCE: Record<RiskyReason['source'], string> = { onprem: 'On-premises', cloud: 'Cloud', both: 'Both' };
const MAX_REASONS = 8;

const hoursText = (h: number) => (h < 1 ? `${Math.max(0, Math.round(h * 60))} min` : `${Math.round(h * 10) / 10} h`);

/** "⛓ pass-the-hash → impossible travel, 2 h later · full attack chain" (drawn literally). */
export function chainText(c: ChainView, titleMax = 90): string {
  return `⛓ ${plain(c.onprem, titleMax)} → ${plain(c.cloud, titleMax)}, ${hoursText(c.hours)} later${c.full ? ' · full attack chain' : ''}`;
}

export const tacticsText = (ts: readonly string[]): string => ts.slice(0, 8).map((t) => plain(t, 40)).join(' · ');

/** The reasons by tactic, at most `max` reasons in all (each at most `textMax` characters); and how many were left out. */
export function reasonGroupsModel(groups: readonly ReasonGroupView[], max = MAX_REASONS, textMax = 200): { groups: ReasonGroupModel[]; more: number } {
  const out: ReasonGroupModel[] = [];
  let shown = 0;
  let total = 0;
  for (const g of groups) {
    total += g.reasons.length;
    const rs = g.reasons.slice(0, Math.max(0, max - shown));
    if (!rs.length) continue;
    shown += rs.length;
    out.push({ tactic: plain(g.tactic, 60), reasons: rs.map((r) => fact(SOURCE[r.source] ?? 'Other', plain(r.text, textMax))) });
  }
  return { groups: out, more: total - shown };
}

export const displayNameOf = (d: { displayName?: string | null; upn?: string | null; onPremAccount?: string | null }, key: string): string => d.displayName || d.upn || d.onPremAccount || key;

export function riskyUserModel(d: RiskyUserCardInput): RiskyUserModel {
  const facts = [fact('Score', String(Math.round(d.score * 10) / 10)), fact('Percentile', `${Math.round(d.percentile)}th`)];
  if (d.tactics?.length) facts.push(fact('Tactics', tacticsText(d.tactics)));
  if (d.chain) facts.push(fact('Hybrid chain', chainText(d.chain)));
  const grouped = d.groups?.length ? reasonGroupsModel(d.groups) : null;
  if (d.upn) facts.push(fact('Cloud identity', plain(d.upn, 120)));
  if (d.onPremAccount) facts.push(fact('On-premises account', plain(d.onPremAccount, 120)));
  facts.push(fact('Crossed at', when(d.at)));
  return {
    userKey: d.userKey,
    notice: d.notice ? plain(d.notice, 600) : '',
    noticeColor: noticeColor(d.noticeTone),
    name: plain(displayNameOf(d, d.userKey), 120),
    facts,
    reasons: grouped ? [] : d.reasons.slice(0, MAX_REASONS).map((r) => fact(SOURCE[r.source] ?? 'Other', plain(r.text, 200))),
    reasonGroups: grouped?.groups ?? [],
    moreReasons: grouped ? (grouped.more > 0 ? `and ${grouped.more} more reasons` : '') : d.reasons.length > MAX_REASONS ? `and ${d.reasons.length - MAX_REASONS} more reasons` : '',
    dismissed: { show: !!d.dismissed, by: d.dismissed ? plain(d.dismissed.byName, 80) : '', at: d.dismissed ? when(d.dismissed.at) : '' },
    canDismiss: d.interactive && !d.dismissed,
    refreshUserIds: (d.refreshUserIds ?? []).slice(0, 60),
    ...responseModel(d.response),
  };
}

/** A user crossed into risky: score, tactics, the hybrid chain, reasons grouped by tactic, `user.dismiss`. */
export function riskyUserCard(d: RiskyUserCardInput): CardMessage {
  return render('risky-user', riskyUserModel(d), { summary: `Risky user: ${displayNameOf(d, d.userKey)} (score ${Math.round(d.score)})` });
}
