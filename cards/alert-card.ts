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

function build(input: AlertCardInput, level: number): CardMessage {
  const { alert: a, context } = input;
  const now = new Date(input.now);
  const maxList = [10, 5, 2, 1][level];
  const fieldMax = [120, 80, 60, 40][level];
  const sev = SEV_LABEL[a.severity] ?? esc(a.severity, 20);
  const body: Element[] = [
    text(`**${sev} severity** · ${SOURCE_TEXT[a.source] ?? 'unknown source'}`, { color: SEVERITY_COLOR[a.severity] ?? 'Default', spacing: 'None' }),
    heading(esc(a.title, [300, 200, 120, 80][level]), { size: 'Medium' }),
    text(statusLine(a), { isSubtle: a.status === 'closed', spacing: 'Small' }),
  ];
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
  if (input.notice) body.push(text(esc(input.notice, 300), { color: 'Warning', size: 'Small' }));

  const actions: Element[] = [];
  const atp = openUrl('Open in Azure ATP', a.url, input.linkHosts);
  if (atp) actions.push(atp);
  const mcas = openUrl('Open in Cloud App Security', a.cloud_url, input.linkHosts);
  if (mcas) actions.push(mcas);
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
  const refresh = { action: execute('Refresh', 'refresh', { view: 'alert', alertId: a.id }), userIds: (input.refreshUserIds ?? []).slice(0, 60) };
  const summary = plain(`${sev} ${a.status === 'closed' ? '(closed) ' : ''}alert: ${a.title}`, 200);
  return { card: card(body, { actions, refresh, fallbackText: summary }), summary };
}
