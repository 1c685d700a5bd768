import type { AlertRow, AlertUser } from '../bot/hybrid/alert';
import { MAX_CARD_BYTES, SEVERITY_COLOR, card, esc, execute, facts, heading, openUrl, plain, sizeOf, text, when, type CardMessage, type Element } from './card';

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

const CLASSIFICATION: Record<string, string> = { truePositive: 'true positive', falsePositive: 'false positive', informationalExpectedActivity: 'informational, expected activity', unknown: 'not classified' };
const XDR_STATUS: Record<string, string> = { new: 'New', inProgress: 'In progress', resolved: 'Resolved' };

/** camelCase / PascalCase enum → lower-case words (`compromisedUser` → "compromised user"). */
const spaced = (v: string) => v.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();

/** "Resolved in Defender XDR: true positive (malware) · assigned to x@contoso.com". */
export function xdrLine(x: XdrView): string {
  const status = XDR_STATUS[x.status] ?? esc(spaced(x.status), 30);
  let line = `${status} in Defender XDR`;
  if (x.status === 'resolved') {
    line += `: ${x.classification ? CLASSIFICATION[x.classification] ?? esc(spaced(x.classification), 40) : 'not classified'}`;
    if (x.determination && !['unknown', 'other'].includes(x.determination)) line += ` (${esc(spaced(x.determination), 40)})`;
  }
  if (x.assignedTo) line += ` · assigned to ${esc(x.assignedTo, 80)}`;
  return line;
}

const SOURCE_TEXT: Record<AlertRow['source'], string> = {
  onprem: 'On-premises (Azure ATP)',
  cloud: 'Cloud (Cloud App Security)',
  both: 'On-premises and cloud',
};
const SEV_LABEL: Record<string, string> = { high: 'High', medium: 'Medium', low: 'Low', informational: 'Informational' };
export const RESOLUTIONS = { truePositive: 'True positive', benign: 'Benign', falsePositive: 'False positive' } as const;
export type Resolution = keyof typeof RESOLUTIONS;

/** "Alex Wilber (alex@contoso.com · CONTOSO\awilber)": both identities when the directory resolved it. */
export function userLine(u: AlertUser, max = 80): string {
  const cloud = u.upn ? esc(u.upn, max) : '';
  const onprem = u.sam ? esc(`${u.domain ? `${u.domain.split('.')[0].toUpperCase()}\\` : ''}${u.sam}`, max) : '';
  const ids = [cloud, onprem].filter(Boolean).join(' · ');
  const name = esc(u.displayName ?? u.raw, max);
  const unresolved = u.resolution && u.resolution !== 'resolved' ? ` — ${u.resolution}${u.note ? `: ${esc(u.note, max)}` : ''}` : '';
  return `${name}${ids && ids !== name ? ` (${ids})` : ''}${unresolved}`;
}

/** The first maxItems (formatted only those: lists can be long and hostile), then "and N more". */
function listLine<T>(items: T[], maxItems: number, fmt: (x: T) => string): string {
  return items.slice(0, maxItems).map(fmt).join(', ') + (items.length > maxItems ? ` and ${items.length - maxItems} more` : '');
}

function statusLine(a: AlertRow): string {
  const parts: string[] = [];
  if (a.status === 'closed') {
    const res = a.resolution && a.resolution in RESOLUTIONS ? RESOLUTIONS[a.resolution as Resolution] : a.resolution ? esc(a.resolution, 40) : 'no resolution';
    parts.push(`✅ **Closed** (${res})${a.closed_by_name ? ` by ${esc(a.closed_by_name, 80)}` : ''}${a.closed_at ? ` at ${when(a.closed_at)}` : ''}`);
  } else parts.push('**Open**');
  if (a.assigned_to_name) parts.push(`assigned to ${esc(a.assigned_to_name, 80)}`);
  return parts.join(' · ');
}

/** The hybrid alert card; `compact` levels shrink lists until it fits the Teams size limit. */
export function alertCard(input: AlertCardInput): CardMessage {
  for (const level of [0, 1, 2]) {
    const c = build(input, level);
    if (sizeOf(c.card) <= MAX_CARD_BYTES) return c;
  }
  return build(input, 3);
}

function sourceText(a: AlertRow): string {
  if (!a.graph_id) return SOURCE_TEXT[a.source] ?? 'unknown source';
  if (!a.onprem_id && !a.cloud_id) return a.source === 'onprem' ? 'On-premises (Defender for Identity, via Defender XDR)' : 'Cloud (via Defender XDR)';
  return `${SOURCE_TEXT[a.source] ?? 'unknown source'} · Defender XDR`;
}

