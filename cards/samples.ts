/**
 * Realistic inputs for every card: the source of cards/templates/<name>.data.json (the Designer's sample
 * data is exactly what the view model builds from these), and of tests and the card-render bench.
 */
import type { AlertRow } from '../bot/hybrid/alert';
import type { IntegrationState } from '../bot/integration/integration-service';
import { alertModel, type AlertCardInput } from './alert-card';
import { alertsModel, type AlertsListData } from './alerts-card';
import { DEFAULT_LINK_HOSTS } from './card';
import { configModel } from './config-card';
import { disableConfirmModel, enableConfirmModel, type PrerequisiteData } from './confirm-card';
import { digestModel, type DigestCardInput } from './digest-card';
import { healthModel } from './health-card';
import { healthIssueModel, type HealthIssueNotice } from './health-issue-card';
import type { HealthIssueView, HealthSnapshot } from '../bot/sources/graph/mdi-health';
import { helpModel, type HelpEntry } from './help-card';
import { integrationModel, type IntegrationNotice } from './integration-card';
import { linkNoticeModel, type LinkNoticeInput } from './link-notice-card';
import { policiesModel, type PoliciesData } from './policies-card';
import { riskyModel, type RiskyListData } from './risky-card';
import { riskyUserModel, type ReasonGroupView, type RiskyUserCardInput } from './risky-user-card';
import type { ResponseInput } from './response-section';
import { statusModel, type StatusData } from './status-card';
import type { TemplateName } from './templates';
import { userModel, type UserProfileData } from './user-card';

export const SAMPLE_NOW = '2026-03-02T09:30:00.000Z';

export function sampleAlertRow(over: Partial<AlertRow> = {}): AlertRow {
  return {
    id: 'atp:8f5e6a0c-4f1e-4b6c-9d2a-1c3b5d7e9f01',
    source: 'onprem',
    onprem_id: '8f5e6a0c-4f1e-4b6c-9d2a-1c3b5d7e9f01',
    cloud_id: null,
    type: '2017',
    type_name: 'PassTheHashSecurityAlert',
    title: 'Suspected identity theft (pass-the-hash)',
    description: "John Doe's credentials were used from WKS-17 to access DC01 with a stolen NTLM hash.",
    severity: 'high',
    status: 'open',
    users: [{ raw: 'CONTOSO\\jdoe', key: 'aad:00000000-0000-0000-0000-000000000004', aadObjectId: '00000000-0000-0000-0000-000000000004', upn: 'jdoe@contoso.com', displayName: 'John Doe', sam: 'jdoe', domain: 'contoso.local', resolution: 'resolved' }],
    hosts: ['WKS-17', 'DC01'],
    first_seen: '2026-03-02T09:05:00.000Z',
    last_seen: '2026-03-02T09:12:00.000Z',
    trigger_count: 2,
    cnt: 3,
    url: 'https://contoso.atp.azure.com/securityAlert/8f5e6a0c-4f1e-4b6c-9d2a-1c3b5d7e9f01',
    cloud_url: null,
    app: null,
    policy: null,
    threat_score: null,
    last_hash: 'sample',
    closed_by_id: null,
    closed_by_name: null,
    closed_at: null,
    resolution: null,
    assigned_to_id: null,
    assigned_to_name: null,
    muted_until: null,
    created_at: '2026-03-02T09:05:00.000Z',
    updated_at: '2026-03-02T09:12:00.000Z',
    graph_id: null,
    graph_url: null,
    incident_url: null,
    ...over,
  };
}

const JOHN = { key: 'aad:00000000-0000-0000-0000-000000000004', displayName: 'John Doe', upn: 'jdoe@contoso.com', onPremAccount: 'CONTOSO\\jdoe' };

