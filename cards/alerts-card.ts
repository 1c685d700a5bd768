import { ago, colorOf, plain, when, type CardMessage } from './card';
import { renderFitted } from './render';

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

/** One list row: what it says, and the alert it opens (`alert.show`). Shared by lists of alerts. */
export interface AlertRowModel {
  id: string;
  title: string;
  severity: string;
  color: string;
  chain: boolean;
  users: string;
  details: string;
}

/** cards/templates/alerts.json. */
export interface AlertsModel {
  openTotal: string;
  shown: string;
  rows: AlertRowModel[];
}

const SOURCE: Record<AlertsListItem['source'], string> = { onprem: 'On-premises', cloud: 'Cloud', both: 'On-premises + cloud' };
const OTHER: Record<AlertsListItem['source'], string> = { onprem: 'in the cloud', cloud: 'on-premises', both: 'in the cloud' };

export function alertsModel(d: AlertsListData, level = 0): AlertsModel {
  const now = new Date(d.now);
  const [titleMax, nameMax, names] = [[120, 80, 50][level], [60, 40, 30][level], [3, 2, 1][level]];
  return {
    openTotal: String(d.openTotal),
    shown: String(d.items.length),
    rows: d.items.map((a) => {
      const extra = [SOURCE[a.source], `last seen ${when(a.lastSeen)} (${ago(a.lastSeen, now)})`];
      if (a.triggerCount > 1) extra.push(`triggered ${a.triggerCount}×`);
      if (a.otherCount > 0) extra.push(`also ${OTHER[a.source]}: ${a.otherCount}`);
      const users = a.users.slice(0, names).map((u) => plain(u, nameMax)).join(', ') + (a.users.length > names ? ` and ${a.users.length - names} more` : '');
      return { id: a.id, title: plain(a.title, titleMax), severity: plain(a.severity, 20), color: colorOf(a.severity), chain: a.hybridChain, users: users || 'no user named', details: extra.join(' · ') };
    }),
  };
}

/** `alerts`: the latest open hybrid alerts, newest first; each row opens its alert card. */
export function alertsCard(d: AlertsListData): CardMessage {
  return renderFitted('alerts', 3, (level) => alertsModel(d, level), { summary: `Open alerts: ${d.openTotal}` });
}
