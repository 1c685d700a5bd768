import { detectionFor, detectionNamed } from '../sources/onprem/atp-catalog';
import { cloudTacticsFor } from '../sources/cloud/cloud-tactics';
import { canonicalTactics, type Tactic } from './tactics';

export interface AlertKind {
  /** MITRE tactics, the primary first; empty when nothing says which (the alert still counts, without a tactic). */
  tactics: Tactic[];
  /**
   * Where the activity happened: an Azure ATP detection is on-premises even when it reached us through
   * Cloud App Security (service 20940) without its CEF twin; everything else from the cloud source is cloud.
   */
  environment: 'onprem' | 'cloud';
}

// Last resort for detections no catalog lists yet (new Azure ATP external ids arrive named from CEF).
const KEYWORDS: Array<[RegExp, Tactic]> = [
  [/pass.the.(hash|ticket)|over.?pass|lateral|relay|remote code execution|exploitation/i, 'LateralMovement'],
  [/brute.?force|password spray|roasting|credential|dcsync|honeytoken/i, 'CredentialAccess'],
  [/reconnaissance|enumeration|discovery/i, 'Discovery'],
  [/golden ticket|skeleton key|persistence/i, 'Persistence'],
  [/privilege|elevation/i, 'PrivilegeEscalation'],
  [/exfiltration/i, 'Exfiltration'],
  [/ransomware/i, 'Impact'],
];

function byKeyword(...names: Array<string | null | undefined>): Tactic[] {
  for (const n of names) {
    if (!n) continue;
    const hit = KEYWORDS.find(([re]) => re.test(n));
    if (hit) return [hit[1]];
  }
  return [];
}

/**
 * What the model needs to know about an alert's kind. A source-supplied tactic list wins (Graph's
 * `category`, or Cloud App Security's `intent` for types the catalog does not know); else the
 * catalogs (Azure ATP external id or name, Cloud App Security policy name or title); else keywords.
 */
export function classifyAlert(a: { source: 'onprem' | 'cloud' | 'both'; type: string; typeName?: string | null; title: string; policy?: string | null; tactics?: unknown }): AlertKind {
  const supplied = canonicalTactics(a.tactics ?? []);
  const atp = a.source === 'cloud' ? detectionNamed(a.title) ?? detectionNamed(a.typeName) : detectionFor(a.type) ?? detectionNamed(a.typeName) ?? detectionNamed(a.title);
  const environment = a.source !== 'cloud' || atp ? 'onprem' : 'cloud';
  if (supplied.length) return { tactics: supplied, environment };
  if (atp) return { tactics: [...atp.tactics], environment };
  if (a.source === 'cloud') {
    const cloud = cloudTacticsFor(a.policy, a.typeName, a.title);
    if (cloud) return { tactics: [...cloud], environment };
  }
  return { tactics: byKeyword(a.typeName, a.title), environment };
}