/** Identity response (issue 15): Megan Bowen confirmed John Doe compromised and revoked his sessions; Defender for Identity does not know his SID. */
export function sampleResponse(over: Partial<ResponseInput> = {}): ResponseInput {
  return {
    mode: 'graph',
    target: { name: JOHN.displayName, upn: JOHN.upn, onPremAccount: JOHN.onPremAccount },
    entra: { riskLevel: 'high', riskState: 'confirmedCompromised', riskDetail: 'adminConfirmedUserCompromised', riskLastUpdatedDateTime: '2026-03-02T09:26:00.000Z' },
    entraNote: null,
    history: [
      { action: 'confirmCompromised', status: 'done', byName: 'Megan Bowen', at: '2026-03-02T09:26:00.000Z' },
      { action: 'revokeSessions', status: 'done', byName: 'Megan Bowen', at: '2026-03-02T09:27:00.000Z' },
    ],
    actions: [
      { verb: 'confirmCompromised', available: true, reason: null, done: true },
      { verb: 'revokeSessions', available: true, reason: null, done: true },
      { verb: 'disableAccount', available: false, reason: 'Defender for Identity has no account with the on-premises SID of CONTOSO\\jdoe (S-1-5-21-1004336348-1177238915-682003330-1107).', done: false },
      { verb: 'forcePasswordReset', available: false, reason: 'Defender for Identity has no account with the on-premises SID of CONTOSO\\jdoe (S-1-5-21-1004336348-1177238915-682003330-1107).', done: false },
    ],
    ...over,
  };
}

export function sampleIntegration(over: Partial<IntegrationState> = {}): IntegrationState {
  return { state: 'active', since: '2026-03-02T09:06:00.000Z', byId: null, byName: null, enabledAt: '2026-03-02T08:55:00.000Z', activatedAt: '2026-03-02T09:06:00.000Z', lastOnPremAt: '2026-03-02T09:12:00.000Z', lastCloudAt: '2026-03-02T09:20:00.000Z', ignoredCount: 4, nodataWarnedAt: null, ...over };
}

const prerequisites = (): PrerequisiteData => ({ integration: sampleIntegration({ state: 'disabled', since: '2026-03-01T17:00:00.000Z', byName: 'Alex Wilber' }), onPremSources: ['syslog UDP 127.0.0.1:1514', 'syslog TCP 127.0.0.1:1514'], retentionDays: 180, callerRoles: ['Global Administrator'] });

const timelineItem = (id: string, title: string, severity: string, lastSeen: string, points: number, triggerCount = 1) => ({ id, title, severity, status: 'open', firstSeen: lastSeen, lastSeen, triggerCount, points });

const SAMPLE_HEALTH_ISSUE: HealthIssueView = {
  id: 'b3c1b5fc-828c-45fa-a1e1-10d74f6d6e9c',
  title: 'Sensor stopped communicating',
  description: 'There has been no communication from the sensor on DC02 for 30 minutes.',
  severity: 'high',
  status: 'open',
  type: 'sensor',
  sensors: ['DC02.contoso.local'],
  domains: ['contoso.local'],
  recommendations: ['Check that the Azure Advanced Threat Protection Sensor service is running on DC02 and can reach the Defender for Identity cloud service.'],
  createdAt: '2026-03-02T07:38:00.000Z',
  modifiedAt: '2026-03-02T07:38:00.000Z',
};

/** One realistic input per card (the interactive view where a card has one). */
/** John Doe's explanation as the chain-aware model gives it (issue 11). */
const SAMPLE_TACTICS = ['Lateral movement', 'Initial access', 'Credential access'];
const SAMPLE_CHAIN = { onprem: 'Suspected identity theft (pass-the-hash)', cloud: 'Impossible travel activity', hours: 0.1, full: true };
const SAMPLE_GROUPS: ReasonGroupView[] = [
  { tactic: 'Lateral movement', reasons: [{ source: 'onprem', text: 'high: Suspected identity theft (pass-the-hash) (+18.9)' }] },
  { tactic: 'Initial access', reasons: [{ source: 'cloud', text: 'high: Impossible travel activity (+18.9)' }] },
  { tactic: 'Credential access', reasons: [{ source: 'onprem', text: 'medium: Suspected brute force attack (Kerberos, NTLM) (+3.8)' }] },
];

