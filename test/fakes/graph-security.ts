import { systemClock, type Clock } from '../../bot/clock';
import { FakeGraph, type FakeGraphAnswer, type FakeGraphRequest } from './graph';

/**
 * Microsoft Graph's security API for tests, on the same https fake as the directory and token endpoint
 * (FakeGraph): alerts_v2 (list with $filter/$top/$skip and @odata.nextLink, newest first, no $orderby;
 * get; PATCH; POST comments), and Defender for Identity sensors and health issues. Bodies follow
 * Microsoft's documented examples (makeGraphAlert, makeSensor, makeHealthIssue). Failures are
 * scriptable (`failNext`), a tenant can be "not onboarded" to Defender for Identity, and each kind of call
 * can be refused with the 403 a missing application permission gets. Issue 15 adds its endpoints the
 * same way: push a route onto `routes`.
 */

/** One scripted answer instead of the real one (consumed in order by matching security calls). */
export interface GraphScript {
  status: number;
  /** Retry-After header value (seconds, may be fractional, or an HTTP date). */
  retryAfter?: string;
  code?: string;
  message?: string;
  body?: unknown;
  drop?: boolean;
  /** Only for calls this accepts (default: every security call). */
  match?: (r: FakeGraphRequest) => boolean;
  /** Answer normally (lets a script fail from the Nth call on). */
  pass?: boolean;
}

export type SecurityArea = 'alerts' | 'alertWrites' | 'sensors' | 'healthIssues';

export interface SecurityCall {
  at: number;
  method: string;
  path: string;
  query: URLSearchParams;
  status: number;
  area: SecurityArea | 'other';
  body: any;
}

const V = '/v1.0';
const STATUS = ['new', 'inProgress', 'resolved', 'unknownFutureValue'];
const CLASSIFICATION = ['unknown', 'falsePositive', 'truePositive', 'informationalExpectedActivity', 'unknownFutureValue'];
const DETERMINATION = ['unknown', 'apt', 'malware', 'securityPersonnel', 'securityTesting', 'unwantedSoftware', 'other', 'multiStagedAttack', 'compromisedUser', 'phishing', 'maliciousUserActivity', 'clean', 'insufficientData', 'confirmedUserActivity', 'lineOfBusinessApplication', 'unknownFutureValue'];
const ALERT_FILTERABLE = ['assignedTo', 'classification', 'determination', 'createdDateTime', 'lastUpdateDateTime', 'severity', 'serviceSource', 'status'];

/** Graph writes 7 fractional digits ("2021-05-02T14:19:01.3266667Z"). */
export const graphTime = (ms: number, extra = 0) => new Date(ms).toISOString().replace(/\.(\d{3})Z$/, (_m, f) => `.${f}${String(extra % 10_000).padStart(4, '0')}Z`);

export class FakeGraphSecurity extends FakeGraph {
  /** alerts_v2 objects (mutated by PATCH and comments). */
  alerts: any[] = [];
  sensors: any[] = [];
  healthIssues: any[] = [];
  /** Newest first by this field (Graph documents "most recent at the top" without saying which). */
  order: 'lastUpdateDateTime' | 'createdDateTime' = 'lastUpdateDateTime';
  /** false: full pages come without @odata.nextLink (Graph does that sometimes). */
  nextLinks = true;
  /** Largest $top honoured. */
  maxTop = 100;
  /** 403 "Tenant is not onboarded to Microsoft Defender for Identity" on sensors and health issues. */
  notOnboarded = false;
  /** Areas the app has no permission for: 403 like Graph answers a missing application role. */
  readonly forbidden = new Set<SecurityArea>();
  readonly script: GraphScript[] = [];
  readonly calls: SecurityCall[] = [];
  /** Each PATCH as received (id, body). */
  readonly patches: Array<{ id: string; body: any }> = [];
  private edits = 0;

  constructor(private readonly clock: Clock = systemClock) {
    super();
    this.routes.push((r) => this.security(r));
  }

  protected override responseHeaders(): Record<string, string> {
    return { date: this.clock.now().toUTCString() };
  }

  failNext(count: number, f: GraphScript): void {
    for (let i = 0; i < count; i++) this.script.push(f);
  }

