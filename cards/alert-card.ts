import type { AlertRow, AlertUser } from '../bot/hybrid/alert';
import { colorOf, fact, listLine, plain, safeLink, when, type CardMessage, type Fact, type Link } from './card';
import { renderFitted } from './render';

/** The other environment's activity for the same users (bot/hybrid/hybrid-context when present). */
export interface HybridContextView {
  /** Which side the context comes from, seen from this alert ("cloud" for an on-prem alert). */
  other: 'cloud' | 'onprem';
  count: number;
  topTitles: string[];
  /** On-prem and cloud alerts for the same user form one attack chain. */
  hybridChain: boolean;
}

export interface AlertCardInput {
  alert: AlertRow;
  context?: HybridContextView | null;
  /** Allowed Action.OpenUrl hosts (services.linkHosts). */
  linkHosts: readonly string[];
  now: string;
  /** true: the close / assign / mute buttons (the viewer may operate). */
  interactive: boolean;
  /** Admins whose client refreshes the card into the interactive view (≤ 60 MRIs). */
  refreshUserIds?: string[];
  /** A short note for the clicker ("Cloud App Security did not confirm the close: …"); our own text. */
  notice?: string;
  /**
   * The card goes into a conversation through the message extension (a search result, or a pasted link
   * Teams unfurls): a snapshot, so it says when it was drawn, and offers Refresh (Universal Actions) and
   * "Open in chat with Hybridwatch" (Action.Submit, which also works where Universal Actions do not).
   */
  inserted?: { via: 'search' | 'link'; drawnAt: string; /** A Defender XDR incident link: which incident, how many of its alerts the ledger has. */ incident?: { id: string; alerts: number } };
  /** Defender XDR's side of the alert when it has a Graph id (issue 12): shown as "Resolved in Defender XDR: true positive". */
  xdr?: XdrView | null;
  /** Comments written from Teams: how many, and the latest (newest first). */
  comments?: { count: number; latest: Array<{ byName: string; at: string; text: string }> };
}

export interface XdrView {
  status: string;
  classification: string | null;
  determination: string | null;
  assignedTo: string | null;
  /** alerts_v2 category: the MITRE tactic (PascalCase). */
  category: string | null;
}

/** What cards/templates/alert.json binds to (sample: alert.data.json). Every string is drawn literally. */
export interface AlertModel {
  id: string;
  severityLabel: string;
  severityColor: string;
  sourceLabel: string;
  title: string;
  closed: boolean;
  resolutionLabel: string;
  closedBy: string;
  closedAt: string;
  assignedTo: string;
  muted: boolean;
  mutedUntil: string;
  facts: Fact[];
  description: string;
  context: { show: boolean; chain: boolean; style: string; where: string; summary: string; titles: string };
  /** "No cloud alerts for the same users…" when context was looked up and found nothing; else "". */
  noContext: string;
  notice: string;
  /** "Resolved in Defender XDR: true positive (malware) · assigned to …"; "" without a Graph id. */
  xdrLine: string;
  xdrColor: string;
  /** The latest comments from Teams, newest first, and "2 earlier comments" (or ""). */
  comments: Array<{ by: string; at: string; text: string }>;
  moreComments: string;
  /** The Comment… box: anyone who may operate, open or closed. */
  canComment: boolean;
  commentPlaceholder: string;
  /** The first portal link, a primary button (Defender XDR first: where the SOC's truth lives). */
  links: Link[];
  /** The other portal links and the Defender XDR incident, in the overflow menu: Teams shows at most six primary actions. */
  moreLinks: Link[];
  /** Close / Assign / Mute buttons: an interactive view of an open alert. */
  canOperate: boolean;
  muteTitle: string;
  resolutions: Array<{ title: string; value: Resolution; style: string }>;
  refreshUserIds: string[];
  /** Message extension snapshot (see AlertCardInput.inserted): the drawn-at note and its two buttons. */
  inserted: { show: boolean; note: string };
}

const SOURCE_TEXT: Record<AlertRow['source'], string> = {
  onprem: 'On-premises (Azure ATP)',
  cloud: 'Cloud (Cloud App Security)',
  both: 'On-premises and cloud',
};
const SEV_LABEL: Record<string, string> = { high: 'High', medium: 'Medium', low: 'Low', informational: 'Informational' };
export const RESOLUTIONS = { truePositive: 'True positive', benign: 'Benign', falsePositive: 'False positive' } as const;
export type Resolution = keyof typeof RESOLUTIONS;

