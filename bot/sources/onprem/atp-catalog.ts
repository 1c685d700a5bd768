import type { Severity } from '../../hybrid/alert';
import type { Tactic } from '../../hybrid/tactics';

/** One Azure ATP detection type: its permanent external id, documented name, severity and MITRE tactics. */
export interface AtpDetection {
  externalId: string;
  name: string;
  /** The documented severity; some types are sent at either of two levels (the message decides). */
  severity: Severity;
  /**
   * MITRE ATT&CK tactics as Microsoft documents them for this alert, the primary first. Source:
   * Microsoft Learn, "Security alerts in Microsoft Defender for Identity" (alerts-overview, the
   * external-ID table's "MITRE ATT&CK Matrix" column) and the per-phase pages' "Primary / Secondary
   * MITRE tactic" rows (reconnaissance-discovery-, credential-access-, lateral-movement-,
   * persistence-privilege-escalation- and other-alerts; MicrosoftDocs/ATADocs ATPDocs/*.md, 2023).
   * Where a page names a primary tactic it comes first (2038 is Discovery first, Credential access
   * second; 2019 Execution, then Lateral movement); else the overview table's order.
   */
  tactics: Tactic[];
  /** The other documented level, for types like 2018 "High/Medium". */
  alsoSeverity?: Severity;
  signatureId?: string;
}

const d = (externalId: number, name: string, severity: Severity, tactics: Tactic[], signatureId?: string, alsoSeverity?: Severity): AtpDetection => ({
  externalId: String(externalId),
  name,
  severity,
  tactics,
  ...(signatureId ? { signatureId } : {}),
  ...(alsoSeverity ? { alsoSeverity } : {}),
});

