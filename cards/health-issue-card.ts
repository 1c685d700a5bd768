import type { HealthIssueView } from '../bot/sources/graph/mdi-health';
import { card, esc, facts, heading, openUrl, plain, text, when, type CardMessage, type Element } from './card';
import { issueFacts } from './health-card';

export interface HealthIssueNotice {
  issue: HealthIssueView;
  status: 'open' | 'closed';
  firstSeen: string;
  closedAt: string | null;
  linkHosts: readonly string[];
}

/** A new open high-severity Defender for Identity health issue, posted to subscribed conversations and updated in place when it closes. */
export function healthIssueCard(n: HealthIssueNotice): CardMessage {
  const i = n.issue;
  const closed = n.status === 'closed';
  const body: Element[] = [
    text(closed ? '✅ **No longer open**' : '**High-severity Defender for Identity health issue**', { color: closed ? 'Good' : 'Attention', spacing: 'None' }),
    heading(esc(i.title, 200), { size: 'Medium' }),
  ];
  if (closed) body.push(text(`Defender for Identity no longer lists it as open (since ${when(n.closedAt)}).`, { isSubtle: true, spacing: 'Small' }));
  if (i.description) body.push(text(esc(i.description, 800), { isSubtle: true, size: 'Small' }));
  body.push(facts([...issueFacts(i), ['Seen by Hybridwatch', when(n.firstSeen)]]));
  if (i.recommendations.length && !closed) body.push(text(`Recommended: ${i.recommendations.slice(0, 3).map((r) => esc(r, 400)).join(' · ')}`, { size: 'Small' }));
  const actions: Element[] = [];
  const portal = openUrl('Open the health page', 'https://security.microsoft.com/settings/identities?tabid=health', n.linkHosts);
  if (portal) actions.push(portal);
  const summary = plain(`${closed ? 'Resolved' : 'High'} Defender for Identity health issue: ${i.title}`, 200);
  return { card: card(body, { actions, fallbackText: summary }), summary };
}
