import type { TokenCredential } from '@azure/identity';
import { z } from 'zod';
import type { Clock } from '../../clock';
import { McasError } from '../../errors';
import type { Logger } from '../../log';
import type { Metrics } from '../../metrics';
import type { RollingTokenBucket } from './rate-limiter';
import type { Sleep } from './sleep';
import { backoffMs, retryAfterMs } from '../backoff';

/** Returns the Authorization header value for the next request. */
export type McasAuth = () => Promise<string>;

/** Legacy API token (Settings → Security extensions → API tokens): `Authorization: Token <key>`. */
export const tokenAuth = (token: string): McasAuth => async () => `Token ${token}`;

/** Application id of the Cloud App Security API in Entra: scope for app tokens. */
export const MCAS_RESOURCE = '05a65629-4c1b-48c1-a78b-804c4abdd4af';

/**
 * Optional Entra app token (`Investigation.read`, plus `Investigation.manage` to close alerts), e.g.
 * `entraAuth(new ClientSecretCredential(tenant, clientId, secret))`. @azure/identity caches and renews it.
 */
export const entraAuth = (credential: TokenCredential): McasAuth => async () => {
  const t = await credential.getToken(`${MCAS_RESOURCE}/.default`);
  if (!t) throw new McasError('Entra did not issue a Cloud App Security token', 'Check the app registration has the Investigation.read (and Investigation.manage) application permissions with admin consent');
  return `Bearer ${t.token}`;
};

export type McasFilter = Record<string, Record<string, unknown>>;

export interface McasListRequest {
  filters: McasFilter;
  sortField?: 'date' | 'severity';
  sortDirection?: 'asc' | 'desc';
  skip?: number;
  limit?: number;
}

export interface McasListResponse {
  /** Raw alert objects: validated one by one by normalize-mcas, so one bad alert never loses the page. */
  data: unknown[];
  hasNext: boolean;
  total: number | null;
}

export type McasCloseKind = 'close_true_positive' | 'close_benign' | 'close_false_positive';

export interface McasCloseResponse {
  closed: number;
  alertsNotFound: string[];
}

const listSchema = z.object({ data: z.array(z.unknown()), hasNext: z.boolean().optional(), total: z.number().optional() });
const closeSchema = z.object({ alertsNotFound: z.array(z.string()).optional() }).catchall(z.unknown());

export const MCAS_PAGE_LIMIT = 100;
export const AUTH_FIX = 'Cloud App Security token invalid or lacks Investigation permissions: create an API token (Settings → Security extensions → API tokens) as an admin with those rights and set MCAS_TOKEN';

export interface McasClientOptions {
  /** MCAS_URL: `https://<tenant>.<region>.portal.cloudappsecurity.com` (a trailing /api/v1 is accepted). */
  baseUrl: string;
  auth: McasAuth;
  fetch: typeof fetch;
  clock: Clock;
  sleep: Sleep;
  /** Shared by every call to this API (polls and actions): 30 per rolling minute. */
  bucket: RollingTokenBucket;
  random?: () => number;
  metrics?: Metrics;
  log?: Logger;
  maxAttempts?: number;
  timeoutMs?: number;
}

export interface CallOptions {
  signal?: AbortSignal;
  maxAttempts?: number;
}

const MAX_BODY_CHARS = 32 * 1024 * 1024;

/**
 * The one connector to the Cloud App Security REST API. Every request takes a token from the shared
 * bucket; 429 and 5xx back off honouring Retry-After, network errors back off exponentially with
 * jitter; 401/403 and other 4xx fail at once with a typed McasError carrying the fix.
 */
export class McasClient {
  private readonly api: string;
  constructor(private readonly o: McasClientOptions) {
    this.api = `${o.baseUrl.replace(/\/+$/, '').replace(/\/api\/v1$/, '')}/api/v1`;
  }

  async listAlerts(req: McasListRequest, call: CallOptions = {}): Promise<McasListResponse> {
    const body = { ...req, limit: Math.min(req.limit ?? MCAS_PAGE_LIMIT, MCAS_PAGE_LIMIT), skip: req.skip ?? 0 };
    const raw = await this.post('/alerts/', body, call);
    const parsed = listSchema.safeParse(raw);
    if (!parsed.success) {
      throw new McasError('Cloud App Security answered the alert list in an unexpected shape', 'Check MCAS_URL points at the portal API (https://<tenant>.<region>.portal.cloudappsecurity.com)', 200);
    }
    return { data: parsed.data.data, hasNext: parsed.data.hasNext ?? false, total: parsed.data.total ?? null };
  }

  async closeAlerts(kind: McasCloseKind, ids: string[], comment: string, reasonId: number | undefined, call: CallOptions = {}): Promise<McasCloseResponse> {
    const body: Record<string, unknown> = { filters: { id: { eq: ids } }, comment };
    if (reasonId !== undefined) body.reasonId = reasonId;
    const raw = closeSchema.safeParse(await this.post(`/alerts/${kind}/`, body, call));
    if (!raw.success) throw new McasError(`Cloud App Security answered ${kind} in an unexpected shape`, 'Check the alert in the Cloud App Security portal', 200);
    const count = raw.data[`closed_${kind.slice('close_'.length)}`];
    return { closed: typeof count === 'number' ? count : 0, alertsNotFound: raw.data.alertsNotFound ?? [] };
  }