/** Every externalId of Microsoft's Azure ATP SIEM log reference (see shared/reference/azure-atp-cef.md). */
export const ATP_DETECTIONS: readonly AtpDetection[] = [
  d(2002, 'Suspected overpass-the-hash attack (Kerberos)', 'medium', ['LateralMovement'], 'AbnormalProtocolSecurityAlert'),
  d(2003, 'Account enumeration reconnaissance', 'medium', ['Discovery'], 'AccountEnumerationSecurityAlert'),
  d(2004, 'Suspected brute force attack (LDAP)', 'medium', ['CredentialAccess'], 'LdapBruteForceSecurityAlert'),
  d(2006, 'Suspected DCSync attack (replication of directory services)', 'high', ['CredentialAccess', 'Persistence'], 'DirectoryServicesReplicationSecurityAlert'),
  d(2007, 'Network mapping reconnaissance (DNS)', 'medium', ['Discovery'], 'DnsReconnaissanceSecurityAlert'),
  d(2008, 'Suspected over-pass-the-hash attack (encryption downgrade)', 'medium', ['LateralMovement', 'DefenseEvasion'], 'EncryptionDowngradeSecurityAlert'),
  d(2009, 'Suspected Golden Ticket usage (encryption downgrade)', 'medium', ['Persistence', 'PrivilegeEscalation', 'LateralMovement'], 'GoldenTicketEncryptionDowngradeSecurityAlert'),
  d(2010, 'Suspected skeleton key attack (encryption downgrade)', 'medium', ['Persistence', 'LateralMovement'], 'EncryptionDowngradeSecurityAlert'),
  d(2012, 'User and IP address reconnaissance (SMB)', 'medium', ['Discovery']),
  d(2013, 'Suspected Golden Ticket usage (forged authorization data)', 'high', ['CredentialAccess'], 'ForgedPacSecurityAlert'),
  d(2014, 'Honeytoken activity', 'medium', ['CredentialAccess', 'Discovery'], 'HoneytokenActivitySecurityAlert'),
  d(2017, 'Suspected identity theft (pass-the-hash)', 'high', ['LateralMovement'], 'PassTheHashSecurityAlert'),
  d(2018, 'Suspected identity theft (pass-the-ticket)', 'high', ['LateralMovement'], 'PassTheTicketSecurityAlert', 'medium'),
  d(2019, 'Remote code execution attempt', 'medium', ['Execution', 'LateralMovement'], 'RemoteExecutionSecurityAlert'),
  d(2020, 'Malicious request of Data Protection API master key', 'high', ['CredentialAccess'], 'RetrieveDataProtectionBackupKeySecurityAlert'),
  d(2021, 'User and group membership reconnaissance (SAMR)', 'medium', ['Discovery'], 'SamrReconnaissanceSecurityAlert'),
  d(2022, 'Suspected Golden Ticket usage (time anomaly)', 'high', ['Persistence', 'PrivilegeEscalation', 'LateralMovement'], 'GoldenTicketSecurityAlert'),
  d(2023, 'Suspected brute force attack (Kerberos, NTLM)', 'medium', ['CredentialAccess'], 'BruteForceSecurityAlert'),
  d(2024, 'Suspicious additions to sensitive groups', 'medium', ['Persistence', 'CredentialAccess'], 'AbnormalSensitiveGroupMembershipChangeSecurityAlert'),
  d(2025, 'Suspicious VPN connection', 'medium', ['DefenseEvasion', 'Persistence'], 'AbnormalVpnSecurityAlert'),
  d(2026, 'Suspicious service creation', 'medium', ['Execution', 'Persistence', 'PrivilegeEscalation', 'DefenseEvasion', 'LateralMovement'], 'MaliciousServiceCreationSecurityAlert'),
  d(2027, 'Suspected Golden Ticket usage (nonexistent account)', 'high', ['Persistence', 'PrivilegeEscalation', 'LateralMovement'], 'ForgedPrincipalSecurityAlert'),
  d(2028, 'Suspected DCShadow attack (domain controller promotion)', 'high', ['DefenseEvasion'], 'DirectoryServicesRoguePromotionSecurityAlert'),
  d(2029, 'Suspected DCShadow attack (domain controller replication request)', 'high', ['DefenseEvasion'], 'DirectoryServicesRogueReplicationSecurityAlert'),
  d(2030, 'Data exfiltration over SMB', 'high', ['Exfiltration', 'LateralMovement', 'CommandAndControl'], 'SmbDataExfiltrationSecurityAlert'),
  d(2031, 'Suspicious communication over DNS', 'medium', ['Exfiltration'], 'DnsSuspiciousCommunicationSecurityAlert'),
  d(2032, 'Suspected Golden Ticket usage (ticket anomaly)', 'high', ['Persistence', 'PrivilegeEscalation', 'LateralMovement'], 'GoldenTicketSizeAnomalySecurityAlert'),
  d(2033, 'Suspected brute force attack (SMB)', 'medium', ['LateralMovement'], 'AbnormalProtocolSecurityAlert'),
  d(2034, 'Suspected use of Metasploit hacking framework', 'medium', ['LateralMovement'], 'AbnormalProtocolSecurityAlert'),
  d(2035, 'Suspected WannaCry ransomware attack', 'medium', ['LateralMovement'], 'AbnormalProtocolSecurityAlert'),
  d(2036, 'Remote code execution over DNS', 'medium', ['LateralMovement', 'PrivilegeEscalation'], 'DnsRemoteCodeExecutionSecurityAlert'),
  d(2037, 'Suspected NTLM relay attack (Exchange account)', 'medium', ['LateralMovement', 'PrivilegeEscalation'], undefined, 'low'),
  d(2038, 'Security principal reconnaissance (LDAP)', 'medium', ['Discovery', 'CredentialAccess'], 'LdapSearchReconnaissanceSecurityAlert'),
  d(2039, 'Suspected NTLM authentication tampering', 'medium', ['LateralMovement', 'PrivilegeEscalation'], 'AbnormalNtlmSigningSecurityAlert'),
  d(2040, 'Suspected Golden Ticket usage (ticket anomaly using RBCD)', 'high', ['Persistence', 'PrivilegeEscalation']),
  d(2047, 'Suspected rogue Kerberos certificate usage', 'high', ['LateralMovement', 'Persistence', 'PrivilegeEscalation']),
  d(2210, 'Active Directory attributes reconnaissance (LDAP)', 'medium', ['Discovery']),
  d(2406, 'Suspected SMB packet manipulation (CVE-2020-0796 exploitation)', 'high', ['LateralMovement']),
  d(2410, 'Suspected Kerberos SPN exposure', 'high', ['CredentialAccess']),
  d(2411, 'Suspected Netlogon privilege elevation attempt (CVE-2020-1472)', 'high', ['PrivilegeEscalation']),
  d(2412, 'Suspected AS-REP Roasting attack', 'high', ['CredentialAccess']),
  d(2414, 'Exchange Server Remote Code Execution (CVE-2021-26855)', 'high', ['LateralMovement']),
  d(2415, 'Suspected exploitation attempt on Windows Print Spooler service', 'high', ['LateralMovement'], undefined, 'medium'),
  d(2416, 'Suspicious network connection over EFS-RPC', 'high', ['LateralMovement'], undefined, 'medium'),
  d(2419, 'Suspicious modification of a sAMNameAccount attribute (CVE-2021-42278/42287)', 'high', ['CredentialAccess']),
];

const BY_ID = new Map(ATP_DETECTIONS.map((x) => [x.externalId, x]));

export function detectionFor(externalId: string | undefined): AtpDetection | undefined {
  return externalId === undefined ? undefined : BY_ID.get(externalId.trim());
}

const nameKey = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim();
const BY_NAME = new Map(ATP_DETECTIONS.map((x) => [nameKey(x.name), x]));

/** The detection an alert title names (an Azure ATP alert seen through Cloud App Security carries the name, not the id). */
export function detectionNamed(name: string | null | undefined): AtpDetection | undefined {
  return name ? BY_NAME.get(nameKey(name)) : undefined;
}
