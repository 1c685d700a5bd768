import { systemClock, type Clock } from '../../bot/clock';
import { FakeGraph, type FakeGraphAnswer, type FakeGraphRequest } from './graph';
import { parseFilter } from './odata-filter';
import { graphTime } from './graph-security-bodies';
import { FakeIdentityEndpoints, IDENTITY_PERMISSIONS, identityArea, type IdentityArea } from './graph-identity';

export * from './graph-security-bodies';
export { makeIdentityAccount, makeRiskyUser } from './graph-identity';

/**
 * Microsoft Graph's security API for tests, on the same https fake as the directory and token endpoint
 * (FakeGraph): alerts_v2 (list with $filter/$top/$skip and @odata.nextLink, newest first, no $orderby;
 * get; PATCH; POST comments), and Defender for Identity sensors and health issues. Bodies follow
 * Microsoft's documented examples (makeGraphAlert, makeSensor, makeHealthIssue). Failures are
 * scriptable (`failNext`), a tenant can be "not onboarded" to Defender for Identity, and each kind of call
 * can be refused with the 403 a missing application permission gets. Issue 15's endpoints (Entra ID
 * Protection, revokeSignInSessions, identityAccounts and invokeAction) are in `identity`
 * (graph-identity.ts) and share the scripts, permissions and call log.
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

export type SecurityArea = 'alerts' | 'alertWrites' | 'sensors' | 'healthIssues' | IdentityArea;

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
  /** Entra ID Protection, revokeSignInSessions, Defender for Identity identity accounts and actions (issue 15). */
  readonly identity: FakeIdentityEndpoints;
  private edits = 0;

  constructor(private readonly clock: Clock = systemClock) {
    super();
    this.identity = new FakeIdentityEndpoints(() => this.clock.now().getTime(), () => this.users);
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
    const identity = identityArea(path, method);
    if (identity) return identity;
    if (path.startsWith(`${V}/security/alerts_v2`)) return method === 'GET' ? 'alerts' : 'alertWrites';
    if (path === `${V}/security/identities/sensors`) return 'sensors';
    if (path === `${V}/security/identities/healthIssues`) return 'healthIssues';
    return 'other';
  }

  private security(r: FakeGraphRequest): FakeGraphAnswer | undefined {
    if (!r.path.startsWith(`${V}/security/`) && !identityArea(r.path, r.method)) return undefined;
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
      return answer({ status: 403, body: { error: { code: area === 'sensors' || area === 'healthIssues' ? 'UnknownError' : 'Forbidden', message: 'Missing application roles. API required roles: ' + ({ alerts: 'SecurityAlert.Read.All', alertWrites: 'SecurityAlert.ReadWrite.All', sensors: 'SecurityIdentitiesSensors.Read.All', healthIssues: 'SecurityIdentitiesHealth.Read.All', ...IDENTITY_PERMISSIONS } as const)[area] } } });
    }
    if ((area === 'sensors' || area === 'healthIssues' || area === 'identityAccounts' || area === 'identityActions') && this.notOnboarded) {
      return answer({ status: 403, body: { error: { code: 'Forbidden', message: 'Tenant is not onboarded to Microsoft Defender for Identity. Please onboard the tenant and try again.' } } });
    }
    return answer(this.route(r));
  }

  private route(r: FakeGraphRequest): FakeGraphAnswer {
    const p = r.path;
    const identity = identityArea(p, r.method);
    if (identity) return this.identity.handle(identity, r);
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