  passNext(count: number): void {
    for (let i = 0; i < count; i++) this.script.push({ status: 200, pass: true });
  }

  alertCalls(): SecurityCall[] {
    return this.calls.filter((c) => c.area === 'alerts' && c.method === 'GET' && c.path === `${V}/security/alerts_v2`);
  }

  /** Most security calls that arrived within any window of `windowMs` (on the fake clock). */
  maxInWindow(windowMs = 60_000): number {
    const t = this.calls.map((c) => c.at).sort((a, b) => a - b);
    let best = 0;
    for (let i = 0, j = 0; i < t.length; i++) {
      while (t[i] - t[j] >= windowMs) j++;
      best = Math.max(best, i - j + 1);
    }
    return best;
  }

  /** A portal-side edit: the alert changes and its lastUpdateDateTime moves to now. */
  edit(id: string, change: Record<string, unknown>): any {
    const a = this.alerts.find((x) => x.id === id);
    if (!a) throw new Error(`no alert ${id}`);
    Object.assign(a, change, { lastUpdateDateTime: graphTime(this.clock.now().getTime(), ++this.edits) });
    if (change.status === 'resolved' && !a.resolvedDateTime) a.resolvedDateTime = a.lastUpdateDateTime;
    return a;
  }

  private area(path: string, method: string): SecurityArea | 'other' {
    if (path.startsWith(`${V}/security/alerts_v2`)) return method === 'GET' ? 'alerts' : 'alertWrites';
    if (path === `${V}/security/identities/sensors`) return 'sensors';
    if (path === `${V}/security/identities/healthIssues`) return 'healthIssues';
    return 'other';
  }

  private security(r: FakeGraphRequest): FakeGraphAnswer | undefined {
    if (!r.path.startsWith(`${V}/security/`)) return undefined;
    const area = this.area(r.path, r.method);
    const call: SecurityCall = { at: this.clock.now().getTime(), method: r.method, path: r.path, query: r.query, status: 0, area, body: r.body };
    this.calls.push(call);
    const answer = (a: FakeGraphAnswer) => ((call.status = a.drop ? -1 : a.status), a);
    const i = this.script.findIndex((s) => !s.match || s.match(r));
    if (i >= 0) {
      const s = this.script.splice(i, 1)[0];
      if (!s.pass) {
        if (s.drop) return answer({ status: 0, drop: true });
        const body = s.body ?? { error: { code: s.code ?? (s.status === 429 ? 'TooManyRequests' : s.status >= 500 ? 'ServiceUnavailable' : 'BadRequest'), message: s.message ?? 'scripted failure', innerError: { date: this.clock.now().toISOString(), 'request-id': 'fake' } } };
        return answer({ status: s.status, body, headers: s.retryAfter !== undefined ? { 'retry-after': s.retryAfter } : {} });
      }
    }
    if (area !== 'other' && this.forbidden.has(area)) {
      return answer({ status: 403, body: { error: { code: area === 'sensors' || area === 'healthIssues' ? 'UnknownError' : 'Forbidden', message: 'Missing application roles. API required roles: ' + ({ alerts: 'SecurityAlert.Read.All', alertWrites: 'SecurityAlert.ReadWrite.All', sensors: 'SecurityIdentitiesSensors.Read.All', healthIssues: 'SecurityIdentitiesHealth.Read.All' } as const)[area] } } });
    }
    if ((area === 'sensors' || area === 'healthIssues') && this.notOnboarded) {
      return answer({ status: 403, body: { error: { code: 'Forbidden', message: 'Tenant is not onboarded to Microsoft Defender for Identity. Please onboard the tenant and try again.' } } });
    }
    return answer(this.route(r));
  }