export const severityLabel = (s: string): string => SEV_LABEL[s] ?? plain(s, 20);

const CLASSIFICATION: Record<string, string> = { truePositive: 'true positive', falsePositive: 'false positive', informationalExpectedActivity: 'informational, expected activity', unknown: 'not classified' };
const XDR_STATUS: Record<string, string> = { new: 'New', inProgress: 'In progress', resolved: 'Resolved' };

/** camelCase / PascalCase enum → lower-case words (`compromisedUser` → "compromised user"). */
export const spaced = (v: string): string => v.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();

/** "Resolved in Defender XDR: true positive (malware) · assigned to x@contoso.com". */
export function xdrLine(x: XdrView): string {
  let line = `${XDR_STATUS[x.status] ?? plain(spaced(x.status), 30)} in Defender XDR`;
  if (x.status === 'resolved') {
    line += `: ${x.classification ? CLASSIFICATION[x.classification] ?? plain(spaced(x.classification), 40) : 'not classified'}`;
    if (x.determination && !['unknown', 'other'].includes(x.determination)) line += ` (${plain(spaced(x.determination), 40)})`;
  }
  if (x.assignedTo) line += ` · assigned to ${plain(x.assignedTo, 80)}`;
  return line;
}

/** Where the alert came from; an alert Defender XDR brought (alone or beside another feed) says so. */
function sourceLabel(a: AlertRow): string {
  if (!a.graph_id) return SOURCE_TEXT[a.source] ?? 'unknown source';
  if (!a.onprem_id && !a.cloud_id) return a.source === 'onprem' ? 'On-premises (Defender for Identity, via Defender XDR)' : 'Cloud (via Defender XDR)';
  return `${SOURCE_TEXT[a.source] ?? 'unknown source'} · Defender XDR`;
}

/** "Alex Wilber (alex@contoso.com · CONTOSO\awilber)": both identities when the directory resolved it. */
export function userLine(u: AlertUser, max = 80): string {
  const cloud = u.upn ? plain(u.upn, max) : '';
  const onprem = u.sam ? plain(`${u.domain ? `${u.domain.split('.')[0].toUpperCase()}\\` : ''}${u.sam}`, max) : '';
  const ids = [cloud, onprem].filter(Boolean).join(' · ');
  const name = plain(u.displayName ?? u.raw, max);
  const unresolved = u.resolution && u.resolution !== 'resolved' ? ` — ${u.resolution}${u.note ? `: ${plain(u.note, max)}` : ''}` : '';
  return `${name}${ids && ids !== name ? ` (${ids})` : ''}${unresolved}`;
}

