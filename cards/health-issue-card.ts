import type { HealthIssueView } from '../bot/sources/graph/mdi-health';
import { fact, plain, safeLink, when, type CardMessage, type Fact, type Link } from './card';
import { HEALTH_PAGE, issueFacts } from './health-card';
import { render } from './render';

export interface HealthIssueNotice {
  issue: HealthIssueView;
  status: 'open' | 'closed';
  firstSeen: string;
  closedAt: string | null;
  linkHosts: readonly string[];
}

/** cards/templates/health-issue.json (sample: health-issue.data.json). */
export interface HealthIssueModel {
  closed: boolean;
  closedAt: string;
  title: string;
  description: string;
  facts: Fact[];
  recommended: string;
  links: Link[];
}

export function healthIssueModel(n: HealthIssueNotice): HealthIssueModel {
  const i = n.issue;
  const closed = n.status === 'closed';
  return {
    closed,
    closedAt: closed ? when(n.closedAt) : '',
    title: plain(i.title, 200),
    description: plain(i.description, 800),
    facts: [...issueFacts(i), fact('Seen by Hybridwatch', when(n.firstSeen))],
    recommended: !closed && i.recommendations.length ? `Recommended: ${i.recommendations.slice(0, 3).map((r) => plain(r, 400)).join(' · ')}` : '',
    links: [safeLink('Open the health page', HEALTH_PAGE, n.linkHosts)].filter((l): l is Link => !!l),
  };
}

/** A new open high-severity Defender for Identity health issue, posted to subscribed conversations and updated in place when it closes. */
export function healthIssueCard(n: HealthIssueNotice): CardMessage {
  return render('health-issue', healthIssueModel(n), { summary: `${n.status === 'closed' ? 'Resolved' : 'High'} Defender for Identity health issue: ${n.issue.title}` });
}