  private route(r: FakeGraphRequest): FakeGraphAnswer {
    const p = r.path;
    if (p === `${V}/security/alerts_v2` && r.method === 'GET') return this.listAlerts(r);
    const one = p.match(/^\/v1\.0\/security\/alerts_v2\/([^/]+)$/);
    if (one) {
      const a = this.alerts.find((x) => x.id === decodeURIComponent(one[1]));
      if (!a) return { status: 404, body: { error: { code: 'NotFound', message: `Alert ${decodeURIComponent(one[1])} not found` } } };
      if (r.method === 'GET') return { status: 200, body: { '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#security/alerts_v2/$entity', ...a } };
      if (r.method === 'PATCH') return this.patch(a, r.body);
    }
    const comments = p.match(/^\/v1\.0\/security\/alerts_v2\/([^/]+)\/comments$/);
    if (comments && r.method === 'POST') {
      const a = this.alerts.find((x) => x.id === decodeURIComponent(comments[1]));
      if (!a) return { status: 404, body: { error: { code: 'NotFound', message: 'Alert not found' } } };
      if (!r.body || typeof r.body !== 'object' || r.body['@odata.type'] !== 'microsoft.graph.security.alertComment' || typeof r.body.comment !== 'string') {
        return { status: 400, body: { error: { code: 'BadRequest', message: 'The request body must be an alertComment with a comment' } } };
      }
      const now = this.clock.now().getTime();
      a.comments = [...(a.comments ?? []), { comment: r.body.comment, createdByDisplayName: 'Hybridwatch (app)', createdDateTime: graphTime(now) }];
      a.lastUpdateDateTime = graphTime(now, ++this.edits);
      return { status: 200, body: { '@odata.context': `https://graph.microsoft.com/v1.0/$metadata#security/alerts_v2('${a.id}')/comments`, value: a.comments } };
    }
    if (p === `${V}/security/identities/sensors` && r.method === 'GET') return this.page(r, this.sensors, 'Collection(microsoft.graph.security.sensor)');
    if (p === `${V}/security/identities/healthIssues` && r.method === 'GET') {
      const f = (r.query.get('$filter') ?? '').trim();
      const m = /^status eq '(\w+)'$/i.exec(f);
      if (f && !m) return { status: 400, body: { error: { code: 'BadRequest', message: `Invalid filter clause: ${f}` } } };
      const rows = m ? this.healthIssues.filter((i) => String(i.status).toLowerCase() === m[1].toLowerCase()) : this.healthIssues;
      return this.page(r, rows, 'Collection(microsoft.graph.security.healthIssue)');
    }
    return { status: 404, body: { error: { code: 'UnknownError', message: `No HTTP resource was found that matches the request URI '${p}'` } } };
  }

  private page(r: FakeGraphRequest, rows: any[], type: string): FakeGraphAnswer {
    const top = Math.min(Number(r.query.get('$top') ?? 100) || 100, 100);
    const skip = Math.max(0, Number(r.query.get('$skip') ?? 0) || 0);
    const value = rows.slice(skip, skip + top);
    const body: Record<string, unknown> = { '@odata.context': `https://graph.microsoft.com/v1.0/$metadata#${type}`, value };
    if (skip + top < rows.length) body['@odata.nextLink'] = `${this.graphBaseUrl}${r.path.slice(V.length)}?${new URLSearchParams({ ...Object.fromEntries(r.query), $top: String(top), $skip: String(skip + top) })}`;
    return { status: 200, body };
  }

  private listAlerts(r: FakeGraphRequest): FakeGraphAnswer {
    let pred: (a: any) => boolean;
    try {
      pred = parseFilter(r.query.get('$filter') ?? '');
    } catch (e) {
      return { status: 400, body: { error: { code: 'BadRequest', message: `Invalid filter clause: ${(e as Error).message}` } } };
    }
    const top = Math.min(Math.max(1, Number(r.query.get('$top') ?? this.maxTop) || this.maxTop), this.maxTop);
    const skip = Math.max(0, Number(r.query.get('$skip') ?? 0) || 0);
    const key = this.order;
    // Newest first; ties keep the reverse of insertion order (a stable server-side secondary key).
    const rows = this.alerts
      .map((a, i) => ({ a, i }))
      .filter(({ a }) => pred(a))
      .sort((x, y) => Date.parse(y.a[key]) - Date.parse(x.a[key]) || y.i - x.i)
      .map(({ a }) => a);
    const value = rows.slice(skip, skip + top).map((a) => JSON.parse(JSON.stringify(a)));
    const body: Record<string, unknown> = { '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#security/alerts_v2', value };
    if (this.nextLinks && skip + top < rows.length) {
      const q = new URLSearchParams({ $filter: r.query.get('$filter') ?? '', $top: String(top), $skip: String(skip + top) });
      body['@odata.nextLink'] = `${this.graphBaseUrl}/security/alerts_v2?${q.toString().replace(/\+/g, '%20')}`;
    }
    return { status: 200, body };
  }

