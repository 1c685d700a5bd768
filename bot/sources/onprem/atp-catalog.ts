import type { Severity } from '../../hybrid/alert';

/** One Azure ATP detection type: its permanent external id, documented name and severity. */
export interface AtpDetection {
  externalId: string;
  name: string;
  /** The documented severity; some types are sent at either of two levels (the message decides). */
  severity: Severity;
  /** The other documented level, for types like 2018 "High/Medium". */
  alsoSeverity?: Severity;
  signatureId?: string;
}

const d = (externalId: number, name: string, severity: Severity, signatureId?: string, alsoSeverity?: Severity): AtpDetection => ({
  externalId: String(externalId),
  name,
  severity,
  ...(signatureId ? { signatureId } : {}),
  ...(alsoSeverity ? { alsoSeverity } : {}),
});

/** Every externalId of Microsoft's Azure ATP SIEM log reference (see shared/reference/azure-atp-cef.md). */
export const ATP_DETECTIONS: readonly AtpDetection[] = [
  d(2002, 'Suspected overpass-the-hash attack (Kerberos)', 'medium', 'AbnormalProtocolSecurityAlert'),
  d(2003, 'Account enumeration reconnaissance', 'medium', 'AccountEnumerationSecurityAlert'),
  d(2004, 'Suspected brute force attack (LDAP)', 'medium', 'LdapBruteForceSecurityAlert'),
  d(2006, 'Suspected DCSync attack (replication of directory services)', 'high', 'DirectoryServicesReplicationSecurityAlert'),
  d(2007, 'Network mapping reconnaissance (DNS)', 'medium', 'DnsReconnaissanceSecurityAlert'),
  d(2008, 'Suspected over-pass-the-hash attack (encryption downgrade)', 'medium', 'EncryptionDowngradeSecurityAlert'),
  d(2009, 'Suspected Golden Ticket usage (encryption downgrade)', 'medium', 'GoldenTicketEncryptionDowngradeSecurityAlert'),
  d(2010, 'Suspected skeleton key attack (encryption downgrade)', 'medium', 'EncryptionDowngradeSecurityAlert'),
  d(2012, 'User and IP address reconnaissance (SMB)', 'medium'),
  d(2013, 'Suspected Golden Ticket usage (forged authorization data)', 'high', 'ForgedPacSecurityAlert'),
  d(2014, 'Honeytoken activity', 'medium', 'HoneytokenActivitySecurityAlert'),
  d(2017, 'Suspected identity theft (pass-the-hash)', 'high', 'PassTheHashSecurityAlert'),
  d(2018, 'Suspected identity theft (pass-the-ticket)', 'high', 'PassTheTicketSecurityAlert', 'medium'),
  d(2019, 'Remote code execution attempt', 'medium', 'RemoteExecutionSecurityAlert'),
  d(2020, 'Malicious request of Data Protection API master key', 'high', 'RetrieveDataProtectionBackupKeySecurityAlert'),
  d(2021, 'User and group membership reconnaissance (SAMR)', 'medium', 'SamrReconnaissanceSecurityAlert'),
  d(2022, 'Suspected Golden Ticket usage (time anomaly)', 'high', 'GoldenTicketSecurityAlert'),
  d(2023, 'Suspected brute force attack (Kerberos, NTLM)', 'medium', 'BruteForceSecurityAlert'),
  d(2024, 'Suspicious additions to sensitive groups', 'medium', 'AbnormalSensitiveGroupMembershipChangeSecurityAlert'),
  d(2025, 'Suspicious VPN connection', 'medium', 'AbnormalVpnSecurityAlert'),
  d(2026, 'Suspicious service creation', 'medium', 'MaliciousServiceCreationSecurityAlert'),
  d(2027, 'Suspected Golden Ticket usage (nonexistent account)', 'high', 'ForgedPrincipalSecurityAlert'),
  d(2028, 'Suspected DCShadow attack (domain controller promotion)', 'high', 'DirectoryServicesRoguePromotionSecurityAlert'),
  d(2029, 'Suspected DCShadow attack (domain controller replication request)', 'high', 'DirectoryServicesRogueReplicationSecurityAlert'),
  d(2030, 'Data exfiltration over SMB', 'high', 'SmbDataExfiltrationSecurityAlert'),
  d(2031, 'Suspicious communication over DNS', 'medium', 'DnsSuspiciousCommunicationSecurityAlert'),
  d(2032, 'Suspected Golden Ticket usage (ticket anomaly)', 'high', 'GoldenTicketSizeAnomalySecurityAlert'),
  d(2033, 'Suspected brute force attack (SMB)', 'medium', 'AbnormalProtocolSecurityAlert'),
  d(2034, 'Suspected use of Metasploit hacking framework', 'medium', 'AbnormalProtocolSecurityAlert'),
  d(2035, 'Suspected WannaCry ransomware attack', 'medium', 'AbnormalProtocolSecurityAlert'),
  d(2036, 'Remote code execution over DNS', 'medium', 'DnsRemoteCodeExecutionSecurityAlert'),
  d(2037, 'Suspected NTLM relay attack (Exchange account)', 'medium', undefined, 'low'),
  d(2038, 'Security principal reconnaissance (LDAP)', 'medium', 'LdapSearchReconnaissanceSecurityAlert'),
  d(2039, 'Suspected NTLM authentication tampering', 'medium', 'AbnormalNtlmSigningSecurityAlert'),
  d(2040, 'Suspected Golden Ticket usage (ticket anomaly using RBCD)', 'high'),
  d(2047, 'Suspected rogue Kerberos certificate usage', 'high'),
  d(2210, 'Active Directory attributes reconnaissance (LDAP)', 'medium'),
  d(2406, 'Suspected SMB packet manipulation (CVE-2020-0796 exploitation)', 'high'),
  d(2410, 'Suspected Kerberos SPN exposure', 'high'),
  d(2411, 'Suspected Netlogon privilege elevation attempt (CVE-2020-1472)', 'high'),
  d(2412, 'Suspected AS-REP Roasting attack', 'high'),
  d(2414, 'Exchange Server Remote Code Execution (CVE-2021-26855)', 'high'),
  d(2415, 'Suspected exploitation attempt on Windows Print Spooler service', 'high', undefined, 'medium'),
  d(2416, 'Suspicious network connection over EFS-RPC', 'high', undefined, 'medium'),
  d(2419, 'Suspicious modification of a sAMNameAccount attribute (CVE-2021-42278/42287)', 'high'),
];

const BY_ID = new Map(ATP_DETECTIONS.map((x) => [x.externalId, x]));

export function detectionFor(externalId: string | undefined): AtpDetection | undefined {
  return externalId === undefined ? undefined : BY_ID.get(externalId.trim());
}
