import type { Tactic } from '../../hybrid/tactics';

/**
 * Cloud App Security (Defender for Cloud Apps) alert types → MITRE ATT&CK tactic, as Microsoft files
 * them. Source: Microsoft Learn, "How to investigate anomaly detection alerts" (Defender for Cloud Apps;
 * MicrosoftDocs/CloudAppSecurityDocs investigate-anomaly-alerts.md), which groups every anomaly
 * detection policy under its tactic: Initial access (impossible travel, activity from infrequent
 * country / anonymous / suspicious IP addresses, misleading OAuth app or publisher name), Execution
 * (multiple storage deletion, multiple VM creation, unusual cloud-region creation), Persistence
 * (activity by a terminated user, CloudTrail changes, suspicious email deletion, suspicious inbox
 * manipulation rule), Privilege escalation (unusual administrative activity), Credential access
 * (multiple failed login attempts), Collection (Power BI report sharing, unusual impersonated
 * activity), Exfiltration (suspicious inbox forwarding, unusual file download — the "Mass download by a
 * single user" policy template is the same behaviour —, unusual file share), Impact (multiple VM
 * deletions, ransomware, unusual file deletion).
 *
 * Cloud policy ids are tenant-specific, so the policy's name (or the alert title) is matched: the
 * first entry whose phrase occurs in it wins.
 */
const CLOUD: Array<{ phrases: string[]; tactics: Tactic[] }> = [
  { phrases: ['impossible travel', 'infrequent country', 'anonymous ip', 'suspicious ip', 'misleading oauth', 'misleading publisher'], tactics: ['InitialAccess'] },
  { phrases: ['multiple storage deletion', 'multiple vm creation', 'creation activity for cloud region'], tactics: ['Execution'] },
  { phrases: ['terminated user', 'cloudtrail', 'email deletion', 'inbox manipulation'], tactics: ['Persistence'] },
  { phrases: ['administrative activit'], tactics: ['PrivilegeEscalation'] },
  { phrases: ['failed login', 'failed logon', 'failed sign in'], tactics: ['CredentialAccess'] },
  { phrases: ['power bi', 'impersonated activit'], tactics: ['Collection'] },
  { phrases: ['inbox forwarding', 'file download', 'mass download', 'file share', 'file sharing'], tactics: ['Exfiltration'] },
  { phrases: ['delete vm', 'ransomware', 'file deletion', 'unusual deletion'], tactics: ['Impact'] },
];

const norm = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim();

/** The documented tactic of a cloud alert from its policy name or title; null for a type Microsoft's list does not name. */
export function cloudTacticsFor(...names: Array<string | null | undefined>): Tactic[] | null {
  for (const raw of names) {
    if (!raw) continue;
    const n = norm(raw);
    const hit = CLOUD.find((c) => c.phrases.some((p) => n.includes(p)));
    if (hit) return hit.tactics;
  }
  return null;
}
