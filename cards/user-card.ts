import { SEVERITY_COLOR, card, esc, execute, facts, heading, plain, text, when, type CardMessage, type Element } from './card';
import { nameOf, num } from './risky-card';
import { chainText, reasonGroups, type ChainView, type ReasonGroupView } from './risky-user-card';

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
  /** Our own sentence shown on top (e.g. "Dismissed."). */
  notice?: string;
}

function timeline(title: string, items: TimelineItem[]): Element {
  const rows: Element[] = [text(`**${title}**`, { spacing: 'Medium' })];
  if (!items.length) rows.push(text('none', { isSubtle: true, spacing: 'None' }));
  for (const a of items) {
    const trig = a.triggerCount > 1 ? ` · ${a.triggerCount}×` : '';
    const pts = a.points > 0 ? ` · +${num(a.points)}` : '';
    rows.push(
      text(`${when(a.lastSeen)} · **${esc(a.title, 100)}** · ${esc(a.severity, 20)} · ${esc(a.status, 20)}${trig}${pts}`, { spacing: 'None', size: 'Small', color: a.status === 'open' ? SEVERITY_COLOR[a.severity] ?? 'Default' : 'Default' }),
    );
  }
  return { type: 'Container', items: rows };
}

/** `user <name>`: one user's hybrid profile: identity, score, both timelines, score history. */
export function userCard(d: UserProfileData): CardMessage {
  const name = nameOf(d);
  const body: Element[] = [];
  if (d.notice) body.push(text(esc(d.notice, 300), { color: 'Good' }));
  body.push(heading(esc(name, 120)));
  const status = d.state === 'risky' ? `**Risky** since ${when(d.riskySince)}` : d.dismissed && d.state === 'dismissed' ? `Dismissed by ${esc(d.dismissed.byName, 80)} at ${when(d.dismissed.at)}` : d.qualifies ? '**Risky**' : 'Not risky';
  body.push(text(status, { color: d.state === 'risky' ? 'Attention' : 'Default' }));
  const rows: Array<[string, string]> = [];
  if (d.upn) rows.push(['Cloud identity', esc(d.upn, 120)]);
  if (d.onPremAccount) rows.push(['On-premises account', esc(d.onPremAccount, 120)]);
  rows.push(['Identity', d.resolution === 'resolved' ? 'one directory user (on-premises and cloud combined)' : `${esc(d.resolution, 20)}${d.note ? `: ${esc(d.note, 200)}` : ''}`]);
  rows.push(['Roles', d.roles.length ? d.roles.map((r) => esc(r, 60)).join(', ') : 'none known']);
  rows.push(['Investigation priority', `${num(d.score)} (${d.percentile}th percentile; impact ×${num(d.impact)})`]);
  if (d.tactics?.length) rows.push(['Tactics', d.tactics.slice(0, 8).map((t) => esc(t, 40)).join(' · ')]);
  if (d.chain) rows.push(['Hybrid chain', chainText(d.chain)]);
  rows.push(['Split', `on-premises ${num(d.onpremScore)} · cloud ${num(d.cloudScore)}`]);
  if (d.threatScore !== null) rows.push(['Cloud App Security threat score', String(d.threatScore)]);
  rows.push(['Open alerts', String(d.openAlerts)]);
  rows.push(['Risky at', `a sequence of attack steps scoring ≥ ${d.thresholds.minScore} (held until below ${d.thresholds.rearmScore}), or a full on-premises → cloud chain (last ${d.windowDays} days)`]);
  body.push(facts(rows));
  if (d.groups?.length && d.score > 0) body.push(...reasonGroups(d.groups));
  body.push(timeline('On-premises (Azure ATP)', d.onprem));
  body.push(timeline('Cloud (Cloud App Security)', d.cloud));
  if (d.history.length) {
    body.push(text('**Score history**', { spacing: 'Medium' }));
    body.push(facts(d.history.map((h) => [when(h.at), `${num(h.score)} (${h.percentile}th)`] as [string, string])));
  }
  const actions: Element[] = [];
  if (d.interactive && d.state === 'risky') actions.push(execute('Dismiss', 'user.dismiss', { userKey: d.key }));
  const summary = plain(`Hybrid profile: ${name} (score ${num(d.score)})`, 200);
  return { card: card(body, { actions, fallbackText: summary }), summary };
}
