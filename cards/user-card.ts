import { colorOf, fact, plain, when, type CardMessage, type Fact } from './card';
import { nameOf, num } from './risky-card';
import { renderFitted } from './render';
import { chainText, reasonGroupsModel, tacticsText, type ChainView, type ReasonGroupModel, type ReasonGroupView } from './risky-user-card';
import { noticeColor, responseModel, type NoticeTone, type ResponseInput, type ResponseModel } from './response-section';

export interface TimelineItem {
  id: string;
  title: string;
  severity: string;
  status: string;
  firstSeen: string;
  lastSeen: string;
  triggerCount: number;
  /** Points this alert adds to the current score (0 when outside the 7-day window). */
  points: number;
}

export interface UserProfileData {
  key: string;
  displayName: string | null;
  upn: string | null;
  onPremAccount: string | null;
  resolution: string;
  note: string | null;
  roles: string[];
  impact: number;
  score: number;
  percentile: number;
  onpremScore: number;
  cloudScore: number;
  threatScore: number | null;
  qualifies: boolean;
  state: 'none' | 'risky' | 'dismissed';
  riskySince: string | null;
  dismissed: { byName: string; at: string } | null;
  onprem: TimelineItem[];
  cloud: TimelineItem[];
  history: Array<{ at: string; score: number; percentile: number }>;
  openAlerts: number;
  thresholds: { minScore: number; rearmScore: number };
  /** MITRE tactics the evidence spans (labels), strongest first. */
  tactics?: string[];
  chain?: ChainView | null;
  /** What the score is made of, grouped by tactic. */
  groups?: ReasonGroupView[];
  windowDays: number;
  now: string;
  /** Show the Dismiss button (the card goes to someone who may manage). */
  interactive: boolean;
  /** Our own sentence shown on top (e.g. "Dismissed."), and how it reads (default good news). */
  notice?: string;
  noticeTone?: NoticeTone;
  /** Entra ID Protection's view, what was done to the user, and the response buttons (issue 15). */
  response?: ResponseInput | null;
}

/** A timeline row; it opens its alert card (`alert.show`). */
export interface TimelineRowModel {
  id: string;
  lastSeen: string;
  title: string;
  /** " · high · open · 3× · +12.5" */
  details: string;
  color: string;
}

/** cards/templates/user.json. */
export interface UserModel extends ResponseModel {
  userKey: string;
  notice: string;
  noticeColor: string;
  name: string;
  status: { label: string; detail: string; color: string; bold: boolean };
  facts: Fact[];
  onprem: TimelineRowModel[];
  cloud: TimelineRowModel[];
  history: Fact[];
  /** What the score is made of, by MITRE tactic (at most 8 reasons). */
  reasonGroups: ReasonGroupModel[];
  moreReasons: string;
  canDismiss: boolean;
}

function timeline(items: TimelineItem[], titleMax: number): TimelineRowModel[] {
  return items.map((a) => ({
    id: a.id,
    lastSeen: when(a.lastSeen),
    title: plain(a.title, titleMax),
    details: ` · ${plain(a.severity, 20)} · ${plain(a.status, 20)}${a.triggerCount > 1 ? ` · ${a.triggerCount}×` : ''}${a.points > 0 ? ` · +${num(a.points)}` : ''}`,
    color: a.status === 'open' ? colorOf(a.severity) : 'Default',
  }));
}

function status(d: UserProfileData): UserModel['status'] {
  if (d.state === 'risky') return { label: 'Risky', detail: ` since ${when(d.riskySince)}`, color: 'Attention', bold: true };
  if (d.dismissed && d.state === 'dismissed') return { label: 'Dismissed', detail: ` by ${plain(d.dismissed.byName, 80)} at ${when(d.dismissed.at)}`, color: 'Default', bold: false };
  return d.qualifies ? { label: 'Risky', detail: '', color: 'Default', bold: true } : { label: 'Not risky', detail: '', color: 'Default', bold: false };
}

export function userModel(d: UserProfileData, level = 0): UserModel {
  const titleMax = [100, 60, 40][level];
  const facts: Fact[] = [];
  if (d.upn) facts.push(fact('Cloud identity', plain(d.upn, 120)));
  if (d.onPremAccount) facts.push(fact('On-premises account', plain(d.onPremAccount, 120)));
  facts.push(fact('Identity', d.resolution === 'resolved' ? 'one directory user (on-premises and cloud combined)' : `${plain(d.resolution, 20)}${d.note ? `: ${plain(d.note, 200)}` : ''}`));
  facts.push(fact('Roles', d.roles.length ? d.roles.map((r) => plain(r, 60)).join(', ') : 'none known'));
  facts.push(fact('Investigation priority', `${num(d.score)} (${d.percentile}th percentile; impact ×${num(d.impact)})`));
  if (d.tactics?.length) facts.push(fact('Tactics', tacticsText(d.tactics)));
  if (d.chain) facts.push(fact('Hybrid chain', chainText(d.chain, titleMax)));
  facts.push(fact('Split', `on-premises ${num(d.onpremScore)} · cloud ${num(d.cloudScore)}`));
  if (d.threatScore !== null) facts.push(fact('Cloud App Security threat score', String(d.threatScore)));
  facts.push(fact('Open alerts', String(d.openAlerts)));
  facts.push(fact('Risky at', `a sequence of attack steps scoring ≥ ${d.thresholds.minScore} (held until below ${d.thresholds.rearmScore}), or a full on-premises → cloud chain (last ${d.windowDays} days)`));
  // Fitted like the timelines: fewer and shorter reasons at each level until the card is under Teams' limit.
  const grouped = d.score > 0 && d.groups?.length ? reasonGroupsModel(d.groups, [8, 5, 3][level], titleMax + 40) : { groups: [], more: 0 };
  return {
    userKey: d.key,
    notice: d.notice ? plain(d.notice, 600) : '',
    noticeColor: noticeColor(d.noticeTone),
    name: plain(nameOf(d), 120),
    status: status(d),
    facts,
    onprem: timeline(d.onprem, titleMax),
    cloud: timeline(d.cloud, titleMax),
    history: d.history.map((h) => fact(when(h.at), `${num(h.score)} (${h.percentile}th)`)),
    reasonGroups: grouped.groups,
    moreReasons: grouped.more > 0 ? `and ${grouped.more} more reasons` : '',
    canDismiss: d.interactive && d.state === 'risky',
    ...responseModel(d.response),
  };
}

/** `user <name>`: one user's hybrid profile: identity, score, both timelines (each row opens its alert), history. */
export function userCard(d: UserProfileData): CardMessage {
  return renderFitted('user', 3, (level) => userModel(d, level), { summary: `Hybrid profile: ${nameOf(d)} (score ${num(d.score)})` });
}