  private patch(a: any, body: any): FakeGraphAnswer {
    const bad = (message: string) => ({ status: 400, body: { error: { code: 'BadRequest', message } } });
    if (!body || typeof body !== 'object') return bad('A JSON body is required');
    for (const k of Object.keys(body)) if (!['status', 'classification', 'determination', 'assignedTo'].includes(k)) return bad(`Property '${k}' is not writable`);
    if (body.status !== undefined && !STATUS.includes(body.status)) return bad(`Invalid status '${body.status}'`);
    if (body.classification !== undefined && !CLASSIFICATION.includes(body.classification)) return bad(`Invalid classification '${body.classification}'`);
    if (body.determination !== undefined && !DETERMINATION.includes(body.determination)) return bad(`Invalid determination '${body.determination}'`);
    if (body.assignedTo !== undefined && body.assignedTo !== null && typeof body.assignedTo !== 'string') return bad('assignedTo must be a string or null');
    this.patches.push({ id: a.id, body });
    const now = this.clock.now().getTime();
    Object.assign(a, body, { lastUpdateDateTime: graphTime(now, ++this.edits) });
    if (body.status === 'resolved') a.resolvedDateTime = graphTime(now);
    // The documented response: the updated alert, trimmed ("evidence": []).
    return { status: 200, body: { '@odata.type': '#microsoft.graph.security.alert', ...a, evidence: [] } };
  }
}

// ---- $filter: just enough OData for what alerts_v2 documents (eq/ne/ge/gt/le/lt, and/or, parentheses) ----

type Pred = (a: any) => boolean;

export function parseFilter(src: string): Pred {
  if (!src.trim()) return () => true;
  const tokens = src.match(/\(|\)|'(?:[^']|'')*'|[^\s()]+/g) ?? [];
  let i = 0;
  const peek = () => tokens[i];
  const next = () => tokens[i++];
  const expr = (): Pred => {
    let left = andExpr();
    while (peek()?.toLowerCase() === 'or') {
      next();
      const l = left;
      const r = andExpr();
      left = (a) => l(a) || r(a);
    }
    return left;
  };
  const andExpr = (): Pred => {
    let left = term();
    while (peek()?.toLowerCase() === 'and') {
      next();
      const l = left;
      const r = term();
      left = (a) => l(a) && r(a);
    }
    return left;
  };
  const term = (): Pred => {
    if (peek() === '(') {
      next();
      const e = expr();
      if (next() !== ')') throw new Error('missing )');
      return e;
    }
    const prop = next();
    const op = next()?.toLowerCase();
    const raw = next();
    if (!prop || !op || raw === undefined) throw new Error('incomplete comparison');
    if (!ALERT_FILTERABLE.includes(prop)) throw new Error(`property '${prop}' cannot be filtered`);
    const isDate = /DateTime$/.test(prop);
    if (isDate && (raw.startsWith("'") || Number.isNaN(Date.parse(raw)))) throw new Error(`'${raw}' is not a DateTimeOffset literal`);
    if (!isDate && !raw.startsWith("'")) throw new Error(`'${raw}' is not a string literal`);
    const value = isDate ? Date.parse(raw) : raw.slice(1, -1).replace(/''/g, "'");
    const cmp = (a: any): number => {
      const v = isDate ? Date.parse(a[prop]) : String(a[prop] ?? '');
      return v < value ? -1 : v > value ? 1 : 0;
    };
    switch (op) {
      case 'eq': return (a) => cmp(a) === 0;
      case 'ne': return (a) => cmp(a) !== 0;
      case 'ge': return (a) => cmp(a) >= 0;
      case 'gt': return (a) => cmp(a) > 0;
      case 'le': return (a) => cmp(a) <= 0;
      case 'lt': return (a) => cmp(a) < 0;
      default: throw new Error(`operator '${op}' is not supported`);
    }
  };
  const p = expr();
  if (i !== tokens.length) throw new Error(`unexpected '${tokens[i]}'`);
  return p;
}

// ---- Microsoft's documented example bodies, as builders ----

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
