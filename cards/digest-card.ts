import { colorOf, fact, plain, when, type CardMessage, type Fact } from './card';
import { renderFitted } from './render';

export interface DigestAlert {
  id: string;
  title: string;
  severity: string;
  /** Display names of the alert's users (untrusted). */
  users: string[];
}

export interface DigestCardInput {
  windowStart: string;
  windowEnd: string;
  total: number;
  bySeverity: Record<string, number>;
  byType: Array<[string, number]>;
  topUsers: Array<[string, number]>;
  updatedAt: string;
  /** The alerts of the window, newest first (the card lists the first few; each opens its alert card). */
  alerts?: DigestAlert[];
}

/** cards/templates/digest.json. */
export interface DigestModel {
  heading: string;
  from: string;
  to: string;
  facts: Fact[];
  byType: Fact[];
  topUsers: Fact[];
  /** Each row opens its alert card (`alert.show`). */
  alerts: Array<{ id: string; title: string; severity: string; color: string; users: string }>;
  /** "and 465 more: send alerts" when not all are listed; else "". */
  moreAlerts: string;
}

const ORDER = ['high', 'medium', 'low', 'informational'];
/** Alerts listed with an Open button; the rest are counted (every one stays reachable with `alerts`). */
export const DIGEST_LISTED = 15;

const severities = (d: DigestCardInput) => ORDER.filter((s) => d.bySeverity[s]).map((s) => `${d.bySeverity[s]} ${s}`).join(', ') || 'none';

export function digestModel(d: DigestCardInput, level = 0): DigestModel {
  const [listed, rows, max] = [[DIGEST_LISTED, 8, 3][level], [10, 5, 3][level], [100, 60, 40][level]];
  const alerts = d.alerts ?? [];
  return {
    heading: `${d.total} more alert${d.total === 1 ? '' : 's'} (digest)`,
    from: when(d.windowStart),
    to: when(d.windowEnd),
    facts: [fact('By severity', severities(d)), fact('Updated', when(d.updatedAt))],
    byType: d.byType.slice(0, rows).map(([t, n]) => fact(String(n), plain(t, max))),
    topUsers: d.topUsers.slice(0, rows).map(([u, n]) => fact(String(n), plain(u, max))),
    alerts: alerts.slice(0, listed).map((a) => ({
      id: a.id,
      title: plain(a.title, max),
      severity: plain(a.severity, 20),
      color: colorOf(a.severity),
      users: a.users.slice(0, 2).map((u) => plain(u, 40)).join(', ') + (a.users.length > 2 ? ` and ${a.users.length - 2} more` : '') || 'no user named',
    })),
    moreAlerts: d.total > Math.min(listed, alerts.length) ? `${d.total - Math.min(listed, alerts.length)} more not listed here: send ` : '',
  };
}

/** When a conversation would get more than its per-minute card budget, the rest of the minute lands here. */
export function digestCard(d: DigestCardInput): CardMessage {
  return renderFitted('digest', 3, (level) => digestModel(d, level), { summary: `Digest: ${d.total} more alert${d.total === 1 ? '' : 's'} (${severities(d)})` });
}
