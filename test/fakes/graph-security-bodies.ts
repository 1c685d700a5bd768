/**
 * Microsoft's documented example bodies (microsoft-graph-docs-contrib: security-list-alerts_v2.md,
 * security-userevidence.md, security-identitycontainer-list-sensors.md, …-list-healthissues.md) as
 * builders for tests: override any field.
 */

/** Graph writes 7 fractional digits ("2021-05-02T14:19:01.3266667Z"). */
export const graphTime = (ms: number, extra = 0) => new Date(ms).toISOString().replace(/\.(\d{3})Z$/, (_m, f) => `.${f}${String(extra % 10_000).padStart(4, '0')}Z`);

let seq = 0;

export interface AlertAccount {
  accountName?: string | null;
  domainName?: string | null;
  userSid?: string | null;
  azureAdUserId?: string | null;
  userPrincipalName?: string | null;
  displayName?: string | null;
}

/** userEvidence as documented (security-userevidence.md / security-useraccount.md). */
export function userEvidence(account: AlertAccount, roles: string[] = ['compromised']): any {
  return {
    '@odata.type': '#microsoft.graph.security.userEvidence',
    createdDateTime: '2026-03-02T08:00:00.0000000Z',
    verdict: 'suspicious',
    remediationStatus: 'none',
    remediationStatusDetails: null,
    roles,
    tags: [],
    userAccount: { accountName: null, domainName: null, userSid: null, azureAdUserId: null, userPrincipalName: null, displayName: null, ...account },
  };
}

/** deviceEvidence, trimmed from the documented list example. */
export function deviceEvidence(dnsName: string): any {
  return { '@odata.type': '#microsoft.graph.security.deviceEvidence', createdDateTime: '2026-03-02T08:00:00.0000000Z', verdict: 'unknown', remediationStatus: 'none', mdeDeviceId: null, azureAdDeviceId: null, deviceDnsName: dnsName, osPlatform: 'WindowsServer2022', riskScore: 'none', loggedOnUsers: [], roles: [], tags: [] };
}

/**
 * An alerts_v2 alert shaped like the documented example (security-list-alerts_v2.md), as Defender for
 * Identity raises it: John Doe (CONTOSO\jdoe) from WKS-17, lastUpdateDateTime with Graph's 7 digits.
 */
export function makeGraphAlert(over: Record<string, any> = {}): any {
  const n = ++seq;
  const id = over.id ?? `aa${String(637551227677560813n + BigInt(n))}_${-961444813 - n}`;
  const created = over.createdDateTime ?? graphTime(Date.parse('2026-03-02T08:00:00.000Z') + n * 1000, n);
  return {
    '@odata.type': '#microsoft.graph.security.alert',
    id,
    providerAlertId: id,
    incidentId: String(28282 + n),
    status: 'new',
    severity: 'medium',
    classification: null,
    determination: null,
    serviceSource: 'microsoftDefenderForIdentity',
    detectionSource: 'microsoftDefenderForIdentity',
    detectorId: 'b2a8e8c7-8f1e-4c2f-9f36-1a7e3a2a2023',
    tenantId: 'b3c1b5fc-828c-45fa-a1e1-10d74f6d6e9c',
    title: 'Suspected brute-force attack (Kerberos, NTLM)',
    description: 'Password guessing against jdoe from WKS-17.',
    recommendedActions: 'Reset the password of the account and review the source computer.',
    category: 'CredentialAccess',
    assignedTo: null,
    alertWebUrl: `https://security.microsoft.com/alerts/${id}?tid=b3c1b5fc-828c-45fa-a1e1-10d74f6d6e9c`,
    incidentWebUrl: `https://security.microsoft.com/incidents/${28282 + n}?tid=b3c1b5fc-828c-45fa-a1e1-10d74f6d6e9c`,
    actorDisplayName: null,
    threatDisplayName: null,
    threatFamilyName: null,
    mitreTechniques: ['T1110'],
    createdDateTime: created,
    lastUpdateDateTime: created,
    resolvedDateTime: null,
    firstActivityDateTime: created,
    lastActivityDateTime: created,
    comments: [],
    evidence: [userEvidence({ accountName: 'jdoe', domainName: 'CONTOSO', displayName: 'John Doe' }), deviceEvidence('WKS-17.contoso.local')],
    systemTags: [],
    ...over,
  };
}

/** A sensor as documented (security-identitycontainer-list-sensors.md). */
export function makeSensor(over: Record<string, any> = {}): any {
  return {
    '@odata.type': '#microsoft.graph.security.sensor',
    id: `b3c1b5fc-828c-45fa-a1e1-${String(++seq).padStart(12, '0')}`,
    displayName: 'DC1',
    sensorType: 'domainControllerIntegrated',
    version: '2.239.18124.58593',
    deploymentStatus: 'upToDate',
    createdDateTime: '2023-11-16T09:41:24.2585071Z',
    domainName: 'domain1.test.local',
    healthStatus: 'healthy',
    openHealthIssuesCount: 0,
    settings: { '@odata.type': 'microsoft.graph.security.sensorSettings', description: 'dc1 settings', domainControllerDnsNames: ['DC1.domain1.test.local'], isDelayedDeploymentEnabled: true },
    ...over,
  };
}

/** A health issue as documented (security-identitycontainer-list-healthissues.md; note "Global"). */
export function makeHealthIssue(over: Record<string, any> = {}): any {
  return {
    '@odata.type': '#microsoft.graph.security.healthIssue',
    additionalInformation: ['Descendant User Objects (Schema-Id-Guid: bf967aba-0de6-11d0-a285-00aa003049e2)'],
    createdDateTime: '2022-07-15T12:19:27.7211305Z',
    description: 'Directory Services Object Auditing is not configured as required on domain1.contoso.com',
    displayName: 'Directory Services Object Auditing is not configured as required',
    domainNames: ['domain1.contoso.com', 'domain2.contoso.com'],
    healthIssueType: 'Global',
    id: `b3c1b5fc-828c-45fa-a1e1-${String(++seq).padStart(12, '0')}`,
    issueTypeId: '1031',
    lastModifiedDateTime: '2022-07-15T12:19:27.7211305Z',
    recommendations: ['Please configure the Directory Services Object Auditing events according to the guidance as described in https://aka.ms/mdi/objectauditing'],
    recommendedActionCommands: ['Import-Module DefenderForIdentity'],
    sensorDNSNames: ['DC1.domain1.contoso.com', 'DC2.domain2.contoso.com'],
    severity: 'medium',
    status: 'open',
    ...over,
  };
}
