import type { Rng } from './rng';

export type Sev = 'low' | 'medium' | 'high';

/** An alert type the generator can emit, with how severe it is when it fires (the same for noise and attacks). */
export interface Kind {
  key: string;
  side: 'onprem' | 'cloud';
  name: string;
  /** Azure ATP externalId and SignatureId (on-premises). */
  externalId?: string;
  signature?: string;
  severities: ReadonlyArray<readonly [Sev, number]>;
  /** For the report only (never given to the model): an on-prem credential-access / lateral-movement type. */
  chainStart?: boolean;
}

const onprem = (key: string, externalId: string, name: string, signature: string, severities: Kind['severities'], chainStart = false): Kind => ({ key, side: 'onprem', externalId, name, signature, severities, chainStart });
const cloud = (key: string, name: string, severities: Kind['severities']): Kind => ({ key, side: 'cloud', name, severities });
const M: Kind['severities'] = [['medium', 1]];
const H: Kind['severities'] = [['high', 1]];

/** Azure ATP detections (names, ids and severities from Microsoft's SIEM log reference). */
export const ONPREM = {
  accountEnum: onprem('accountEnum', '2003', 'Account enumeration reconnaissance', 'AccountEnumerationSecurityAlert', M),
  ldapBf: onprem('ldapBf', '2004', 'Suspected brute force attack (LDAP)', 'LdapBruteForceSecurityAlert', M, true),
  dcsync: onprem('dcsync', '2006', 'Suspected DCSync attack (replication of directory services)', 'DirectoryServicesReplicationSecurityAlert', H, true),
  dnsRecon: onprem('dnsRecon', '2007', 'Network mapping reconnaissance (DNS)', 'DnsReconnaissanceSecurityAlert', M),
  overpassDowngrade: onprem('overpassDowngrade', '2008', 'Suspected over-pass-the-hash attack (encryption downgrade)', 'EncryptionDowngradeSecurityAlert', M, true),
  smbRecon: onprem('smbRecon', '2012', 'User and IP address reconnaissance (SMB)', 'SmbSessionEnumerationSecurityAlert', M),
  pth: onprem('pth', '2017', 'Suspected identity theft (pass-the-hash)', 'PassTheHashSecurityAlert', H, true),
  ptt: onprem('ptt', '2018', 'Suspected identity theft (pass-the-ticket)', 'PassTheTicketSecurityAlert', [['high', 0.7], ['medium', 0.3]], true),
  overpass: onprem('overpass', '2002', 'Suspected overpass-the-hash attack (Kerberos)', 'AbnormalProtocolSecurityAlert', M, true),
  rce: onprem('rce', '2019', 'Remote code execution attempt', 'RemoteExecutionSecurityAlert', M),
  dpapi: onprem('dpapi', '2020', 'Malicious request of Data Protection API master key', 'RetrieveDataProtectionBackupKeySecurityAlert', H, true),
  samr: onprem('samr', '2021', 'User and group membership reconnaissance (SAMR)', 'SamrReconnaissanceSecurityAlert', M),
  goldenTime: onprem('goldenTime', '2022', 'Suspected Golden Ticket usage (time anomaly)', 'GoldenTicketSecurityAlert', H),
  kerbBf: onprem('kerbBf', '2023', 'Suspected brute force attack (Kerberos, NTLM)', 'BruteForceSecurityAlert', M, true),
  sensitiveGroups: onprem('sensitiveGroups', '2024', 'Suspicious additions to sensitive groups', 'AbnormalSensitiveGroupMembershipChangeSecurityAlert', M),
  vpn: onprem('vpn', '2025', 'Suspicious VPN connection', 'AbnormalVpnSecurityAlert', M),
  service: onprem('service', '2026', 'Suspicious service creation', 'MaliciousServiceCreationSecurityAlert', M),
  smbExfil: onprem('smbExfil', '2030', 'Data exfiltration over SMB', 'SmbDataExfiltrationSecurityAlert', H),
  smbBf: onprem('smbBf', '2033', 'Suspected brute force attack (SMB)', 'AbnormalProtocolSecurityAlert', M, true),
  ldapRecon: onprem('ldapRecon', '2038', 'Security principal reconnaissance (LDAP)', 'LdapSearchReconnaissanceSecurityAlert', M),
  rogueCert: onprem('rogueCert', '2047', 'Suspected rogue Kerberos certificate usage', 'RogueCertificateSecurityAlert', H, true),
  attrRecon: onprem('attrRecon', '2210', 'Active Directory attributes reconnaissance (LDAP)', 'LdapSensitiveAttributeReconnaissanceSecurityAlert', M),
  spn: onprem('spn', '2410', 'Suspected Kerberos SPN exposure', 'KerberosSpnExposureSecurityAlert', H, true),
  asrep: onprem('asrep', '2412', 'Suspected AS-REP Roasting attack', 'AsRepRoastingSecurityAlert', H, true),
} satisfies Record<string, Kind>;