export const SAMPLE_INPUTS = {
  alert: (): AlertCardInput => ({
    // Seen through syslog and Defender XDR (Graph): both links, the portal's state, a comment from Teams.
    alert: sampleAlertRow({ assigned_to_name: 'Isaiah Langer', graph_id: 'aa8f5e6a0c-4f1e-4b6c-9d2a-1c3b5d7e9f01', graph_url: 'https://security.microsoft.com/alerts/aa8f5e6a0c-4f1e-4b6c-9d2a-1c3b5d7e9f01', incident_url: 'https://security.microsoft.com/incidents/28290' }),
    xdr: { status: 'inProgress', classification: null, determination: null, assignedTo: 'isaiah@contoso.com', category: 'LateralMovement' },
    comments: { count: 1, latest: [{ byName: 'Isaiah Langer', at: '2026-03-02T09:25:00.000Z', text: 'Reset jdoe\'s password; WKS-17 isolated.' }] },
    context: { other: 'cloud', count: 2, topTitles: ['Impossible travel activity', 'Suspicious inbox forwarding'], hybridChain: true },
    linkHosts: [...DEFAULT_LINK_HOSTS],
    now: SAMPLE_NOW,
    interactive: true,
    refreshUserIds: ['8:orgid:00000000-0000-0000-0000-000000000005'],
  }),
  alerts: (): AlertsListData => ({
    items: [
      { id: 'atp:8f5e6a0c-4f1e-4b6c-9d2a-1c3b5d7e9f01', title: 'Suspected identity theft (pass-the-hash)', severity: 'high', source: 'onprem', users: ['John Doe'], lastSeen: '2026-03-02T09:12:00.000Z', triggerCount: 2, hybridChain: true, otherCount: 2 },
      { id: 'mcas:65f1c2a9e4b0a1d2c3e4f5a6', title: 'Impossible travel activity', severity: 'high', source: 'cloud', users: ['John Doe'], lastSeen: '2026-03-02T09:20:00.000Z', triggerCount: 1, hybridChain: true, otherCount: 2 },
      { id: 'atp:3b9d7c11-2a4e-4f60-8e1b-5c7d9f1a3b25', title: 'Suspected brute force attack (Kerberos, NTLM)', severity: 'medium', source: 'onprem', users: ['John Doe', 'Megan Bowen'], lastSeen: '2026-03-02T09:02:00.000Z', triggerCount: 3, hybridChain: false, otherCount: 0 },
    ],
    openTotal: 5,
    now: SAMPLE_NOW,
  }),
  config: (): string => 'https://contoso.atp.azure.com',
  'confirm-disable': (): PrerequisiteData => ({ ...prerequisites(), integration: sampleIntegration() }),
  'confirm-enable': (): PrerequisiteData => ({ ...prerequisites(), defenderIdentity: { configured: true, line: '3 sensors: 2 healthy, 1 not healthy (high)', onboarded: true, sensors: 3, healthySensors: 2, openIssues: 1, problem: null, at: '2026-03-02T09:29:00.000Z' } }),
  digest: (): DigestCardInput => ({
    windowStart: '2026-03-02T09:10:00.000Z',
    windowEnd: '2026-03-02T09:11:00.000Z',
    total: 24,
    bySeverity: { high: 4, medium: 20 },
    byType: [['BruteForceSecurityAlert', 20], ['PassTheHashSecurityAlert', 4]],
    topUsers: [['John Doe', 14], ['Megan Bowen', 10]],
    updatedAt: '2026-03-02T09:10:58.000Z',
    alerts: [
      { id: 'atp:3b9d7c11-2a4e-4f60-8e1b-5c7d9f1a3b25', title: 'Suspected brute force attack (Kerberos, NTLM)', severity: 'medium', users: ['John Doe'] },
      { id: 'atp:8f5e6a0c-4f1e-4b6c-9d2a-1c3b5d7e9f01', title: 'Suspected identity theft (pass-the-hash)', severity: 'high', users: ['Megan Bowen'] },
    ],
  }),
  health: (): HealthSnapshot => ({
    at: '2026-03-02T09:29:00.000Z',
    sensors: {
      ok: true,
      items: [
        { id: 's1', name: 'DC01', domain: 'contoso.local', type: 'domainControllerIntegrated', health: 'healthy', deployment: 'upToDate', service: null, version: '2.239.18124.58593', openIssues: 0 },
        { id: 's2', name: 'DC02', domain: 'contoso.local', type: 'domainControllerIntegrated', health: 'notHealthyHigh', deployment: 'outdated', service: null, version: '2.230.17800.12345', openIssues: 1 },
        { id: 's3', name: 'ADFS01', domain: 'contoso.local', type: 'adfsIntegrated', health: 'healthy', deployment: 'upToDate', service: null, version: '2.239.18124.58593', openIssues: 0 },
      ],
    },
    issues: { ok: true, items: [SAMPLE_HEALTH_ISSUE] },
  }),
  'health-issue': (): HealthIssueNotice => ({ issue: SAMPLE_HEALTH_ISSUE, status: 'open', firstSeen: '2026-03-02T07:40:00.000Z', closedAt: null, linkHosts: [...DEFAULT_LINK_HOSTS] }),
  help: (): { entries: HelpEntry[] } => ({
    entries: [
      { usage: 'help', description: 'the commands you can use' },
      { usage: 'status', description: 'integration state, last on-premises and cloud data, counts' },
      { usage: 'alerts', description: 'latest open hybrid alerts' },
      { usage: 'user <upn | DOMAIN\\sam | display name>', description: "one user's hybrid profile: on-premises and cloud alerts, score, percentile, history" },
    ],
  }),
  integration: (): IntegrationNotice => ({ kind: 'changed', from: 'disabled', to: 'pending', actorName: 'Alex Wilber', at: '2026-03-02T08:55:00.000Z' }),
  'link-notice': (): LinkNoticeInput => ({ reason: 'unknown', portal: 'Azure ATP', url: 'https://contoso.atp.azure.com/securityAlert/5d0e2b1e-0000-4f7e-9a4e-2b1e6c3f7a10', linkHosts: [...DEFAULT_LINK_HOSTS] }),
  policies: (): PoliciesData => ({
    detections: [
      { externalId: '2017', name: 'Suspected identity theft (pass-the-hash)', severity: 'high', seen: 1 },
      { externalId: '2023', name: 'Suspected brute force attack (Kerberos, NTLM)', severity: 'medium', seen: 3 },
      { externalId: '2003', name: 'Network mapping reconnaissance (DNS)', severity: 'medium', alsoSeverity: 'low', seen: 0 },
    ],
    otherSeen: [{ type: '2419', name: 'Suspected new detection', seen: 1 }],
    cloudConfigured: true,
    cloudPolicies: [{ policy: 'Impossible travel', seen: 2 }, { policy: 'Mass download by a single user', seen: 1 }],
  }),
  risky: (): RiskyListData => ({
    rows: [
      { ...JOHN, resolution: 'resolved', score: 41.6, percentile: 100, onpremScore: 22.7, cloudScore: 18.9, alertCount: 3, threatScore: 40, qualifies: true, state: 'risky', tactics: SAMPLE_TACTICS, chain: SAMPLE_CHAIN },
      { key: 'onprem:contoso\\svc-backup', displayName: null, upn: null, onPremAccount: 'CONTOSO\\svc-backup', resolution: 'unresolved', score: 5, percentile: 50, onpremScore: 5, cloudScore: 0, alertCount: 1, threatScore: null, qualifies: false, state: 'none' },
    ],
    scoredUsers: 2,
    thresholds: { minScore: 20, rearmScore: 10 },
    windowDays: 7,
    now: SAMPLE_NOW,
  }),
  'risky-user': (): RiskyUserCardInput => ({
    userKey: JOHN.key,
    displayName: JOHN.displayName,
    upn: JOHN.upn,
    onPremAccount: JOHN.onPremAccount,
    score: 41.6,
    percentile: 100,
    reasons: SAMPLE_GROUPS.flatMap((g) => g.reasons),
    tactics: SAMPLE_TACTICS,
    chain: SAMPLE_CHAIN,
    groups: SAMPLE_GROUPS,
    at: '2026-03-02T09:20:00.000Z',
    interactive: true,
    refreshUserIds: ['8:orgid:00000000-0000-0000-0000-000000000002'],
    response: sampleResponse(),
  }),
  status: (): StatusData => ({
    integration: sampleIntegration({ byName: 'Alex Wilber' }),
    now: SAMPLE_NOW,
    retentionDays: 180,
    noDataWarning: false,
    counts: { total: 6, open: 5, onprem: 3, cloud: 3 },
    onPremSources: ['syslog UDP 127.0.0.1:1514', 'syslog TCP 127.0.0.1:1514'],
    health: { title: 'Sensor stopped communicating', sensor: 'DC02', severity: 'high', at: '2026-03-02T07:40:00.000Z' },
    cloud: { configured: true, lastPollAt: '2026-03-02T09:29:00.000Z', received: 3, lastError: null },
    graph: { configured: true, lastPollAt: '2026-03-02T09:29:30.000Z', received: 4, lastError: null },
    defenderIdentity: { configured: true, line: '3 sensors: 2 healthy, 1 not healthy (high); 1 open health issue (1 high)', onboarded: true, sensors: 3, healthySensors: 2, openIssues: 1, problem: null, at: '2026-03-02T09:29:00.000Z' },
  }),
  user: (): UserProfileData => ({
    ...JOHN,
    resolution: 'resolved',
    note: null,
    roles: [],
    impact: 1,
    score: 41.6,
    percentile: 100,
    onpremScore: 22.7,
    cloudScore: 18.9,
    threatScore: 40,
    qualifies: true,
    state: 'risky',
    tactics: SAMPLE_TACTICS,
    chain: SAMPLE_CHAIN,
    groups: SAMPLE_GROUPS,
    riskySince: '2026-03-02T09:20:00.000Z',
    dismissed: null,
    onprem: [timelineItem('atp:8f5e6a0c-4f1e-4b6c-9d2a-1c3b5d7e9f01', 'Suspected identity theft (pass-the-hash)', 'high', '2026-03-02T09:12:00.000Z', 10, 2), timelineItem('atp:3b9d7c11-2a4e-4f60-8e1b-5c7d9f1a3b25', 'Suspected brute force attack (Kerberos, NTLM)', 'medium', '2026-03-02T09:02:00.000Z', 5, 3)],
    cloud: [timelineItem('mcas:65f1c2a9e4b0a1d2c3e4f5a6', 'Impossible travel activity', 'high', '2026-03-02T09:20:00.000Z', 10)],
    history: [{ at: '2026-03-02T09:20:00.000Z', score: 41.6, percentile: 100 }, { at: '2026-03-02T09:12:00.000Z', score: 9.4, percentile: 100 }],
    openAlerts: 3,
    thresholds: { minScore: 20, rearmScore: 10 },
    windowDays: 7,
    now: SAMPLE_NOW,
    interactive: true,
    response: sampleResponse({
      entra: { riskLevel: 'medium', riskState: 'atRisk', riskDetail: 'none', riskLastUpdatedDateTime: '2026-03-02T09:21:00.000Z' },
      history: [],
      actions: [
        { verb: 'confirmCompromised', available: true, reason: null, done: false },
        { verb: 'revokeSessions', available: true, reason: null, done: false },
        { verb: 'disableAccount', available: true, reason: null, done: false },
        { verb: 'forcePasswordReset', available: true, reason: null, done: false },
      ],
    }),
  }),
};

