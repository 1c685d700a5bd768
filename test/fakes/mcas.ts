import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { systemClock, type Clock } from '../../bot/clock';

/** A request as the fake saw it, timed by the injected clock (assert rates from this, never wall time). */
export interface McasLogEntry {
  at: number;
  method: string;
  path: string;
  status: number;
  body: any;
  /** Why it was refused: 'rate' (over 30/min), 'scripted', 'auth'. */
  refused?: 'rate' | 'scripted' | 'auth';
}

export interface ScriptedFailure {
  status: number;
  retryAfter?: string;
  body?: unknown;
  /** Destroy the socket instead of answering (a network error for the client). */
  drop?: boolean;
  /** Answer normally (lets a script fail from the Nth request on). */
  pass?: boolean;
  /** Real milliseconds to hold the answer (a request in flight during a restart). */
  delayMs?: number;
}

export interface McasClosure {
  id: string;
  kind: string;
  comment: unknown;
  reasonId: unknown;
}

const CLOSE: Record<string, { key: string; resolution: number; reasons: number[] | null }> = {
  close_true_positive: { key: 'closed_true_positive', resolution: 5, reasons: null },
  close_benign: { key: 'closed_benign', resolution: 4, reasons: [2, 4, 5, 6] },
  close_false_positive: { key: 'closed_false_positive', resolution: 3, reasons: [0, 1, 3, 4] },
};

/**
 * Cloud App Security REST API on http://127.0.0.1 speaking the documented format: POST (or GET with a
 * body) /api/v1/alerts/ with filters, sort, skip/limit (max 100), hasNext/total; the three close
 * endpoints with alertsNotFound; `Authorization: Token <key>` (401 otherwise); HTTP 429 once more than
 * 30 requests arrive within a rolling minute of the injected clock; scripted failures on demand.
 */
export class FakeMcas {
  /** Stored alert objects in insertion order; may hold malformed objects on purpose. */
  alerts: any[] = [];
  readonly log: McasLogEntry[] = [];
  readonly closures: McasClosure[] = [];
  /** Consumed one per API request (after auth), before the rate check. */
  readonly script: ScriptedFailure[] = [];
  rateLimit = 30;
  /** When set, `Authorization: Bearer <bearer>` (an Entra app token) is accepted too. */
  bearer: string | null = null;
  windowMs = 60_000;
  url = '';
  private readonly server = http.createServer((req, res) => this.handle(req, res));

  constructor(readonly token: string, private readonly clock: Clock = systemClock) {}

  async start(): Promise<string> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections?.();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  passNext(count: number): void {
    for (let i = 0; i < count; i++) this.script.push({ status: 200, pass: true });
  }

  failNext(count: number, f: ScriptedFailure): void {
    for (let i = 0; i < count; i++) this.script.push(f);
  }

  /** Most requests that arrived within any rolling window (the throttle's own measure). */
  maxInWindow(windowMs = this.windowMs): number {
    const t = this.log.filter((e) => e.refused !== 'auth').map((e) => e.at).sort((a, b) => a - b);
    let best = 0;
    for (let i = 0, j = 0; i < t.length; i++) {
      while (t[i] - t[j] >= windowMs) j++;
      best = Math.max(best, i - j + 1);
    }
    return best;
  }