function build(input: AlertCardInput, level: number): CardMessage {
  const { alert: a, context } = input;
  const now = new Date(input.now);
  const maxList = [10, 5, 2, 1][level];
  const fieldMax = [120, 80, 60, 40][level];
  const sev = SEV_LABEL[a.severity] ?? esc(a.severity, 20);
  const body: Element[] = [
    text(`**${sev} severity** · ${sourceText(a)}`, { color: SEVERITY_COLOR[a.severity] ?? 'Default', spacing: 'None' }),
    heading(esc(a.title, [300, 200, 120, 80][level]), { size: 'Medium' }),
    text(statusLine(a), { isSubtle: a.status === 'closed', spacing: 'Small' }),
  ];
  if (input.xdr) body.push(text(`🛡️ ${xdrLine(input.xdr)}`, { spacing: 'None', color: input.xdr.status === 'resolved' ? 'Good' : 'Default' }));
  const muted = a.muted_until && new Date(a.muted_until) > now;
  if (muted) body.push(text(`🔕 Re-triggers update this card silently until ${when(a.muted_until)}`, { isSubtle: true, spacing: 'None' }));
  const rows: Array<[string, string]> = [
    ['Users', a.users.length ? listLine(a.users, maxList, (u) => userLine(u, fieldMax)) : 'none named'],
    ['Hosts', a.hosts.length ? listLine(a.hosts, maxList, (h) => esc(h, fieldMax)) : 'none named'],
    ['Detection', esc(a.type_name || a.type, fieldMax)],
    ['First seen', when(a.first_seen)],
    ['Last seen', when(a.last_seen)],
    ['Triggers', `${a.trigger_count}${a.cnt !== null && a.cnt !== undefined ? ` (source count ${a.cnt})` : ''}`],
  ];
  if (input.xdr?.category) rows.push(['MITRE tactic', esc(spaced(input.xdr.category), 60)]);
  if (a.app) rows.push(['App', esc(a.app, fieldMax)]);
  if (a.threat_score !== null && a.threat_score !== undefined) rows.push(['Threat score', String(a.threat_score)]);
  body.push(facts(rows));
  if (a.description && level < 3) body.push(text(esc(a.description, [1000, 500, 200, 0][level]), { isSubtle: true, size: 'Small' }));
  if (context && context.count > 0) {
    const where = context.other === 'cloud' ? 'in the cloud (Cloud App Security)' : 'on-premises (Azure ATP)';
    const titles = context.topTitles.slice(0, Math.max(1, Math.min(3, maxList))).map((t) => esc(t, fieldMax));
    body.push({
      type: 'Container',
      style: context.hybridChain ? 'attention' : 'emphasis',
      items: [
        text(`${context.hybridChain ? '🔗 **Hybrid attack chain.** ' : ''}**Also ${where}:** ${context.count} alert${context.count === 1 ? '' : 's'} for the same user${a.users.length === 1 ? '' : 's'} in the last 7 days${titles.length ? `: ${titles.join('; ')}` : ''}`),
      ],
    });
  } else if (context) {
    body.push(text(`No ${context.other === 'cloud' ? 'cloud' : 'on-premises'} alerts for the same users in the last 7 days.`, { isSubtle: true, size: 'Small' }));
  }
  const comments = input.comments;
  if (comments && comments.count > 0 && level < 3) {
    const shown = comments.latest.slice(0, level === 0 ? 2 : 1);
    const lines = shown.map((c) => `💬 **${esc(c.byName, 80)}** (${when(c.at)}): ${esc(c.text, [500, 300, 150][level])}`);
    if (comments.count > shown.length) lines.push(`${comments.count - shown.length} earlier comment${comments.count - shown.length === 1 ? '' : 's'}`);
    body.push(text(lines.join('\n\n'), { size: 'Small' }));
  }
  if (input.notice) body.push(text(esc(input.notice, 600), { color: 'Warning', size: 'Small' }));

  const actions: Element[] = [];
  const atp = openUrl('Open in Azure ATP', a.url, input.linkHosts);
  if (atp) actions.push(atp);
  const mcas = openUrl('Open in Cloud App Security', a.cloud_url, input.linkHosts);
  if (mcas) actions.push(mcas);
  const xdr = openUrl('Open in Defender XDR', a.graph_url, input.linkHosts);
  if (xdr) actions.push(xdr);
  const incident = openUrl('Open the incident', a.incident_url, input.linkHosts);
  if (incident) actions.push(incident);
  if (input.interactive && a.status === 'open') {
    actions.push({
      type: 'Action.ShowCard',
      title: 'Close…',
      card: {
        type: 'AdaptiveCard',
        body: [text('Close this alert as:')],
        actions: (Object.keys(RESOLUTIONS) as Resolution[]).map((r) => execute(RESOLUTIONS[r], 'alert.close', { alertId: a.id, resolution: r }, r === 'truePositive' ? 'destructive' : undefined)),
      },
    });
    actions.push(execute('Assign to me', 'alert.assign', { alertId: a.id }));
    actions.push(execute(muted ? 'Mute 24 h more' : 'Mute 24 h', 'alert.mute', { alertId: a.id, hours: 24 }));
  }
  if (input.interactive) {
    actions.push({
      type: 'Action.ShowCard',
      title: 'Comment…',
      card: {
        type: 'AdaptiveCard',
        body: [{ type: 'Input.Text', id: 'comment', isMultiline: true, maxLength: 1000, placeholder: a.graph_id ? 'Posted to Defender XDR with your name' : 'Kept with the alert in Hybridwatch', label: 'Comment' }],
        actions: [execute('Post comment', 'alert.comment', { alertId: a.id })],
      },
    });
  }
  const refresh = { action: execute('Refresh', 'refresh', { view: 'alert', alertId: a.id }), userIds: (input.refreshUserIds ?? []).slice(0, 60) };
  const summary = plain(`${sev} ${a.status === 'closed' ? '(closed) ' : ''}alert: ${a.title}`, 200);
  return { card: card(body, { actions, refresh, fallbackText: summary }), summary };
}
