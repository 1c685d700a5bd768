import { fact, plain, when, type CardMessage, type Fact } from './card';
import { render } from './render';
import { noticeColor, responseModel, type NoticeTone, type ResponseInput, type ResponseModel } from './response-section';

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
  /** Source label → reason (alert titles come from the sources: drawn literally). */
  reasons: Fact[];
  moreReasons: string;
  dismissed: { show: boolean; by: string; at: string };
  canDismiss: boolean;
  refreshUserIds: string[];
}

const SOURCE: Record<RiskyReason['source'], string> = { onprem: 'On-premises', cloud: 'Cloud', both: 'Both' };
const MAX_REASONS = 8;

export const displayNameOf = (d: { displayName?: string | null; upn?: string | null; onPremAccount?: string | null }, key: string): string => d.displayName || d.upn || d.onPremAccount || key;

export function riskyUserModel(d: RiskyUserCardInput): RiskyUserModel {
  const facts = [fact('Score', String(Math.round(d.score * 10) / 10)), fact('Percentile', `${Math.round(d.percentile)}th`)];
  if (d.upn) facts.push(fact('Cloud identity', plain(d.upn, 120)));
  if (d.onPremAccount) facts.push(fact('On-premises account', plain(d.onPremAccount, 120)));
  facts.push(fact('Crossed at', when(d.at)));
  return {
    userKey: d.userKey,
    notice: d.notice ? plain(d.notice, 600) : '',
    noticeColor: noticeColor(d.noticeTone),
    name: plain(displayNameOf(d, d.userKey), 120),
    facts,
    reasons: d.reasons.slice(0, MAX_REASONS).map((r) => fact(SOURCE[r.source] ?? 'Other', plain(r.text, 200))),
    moreReasons: d.reasons.length > MAX_REASONS ? `and ${d.reasons.length - MAX_REASONS} more reasons` : '',
    dismissed: { show: !!d.dismissed, by: d.dismissed ? plain(d.dismissed.byName, 80) : '', at: d.dismissed ? when(d.dismissed.at) : '' },
    canDismiss: d.interactive && !d.dismissed,
    refreshUserIds: (d.refreshUserIds ?? []).slice(0, 60),
    ...responseModel(d.response),
  };
}

/** A user crossed the risky threshold: score, percentile, reasons from both environments, `user.dismiss`. */
export function riskyUserCard(d: RiskyUserCardInput): CardMessage {
  return render('risky-user', riskyUserModel(d), { summary: `Risky user: ${displayNameOf(d, d.userKey)} (score ${Math.round(d.score)})` });
}