/** Cloud App Security alerts (policy names as the anomaly-detection policies are called). */
export const CLOUD = {
  impossibleTravel: cloud('impossibleTravel', 'Impossible travel activity', [['low', 0.15], ['medium', 0.6], ['high', 0.25]]),
  infrequentCountry: cloud('infrequentCountry', 'Activity from infrequent country', [['low', 0.5], ['medium', 0.5]]),
  anonymousIp: cloud('anonymousIp', 'Activity from anonymous IP addresses', [['low', 0.55], ['medium', 0.45]]),
  suspiciousIp: cloud('suspiciousIp', 'Activity from suspicious IP addresses', [['medium', 0.7], ['high', 0.3]]),
  failedLogins: cloud('failedLogins', 'Multiple failed login attempts', [['low', 0.6], ['medium', 0.4]]),
  massDownload: cloud('massDownload', 'Unusual file download (by user)', [['medium', 0.7], ['high', 0.3]]),
  inboxForwarding: cloud('inboxForwarding', 'Suspicious inbox forwarding', [['medium', 0.6], ['high', 0.4]]),
  inboxRule: cloud('inboxRule', 'Suspicious inbox manipulation rule', [['low', 0.4], ['medium', 0.6]]),
  ransomware: cloud('ransomware', 'Ransomware activity', H),
  fileDeletion: cloud('fileDeletion', 'Unusual file deletion activity (by user)', [['medium', 0.8], ['high', 0.2]]),
  fileShare: cloud('fileShare', 'Unusual file share activity (by user)', M),
  adminActivity: cloud('adminActivity', 'Unusual administrative activity (by user)', [['low', 0.3], ['medium', 0.7]]),
} satisfies Record<string, Kind>;

export const severityOf = (k: Kind, rng: Rng): Sev => rng.weighted(k.severities);

/** Everyday noise of a realistic tenant: kind and share of a user's weekly alerts. */
export const ONPREM_NOISE: ReadonlyArray<readonly [Kind, number]> = [
  [ONPREM.vpn, 0.24],
  [ONPREM.dnsRecon, 0.14],
  [ONPREM.samr, 0.14],
  [ONPREM.smbBf, 0.12],
  [ONPREM.kerbBf, 0.12],
  [ONPREM.ldapRecon, 0.07],
  [ONPREM.accountEnum, 0.06],
  [ONPREM.smbRecon, 0.04],
  [ONPREM.ldapBf, 0.03],
  [ONPREM.rce, 0.02],
  [ONPREM.attrRecon, 0.02],
];
export const CLOUD_NOISE: ReadonlyArray<readonly [Kind, number]> = [
  [CLOUD.infrequentCountry, 0.28],
  [CLOUD.anonymousIp, 0.24],
  [CLOUD.impossibleTravel, 0.2],
  [CLOUD.failedLogins, 0.1],
  [CLOUD.massDownload, 0.08],
  [CLOUD.inboxRule, 0.04],
  [CLOUD.adminActivity, 0.03],
  [CLOUD.suspiciousIp, 0.03],
];
/**
 * Rare false positives of the kinds attacks use, per user per week: nothing in an attack is a type
 * noise never shows. Lateral-movement false positives at 0.00085 per user per week (≈ 4 a week in a
 * 5,000-user tenant, ≈ 18 a month) — on the high side of what these Defender for Identity detections
 * produce; `--rare-fp=N` multiplies them (and the fp-high profile's rate) for a stress run.
 */
export const RARE_NOISE: ReadonlyArray<readonly [Kind, number]> = [
  [ONPREM.overpass, 0.0003],
  [ONPREM.overpassDowngrade, 0.0003],
  [ONPREM.ptt, 0.0001],
  [ONPREM.pth, 0.0001],
  [ONPREM.rogueCert, 0.00005],
  [CLOUD.inboxForwarding, 0.004],
  [CLOUD.fileDeletion, 0.004],
  [CLOUD.fileShare, 0.004],
  [CLOUD.ransomware, 0.0005],
];
/**
 * Single high-severity false positives (the "fp-high" profile). The ones that in real tenants come from
 * service accounts (directory sync replicating = "DCSync", vulnerability scanners roasting SPNs and
 * AS-REP, Kerberos clock skew) hit service accounts; the others hit ordinary users.
 */
export const HIGH_FP_SERVICE: readonly Kind[] = [ONPREM.dcsync, ONPREM.spn, ONPREM.asrep, ONPREM.goldenTime];
export const HIGH_FP_USER: readonly Kind[] = [ONPREM.pth, ONPREM.ptt, ONPREM.smbExfil, ONPREM.dpapi, CLOUD.ransomware, CLOUD.massDownload];
/** What a busy helpdesk / admin team sets off every day. */
export const HELPDESK: ReadonlyArray<readonly [Kind, number]> = [
  [ONPREM.accountEnum, 0.16],
  [ONPREM.samr, 0.16],
  [ONPREM.ldapRecon, 0.14],
  [ONPREM.attrRecon, 0.1],
  [ONPREM.smbRecon, 0.08],
  [ONPREM.rce, 0.12],
  [ONPREM.service, 0.08],
  [ONPREM.sensitiveGroups, 0.04],
  [ONPREM.smbBf, 0.04],
  [CLOUD.adminActivity, 0.05],
  [CLOUD.impossibleTravel, 0.02],
  [CLOUD.infrequentCountry, 0.01],
];

/** The attack steps: each chain draws one kind per step, so the eval is not one fixed pattern. */
export const STEPS = {
  recon: [ONPREM.accountEnum, ONPREM.samr, ONPREM.ldapRecon, ONPREM.smbRecon, ONPREM.attrRecon, ONPREM.dnsRecon],
  bruteForce: [ONPREM.kerbBf, ONPREM.ldapBf, ONPREM.smbBf],
  lateral: [ONPREM.pth, ONPREM.ptt, ONPREM.overpass, ONPREM.overpassDowngrade],
  cloudAccess: [CLOUD.impossibleTravel, CLOUD.infrequentCountry, CLOUD.anonymousIp, CLOUD.suspiciousIp],
  cloudAction: [CLOUD.massDownload, CLOUD.inboxForwarding, CLOUD.ransomware, CLOUD.fileDeletion, CLOUD.fileShare, CLOUD.inboxRule],
};