  alertRequests(): McasLogEntry[] {
    return this.log.filter((e) => /\/api\/v1\/alerts\/$/.test(e.path));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => this.answer(req, res, Buffer.concat(chunks).toString('utf8')));
  }

  /** `at` is the arrival time, kept when an answer is held back: the throttle counts arrivals. */
  private answer(req: http.IncomingMessage, res: http.ServerResponse, text: string, at = this.clock.now().getTime()): void {
    const path = (req.url ?? '/').split('?')[0].replace(/^\/cas\//, '/');
    let body: any = null;
    const auth = req.headers.authorization;
    const authorized = auth === `Token ${this.token}` || (!!this.bearer && auth === `Bearer ${this.bearer}`);
    if (authorized && this.script[0]?.delayMs) {
      const held = this.script[0].delayMs;
      this.script[0] = { ...this.script[0], delayMs: 0 };
      setTimeout(() => this.answer(req, res, text, at), held);
      return;
    }
    const entry: McasLogEntry = { at, method: req.method ?? '', path, status: 0, body: null };
    this.log.push(entry);
    const send = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      entry.status = status;
      if (res.destroyed) return;
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(payload));
    };
    if (!authorized) {
      entry.refused = 'auth';
      return send(401, { detail: 'Invalid token.' });
    }
    const scripted = this.script.shift();
    if (scripted && !scripted.pass) {
      entry.refused = 'scripted';
      if (scripted.drop) {
        entry.status = -1;
        req.socket.destroy();
        return;
      }
      return send(scripted.status, scripted.body ?? { error: 'scripted failure' }, scripted.retryAfter ? { 'retry-after': scripted.retryAfter } : {});
    }
    const recent = this.log.filter((e) => e !== entry && e.refused !== 'auth' && e.at > at - this.windowMs).length;
    if (recent >= this.rateLimit) {
      entry.refused = 'rate';
      const oldest = Math.min(...this.log.filter((e) => e !== entry && e.refused !== 'auth' && e.at > at - this.windowMs).map((e) => e.at));
      return send(429, { error: 'Too many requests' }, { 'retry-after': String(Math.max(1, Math.ceil((oldest + this.windowMs - at) / 1000))) });
    }
    try {
      body = text ? JSON.parse(text) : {};
    } catch {
      return send(400, { error: 'body is not JSON' });
    }
    entry.body = body;
    if (path === '/api/v1/alerts/' && (req.method === 'POST' || req.method === 'GET')) return send(200, this.list(body));
    const m = /^\/api\/v1\/alerts\/(close_true_positive|close_benign|close_false_positive)\/$/.exec(path);
    if (m && req.method === 'POST') {
      const r = this.close(m[1], body);
      return send(r.status, r.body);
    }
    return send(404, { error: 'not found' });
  }

  private list(body: any): unknown {
    const filters = (body?.filters ?? {}) as Record<string, Record<string, any>>;
    let rows = this.alerts.filter((a) => Object.entries(filters).every(([field, ops]) => matches(a, field, ops)));
    const field = body?.sortField === 'severity' ? 'severityValue' : body?.sortField === 'date' ? 'timestamp' : null;
    if (field) {
      const dir = body?.sortDirection === 'desc' ? -1 : 1;
      // Array.prototype.sort is stable: ties keep insertion order, like a database with a secondary key.
      rows = [...rows].sort((x, y) => dir * (num(x?.[field]) - num(y?.[field])));
    }
    const skip = Math.max(0, Number(body?.skip ?? 0) || 0);
    const limit = Math.min(100, Math.max(1, Number(body?.limit ?? 100) || 100));
    const data = rows.slice(skip, skip + limit);
    return { data, hasNext: skip + limit < rows.length, total: rows.length, max: 100, moreThanTotal: false };
  }

  private close(kind: string, body: any): { status: number; body: unknown } {
    const c = CLOSE[kind];
    const ids = body?.filters?.id?.eq;
    if (!Array.isArray(ids)) return { status: 400, body: { error: 'filters.id.eq is required' } };
    if (c.reasons && body.reasonId !== undefined && !c.reasons.includes(body.reasonId)) return { status: 400, body: { error: `reasonId must be one of ${c.reasons.join(', ')}` } };
    let n = 0;
    const notFound: string[] = [];
    for (const id of ids) {
      const a = this.alerts.find((x) => x?._id === id);
      if (!a) {
        notFound.push(String(id));
        continue;
      }
      a.resolutionStatusValue = c.resolution;
      this.closures.push({ id, kind, comment: body.comment, reasonId: body.reasonId });
      n++;
    }
    return { status: 200, body: { [c.key]: n, ...(notFound.length ? { alertsNotFound: notFound } : {}) } };
  }
}

const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const list = (v: unknown) => (Array.isArray(v) ? v : [v]);

function matches(a: any, field: string, ops: Record<string, any>): boolean {
  if (!a || typeof a !== 'object') return false;
  return Object.entries(ops ?? {}).every(([op, v]) => {
    switch (field) {
      case 'date': {
        const t = num(a.timestamp);
        if (op === 'gte') return t >= v;
        if (op === 'lte') return t <= v;
        if (op === 'range') return t >= (v?.start ?? v?.[0]) && t <= (v?.end ?? v?.[1]);
        return false;
      }
      case 'id':
        return op === 'eq' ? list(v).includes(a._id) : op === 'neq' ? !list(v).includes(a._id) : false;
      case 'alertOpen': {
        const open = !a.resolutionStatusValue;
        return op === 'eq' ? open === v : false;
      }
      case 'severity':
        return op === 'eq' ? list(v).includes(a.severityValue) : op === 'neq' ? !list(v).includes(a.severityValue) : false;
      case 'resolutionStatus':
        return op === 'eq' ? list(v).includes(a.resolutionStatusValue ?? 0) : false;
      case 'entity.service': {
        const ids = (Array.isArray(a.entities) ? a.entities : []).filter((e: any) => e?.type === 'service').map((e: any) => e.id);
        return op === 'eq' ? list(v).some((x) => ids.includes(x)) : false;
      }
      default:
        return false;
    }
  });
}

let seq = 0;

/** A well-formed alert as the API returns it (24-hex `_id`, epoch ms, entities). */
export function makeMcasAlert(over: Record<string, any> = {}): any {
  const n = ++seq;
  const id = (over._id as string) ?? (Date.now().toString(16) + n.toString(16).padStart(12, '0')).slice(-24).padStart(24, 'a');
  return {
    _id: id,
    timestamp: Date.parse('2026-03-02T08:00:00.000Z') + n,
    title: `Impossible travel activity ${n}`,
    description: 'Sign-ins from two distant countries within an hour.',
    isMarkdown: false,
    severityValue: 1,
    statusValue: 0,
    resolutionStatusValue: 0,
    entities: [
      { type: 'account', id: '00000000-0000-0000-0000-000000000004', label: 'John Doe', pa: 'jdoe@contoso.com', entityRole: 'Source' },
      { type: 'service', id: 11161, label: 'Office 365' },
      { type: 'policyRule', id: '5f4f0b7c2c1a4e0012345678', label: 'Impossible travel', policyType: 'ANOMALY_DETECTION' },
    ],
    threatScore: 42,
    URL: `https://contoso.portal.cloudappsecurity.com/#/alerts/${id}`,
    contextId: '72f988bf-86f1-41af-91ab-2d7cd011db47',
    ...over,
  };
}
