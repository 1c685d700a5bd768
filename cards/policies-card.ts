import { fact, plain, type CardMessage, type Fact } from './card';
import { renderFitted } from './render';

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

/** cards/templates/policies.json. */
export interface PoliciesModel {
  known: string;
  seenHere: string;
  detections: Fact[];
  otherSeen: Fact[];
  /** A sentence instead of the cloud list ("not configured", "none seen yet"); "" when there is a list. */
  cloudNote: string;
  cloudPolicies: Fact[];
}

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

export function policiesModel(d: PoliciesData, level = 0): PoliciesModel {
  const [others, clouds, max] = [[30, 15, 5][level], [40, 20, 5][level], [120, 80, 40][level]];
  return {
    known: String(d.detections.length),
    seenHere: String(d.detections.filter((x) => x.seen > 0).length),
    detections: d.detections.slice(0, 60).map((x) => fact(`${plain(x.externalId, 12)} · ${cap(x.severity)}${x.alsoSeverity ? `/${cap(x.alsoSeverity)}` : ''}`, `${plain(x.name, max)}${x.seen ? ` (${x.seen} seen)` : ''}`)),
    otherSeen: d.otherSeen.slice(0, others).map((x) => fact(plain(x.type, 40), `${plain(x.name, max)} (${x.seen} seen)`)),
    cloudNote: !d.cloudConfigured && d.cloudPolicies.length === 0 ? 'The cloud source is not configured (on-premises alone works).' : d.cloudPolicies.length === 0 ? 'None seen yet.' : '',
    cloudPolicies: d.cloudPolicies.slice(0, clouds).map((p) => fact(plain(p.policy, max), `${p.seen} alert${p.seen === 1 ? '' : 's'}`)),
  };
}

/** `policies`: the Azure ATP detections (external id, name, severity) beside the cloud policies seen. */
export function policiesCard(d: PoliciesData): CardMessage {
  return renderFitted('policies', 3, (level) => policiesModel(d, level), {
    summary: `Policies: ${d.detections.length} Azure ATP detections, ${d.cloudPolicies.length} cloud policies seen`,
    fallbackText: 'Azure ATP detections and cloud policies',
  });
}