  /** POST one API call with budget, retries and typed errors. */
  async post(path: string, body: unknown, call: CallOptions = {}): Promise<unknown> {
    const { metrics, log } = this.o;
    const maxAttempts = call.maxAttempts ?? this.o.maxAttempts ?? 8;
    const url = `${this.api}${path}`;
    const op = path.replace(/[0-9a-f]{24}/gi, ':id');
    let last: McasError | null = null;
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      if (call.signal?.aborted) throw new McasError('Cloud App Security call cancelled', 'Hybridwatch is shutting down; it resumes on the next start');
      let release: () => void;
      try {
        release = await this.o.bucket.acquire(call.signal);
      } catch {
        throw new McasError('The Cloud App Security budget (30 requests per minute, shared with polling) is used up right now', 'Try again in a minute');
      }
      let status: number;
      let text: string;
      let retryAfter: string | null = null;
      try {
        const timeout = AbortSignal.timeout(this.o.timeoutMs ?? 30_000);
        const res = await this.o.fetch(url, {
          method: 'POST',
          headers: { authorization: await this.o.auth(), 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify(body),
          signal: call.signal ? AbortSignal.any([call.signal, timeout]) : timeout,
        });
        status = res.status;
        retryAfter = res.headers.get('retry-after');
        text = await res.text();
      } catch (e) {
        release();
        if (e instanceof McasError) throw e;
        if (call.signal?.aborted) throw new McasError('Cloud App Security did not answer in time', 'Try again; Hybridwatch keeps the alert as it is until then');
        metrics?.mcasErrors.inc({ kind: 'network' });
        last = new McasError(`Could not reach Cloud App Security (${(e as Error).message})`, 'Check MCAS_URL and that this server can reach it over HTTPS');
        log?.warn({ op, attempt, err: { message: (e as Error).message } }, 'Cloud App Security unreachable; backing off');
        if (attempt < maxAttempts) await this.o.sleep(this.backoff(attempt), call.signal);
        continue;
      }
      release();
      metrics?.mcasRequests.inc({ op, status: String(status) });
      if (status >= 200 && status < 300) {
        if (text.length > MAX_BODY_CHARS) throw new McasError('Cloud App Security answered with an oversized body', 'Lower the page size', status);
        try {
          return JSON.parse(text);
        } catch {
          throw new McasError('Cloud App Security answered with something that is not JSON', 'Check MCAS_URL points at the portal API, not a sign-in page or proxy', status);
        }
      }
      const detail = snippet(text);
      if (status === 401 || status === 403) {
        metrics?.mcasErrors.inc({ kind: 'auth' });
        throw new McasError(`Cloud App Security refused the request (HTTP ${status}${detail ? `: ${detail}` : ''})`, AUTH_FIX, status);
      }
      if (status === 429 || status >= 500) {
        if (status === 429) metrics?.mcasThrottled.inc();
        else metrics?.mcasErrors.inc({ kind: 'server' });
        const wait = this.retryAfterMs(retryAfter) ?? Math.max(this.backoff(attempt), status === 429 ? 2_000 : 0);
        last = new McasError(
          status === 429 ? 'Cloud App Security is throttling Hybridwatch (HTTP 429)' : `Cloud App Security had a server error (HTTP ${status})`,
          status === 429 ? 'Another client may share the 30 requests per minute budget of this tenant; Hybridwatch retries by itself' : 'Hybridwatch retries by itself; check the Cloud App Security service status if it persists',
          status,
          wait,
        );
        log?.warn({ op, attempt, status, waitMs: wait }, 'Cloud App Security asked us to back off');
        if (attempt < maxAttempts) await this.o.sleep(wait, call.signal);
        continue;
      }
      metrics?.mcasErrors.inc({ kind: 'rejected' });
      throw new McasError(`Cloud App Security rejected the request (HTTP ${status}${detail ? `: ${detail}` : ''})`, 'This is likely a Hybridwatch bug or an API change; the logs have the details', status);
    }
    throw last ?? new McasError('Cloud App Security call failed', 'Retry later');
  }

  private backoff(attempt: number): number {
    return backoffMs(attempt, this.o.random);
  }

  private retryAfterMs(h: string | null): number | null {
    return retryAfterMs(h, this.o.clock.now().getTime());
  }
}

/** A short, single-line, printable excerpt of an error body for messages (never the whole body). */
function snippet(text: string): string {
  let msg = text;
  try {
    const j = JSON.parse(text) as Record<string, unknown>;
    const m = j.error ?? j.detail ?? j.message;
    if (typeof m === 'string') msg = m;
  } catch {
    /* not JSON */
  }
  return msg.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim().slice(0, 160);
}
