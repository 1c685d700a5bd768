import { card, esc, facts, heading, text, type CardMessage, type Element } from './card';

export interface PolicyDetection {
  externalId: string;
  name: string;
  severity: string;
  alsoSeverity?: string;
  /** Alerts of this type in the ledger. */
  seen: number;
}

export interface PoliciesData {
  detections: PolicyDetection[];
  /** Azure ATP types seen that the catalog does not know (new detections), named from the CEF name. */
  otherSeen: Array<{ type: string; name: string; seen: number }>;
  cloudConfigured: boolean;
  cloudPolicies: Array<{ policy: string; seen: number }>;
}

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** `policies`: the Azure ATP detections (external id, name, severity) beside the cloud policies seen. */
export function policiesCard(d: PoliciesData): CardMessage {
  const seenTypes = d.detections.filter((x) => x.seen > 0).length;
  const body: Element[] = [
    heading('Policies and detections'),
    text(`**Azure ATP detections** (${d.detections.length} known; ${seenTypes} seen here). Alert types are identified by their permanent external id, not their name.`, { wrap: true }),
    facts(d.detections.map((x) => [`${esc(x.externalId, 12)} · ${cap(x.severity)}${x.alsoSeverity ? `/${cap(x.alsoSeverity)}` : ''}`, `${esc(x.name, 120)}${x.seen ? ` (${x.seen} seen)` : ''}`])),
  ];
  if (d.otherSeen.length) {
    body.push(text('**Other Azure ATP detections seen** (not in the catalog yet)'));
    body.push(facts(d.otherSeen.slice(0, 30).map((x) => [esc(x.type, 40), `${esc(x.name, 120)} (${x.seen} seen)`])));
  }
  body.push(text('**Cloud App Security policies seen**', { separator: true }));
  if (!d.cloudConfigured && d.cloudPolicies.length === 0) body.push(text('The cloud source is not configured (on-premises alone works).', { isSubtle: true }));
  else if (d.cloudPolicies.length === 0) body.push(text('None seen yet.', { isSubtle: true }));
  else body.push(facts(d.cloudPolicies.slice(0, 40).map((p) => [esc(p.policy, 100), `${p.seen} alert${p.seen === 1 ? '' : 's'}`])));
  return { card: card(body, { fallbackText: 'Azure ATP detections and cloud policies' }), summary: `Policies: ${d.detections.length} Azure ATP detections, ${d.cloudPolicies.length} cloud policies seen` };
}