/** Level 0 is the full card; levels 1–3 shorten lists and fields until it fits the Teams size limit. */
export function alertModel(input: AlertCardInput, level = 0): AlertModel {
  const { alert: a, context } = input;
  const maxList = [10, 5, 2, 1][level];
  const fieldMax = [120, 80, 60, 40][level];
  const closed = a.status === 'closed';
  const muted = !!a.muted_until && new Date(a.muted_until) > new Date(input.now);
  const facts = [
    fact('Users', a.users.length ? listLine(a.users, maxList, (u) => userLine(u, fieldMax)) : 'none named'),
    fact('Hosts', a.hosts.length ? listLine(a.hosts, maxList, (h) => plain(h, fieldMax)) : 'none named'),
    fact('Detection', plain(a.type_name || a.type, fieldMax)),
    fact('First seen', when(a.first_seen)),
    fact('Last seen', when(a.last_seen)),
    fact('Triggers', `${a.trigger_count}${a.cnt !== null && a.cnt !== undefined ? ` (source count ${a.cnt})` : ''}`),
  ];
  if (input.xdr?.category) facts.push(fact('MITRE tactic', plain(spaced(input.xdr.category), 60)));
  if (a.app) facts.push(fact('App', plain(a.app, fieldMax)));
  if (a.threat_score !== null && a.threat_score !== undefined) facts.push(fact('Threat score', String(a.threat_score)));
  const hasContext = !!context && context.count > 0;
  const titles = hasContext ? context.topTitles.slice(0, Math.max(1, Math.min(3, maxList))).map((t) => plain(t, fieldMax)) : [];
  const portals = [
    safeLink('Open in Defender XDR', a.graph_url, input.linkHosts),
    safeLink('Open in Azure ATP', a.url, input.linkHosts),
    safeLink('Open in Cloud App Security', a.cloud_url, input.linkHosts),
    safeLink('Open the incident', a.incident_url, input.linkHosts),
  ].filter((l): l is Link => !!l);
  const comments = level < 3 ? (input.comments?.latest ?? []).slice(0, level === 0 ? 2 : 1) : [];
  const earlier = (input.comments?.count ?? 0) - comments.length;
  return {
    id: a.id,
    severityLabel: severityLabel(a.severity),
    severityColor: colorOf(a.severity),
    sourceLabel: sourceLabel(a),
    title: plain(a.title, [300, 200, 120, 80][level]),
    closed,
    resolutionLabel: closed ? (a.resolution && a.resolution in RESOLUTIONS ? RESOLUTIONS[a.resolution as Resolution] : a.resolution ? plain(a.resolution, 40) : 'no resolution') : '',
    closedBy: closed && a.closed_by_name ? plain(a.closed_by_name, 80) : '',
    closedAt: closed && a.closed_at ? when(a.closed_at) : '',
    assignedTo: a.assigned_to_name ? plain(a.assigned_to_name, 80) : '',
    muted,
    mutedUntil: muted ? when(a.muted_until) : '',
    facts,
    description: level < 3 ? plain(a.description, [1000, 500, 200, 0][level]) : '',
    context: {
      show: hasContext,
      chain: hasContext && context.hybridChain,
      style: hasContext && context.hybridChain ? 'attention' : 'emphasis',
      where: context?.other === 'onprem' ? 'on-premises (Azure ATP)' : 'in the cloud (Cloud App Security)',
      summary: hasContext ? `${context.count} alert${context.count === 1 ? '' : 's'} for the same user${a.users.length === 1 ? '' : 's'} in the last 7 days` : '',
      titles: titles.join('; '),
    },
    noContext: context && !hasContext ? `No ${context.other === 'cloud' ? 'cloud' : 'on-premises'} alerts for the same users in the last 7 days.` : '',
    notice: input.notice ? plain(input.notice, 600) : '',
    xdrLine: input.xdr ? xdrLine(input.xdr) : '',
    xdrColor: input.xdr?.status === 'resolved' ? 'Good' : 'Default',
    comments: comments.map((c) => ({ by: plain(c.byName, 80), at: when(c.at), text: plain(c.text, [500, 300, 150, 0][level]) })),
    moreComments: earlier > 0 && input.comments?.count ? `${earlier} earlier comment${earlier === 1 ? '' : 's'}` : '',
    canComment: input.interactive,
    commentPlaceholder: a.graph_id ? 'Posted to Defender XDR with your name' : 'Kept with the alert in Hybridwatch',
    links: portals.slice(0, 1),
    moreLinks: portals.slice(1),
    canOperate: input.interactive && !closed,
    muteTitle: muted ? 'Mute 24 h more' : 'Mute 24 h',
    resolutions: (Object.keys(RESOLUTIONS) as Resolution[]).map((r) => ({ title: RESOLUTIONS[r], value: r, style: r === 'truePositive' ? 'destructive' : 'default' })),
    refreshUserIds: (input.refreshUserIds ?? []).slice(0, 60),
    inserted: { show: !!input.inserted, note: input.inserted ? insertedNote(input.inserted) : '' },
  };
}

/** Teams keeps a link preview for 30 minutes, and an inserted card is a copy: say when it was drawn. */
function insertedNote(i: NonNullable<AlertCardInput['inserted']>): string {
  const cache = i.via === 'link' ? ' Teams keeps link previews for up to 30 minutes;' : '';
  const incident = i.incident ? ` Defender XDR incident ${plain(i.incident.id, 64)}: ${i.incident.alerts > 1 ? `the most severe, newest of its ${i.incident.alerts} alerts here` : 'its alert here'}.` : '';
  return `Drawn at ${when(i.drawnAt)} from Hybridwatch's ledger.${incident}${cache} Refresh shows the current state.`;
}

/** The hybrid alert card (template `alert`). */
export function alertCard(input: AlertCardInput): CardMessage {
  const a = input.alert;
  const summary = `${severityLabel(a.severity)} ${a.status === 'closed' ? '(closed) ' : ''}alert: ${a.title}`;
  return renderFitted('alert', 4, (level) => alertModel(input, level), { summary });
}
