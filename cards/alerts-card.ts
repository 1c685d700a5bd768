import { SEVERITY_COLOR, ago, card, esc, heading, text, when, type CardMessage, type Element } from './card';

export interface AlertsListItem {
  id: string;
  title: string;
  severity: string;
  source: 'onprem' | 'cloud' | 'both';
  /** Display names / account names of the alert's users (untrusted). */
  users: string[];
  lastSeen: string;
  triggerCount: number;
  /** Same user has alerts on the other side within 24 h. */
  hybridChain: boolean;
  /** How many of the other environment's alerts the users have in the last 7 days. */
  otherCount: number;
}

export interface AlertsListData {
  items: AlertsListItem[];
  openTotal: number;
  now: string;
}

const SOURCE: Record<AlertsListItem['source'], string> = { onprem: 'On-premises', cloud: 'Cloud', both: 'On-premises + cloud' };
const OTHER: Record<AlertsListItem['source'], string> = { onprem: 'in the cloud', cloud: 'on-premises', both: 'in the cloud' };

/** `alerts`: the latest open hybrid alerts, newest first. */
export function alertsCard(d: AlertsListData): CardMessage {
  const now = new Date(d.now);
  const body: Element[] = [heading('Open alerts'), text(`${d.openTotal} open · newest ${d.items.length} shown`, { isSubtle: true })];
  if (!d.items.length) body.push(text('No open alerts.'));
  d.items.forEach((a, i) => {
    const users = a.users.slice(0, 3).map((u) => esc(u, 60)).join(', ') + (a.users.length > 3 ? ` and ${a.users.length - 3} more` : '');
    const extra: string[] = [`${SOURCE[a.source]}`, `last seen ${when(a.lastSeen)} (${ago(a.lastSeen, now)})`];
    if (a.triggerCount > 1) extra.push(`triggered ${a.triggerCount}×`);
    if (a.otherCount > 0) extra.push(`also ${OTHER[a.source]}: ${a.otherCount}`);
    body.push({
      type: 'Container',
      separator: i > 0,
      spacing: 'Small',
      items: [
        text(`**${esc(a.title, 120)}** · ${esc(a.severity, 20)}${a.hybridChain ? ' · ⛓ hybrid chain' : ''}`, { color: SEVERITY_COLOR[a.severity] ?? 'Default' }),
        text(`${users || 'no user named'} · ${extra.join(' · ')}`, { isSubtle: true, size: 'Small', spacing: 'None' }),
      ],
    });
  });
  const summary = `Open alerts: ${d.openTotal}`;
  return { card: card(body, { fallbackText: summary }), summary };
}