/** Each template's view model built from its sample input: what `<name>.data.json` holds. */
export const SAMPLE_MODELS: Record<TemplateName, () => object> = {
  alert: () => alertModel(SAMPLE_INPUTS.alert()),
  alerts: () => alertsModel(SAMPLE_INPUTS.alerts()),
  config: () => configModel(SAMPLE_INPUTS.config()),
  'confirm-disable': () => disableConfirmModel(SAMPLE_INPUTS['confirm-disable']()),
  'confirm-enable': () => enableConfirmModel(SAMPLE_INPUTS['confirm-enable']()),
  digest: () => digestModel(SAMPLE_INPUTS.digest()),
  health: () => healthModel(SAMPLE_INPUTS.health(), [...DEFAULT_LINK_HOSTS]),
  'health-issue': () => healthIssueModel(SAMPLE_INPUTS['health-issue']()),
  help: () => helpModel(SAMPLE_INPUTS.help().entries),
  integration: () => integrationModel(SAMPLE_INPUTS.integration()),
  'link-notice': () => linkNoticeModel(SAMPLE_INPUTS['link-notice']()),
  policies: () => policiesModel(SAMPLE_INPUTS.policies()),
  risky: () => riskyModel(SAMPLE_INPUTS.risky()),
  'risky-user': () => riskyUserModel(SAMPLE_INPUTS['risky-user']()),
  status: () => statusModel(SAMPLE_INPUTS.status()),
  user: () => userModel(SAMPLE_INPUTS.user()),
};
