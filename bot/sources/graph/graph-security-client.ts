import type { TokenCredential } from '@azure/identity';
import type { Clock } from '../../clock';
import { GraphSecurityError } from '../../errors';
import type { Logger } from '../../log';
import type { Metrics } from '../../metrics';
import type { RollingTokenBucket } from '../cloud/rate-limiter';
import type { Sleep } from '../cloud/sleep';
import { backoffMs, MAX_RETRY_WAIT_MS, retryAfterMs } from '../backoff';
import { CREDENTIALS_FIX, httpError, snippet } from './graph-errors';
import { PaceQueue } from './pace-queue';
import type { ThrottleGate } from './throttle-gate';

export const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';
/** Least-privileged application permissions, named in a 403's fix. */
export const PERMISSIONS = {
  readAlerts: 'SecurityAlert.Read.All',
  writeAlerts: 'SecurityAlert.ReadWrite.All',
  sensors: 'SecurityIdentitiesSensors.Read.All',
  healthIssues: 'SecurityIdentitiesHealth.Read.All',
  // Issue 15: Entra ID Protection and identity response.
  readRiskyUsers: 'IdentityRiskyUser.Read.All',
  writeRiskyUsers: 'IdentityRiskyUser.ReadWrite.All',
  // The shared reference names Directory.ReadWrite.All (older page: User.ReadWrite.All); Graph's current
  // page lists User.RevokeSessions.All as least privileged.
  revokeSessions: 'User.RevokeSessions.All (or Directory.ReadWrite.All where your tenant does not offer it)',
  readIdentityAccounts: 'SecurityIdentitiesAccount.Read.All',
  identityActions: 'SecurityIdentitiesActions.ReadWrite.All',
} as const;

/**
 * Endpoint families with their own, tighter pace. Entra ID Protection (riskyUsers, confirmCompromised,
 * dismiss) allows about 1 request a second per tenant for all apps together and answers 429 without
 * Retry-After.
 */
export type GraphFamily = 'identityProtection';
export const FAMILY_PACE: Record<GraphFamily, { intervalMs: number; name: string }> = {
  identityProtection: { intervalMs: 1_000, name: 'Entra ID Protection' },
};

export interface GraphSecurityClientOptions {
  /** GRAPH_BASE_URL, with the version path: https://graph.microsoft.com/v1.0 */
  baseUrl: string;
  /** The GRAPH_* app (client credentials); @azure/identity caches and renews the token. */
  credential: TokenCredential;
  fetch: typeof fetch;
  clock: Clock;
  sleep: Sleep;
  /** Retry-After of any call holds for every call of this instance. */
  gate: ThrottleGate;
  /** Requests per rolling minute for this instance (all security calls). */
  bucket: RollingTokenBucket;
  random?: () => number;
  metrics?: Metrics;
  log?: Logger;
  timeoutMs?: number;
}

export interface GraphCallOptions {
  /** What the call does, for messages and metrics: "listing alerts". */
  op: string;
  /** The least-privileged application permission it needs: the 403 fix names it. */
  permission: string;
  signal?: AbortSignal;
  /** Attempts in all (throttling, server and network errors are retried). Default 8. */
  maxAttempts?: number;
  /** The longest this call may wait for Retry-After, backoff or budget before failing with "try again in N s". Default 5 min. */
  maxWaitMs?: number;
  /** Background work (polls, health) leaves part of the budget free for calls a person waits for. */
  background?: boolean;
  headers?: Record<string, string>;
  /** A family with its own pace (queued one at a time per interval); its 429s without Retry-After hold back only that family. */
  family?: GraphFamily;
}

export interface GraphResponse<T = unknown> {
  status: number;
  body: T;
  /** The server's Date header (epoch ms), when it sent a readable one. */
  serverTime: number | null;
}

export interface GraphPage {
  value: unknown[];
  nextLink: string | null;
  serverTime: number | null;
}

const MAX_BODY_CHARS = 32 * 1024 * 1024;
/** Budget share kept for interactive calls (card actions, `health`) while background work runs. */
export const INTERACTIVE_RESERVE = 20;
const RETRYABLE = new Set([429, 500, 502, 503, 504]);

/**
 * The one connector to Microsoft Graph's security API (alerts_v2, Defender for Identity, and issue 15's
 * Entra ID Protection and identity actions). Token from the GRAPH_* app, every call through the
 * instance-wide throttle gate and budget, and paced families (Entra ID Protection) through their own
 * queue; 429/503 honour Retry-After (exponential backoff with jitter when a 429 has none), network and
 * server errors back off; anything else fails at once with a typed GraphSecurityError carrying Graph's
 * code and a fix sentence.
 */
export class GraphSecurityClient {
  readonly base: URL;
  private readonly paces = new Map<GraphFamily, PaceQueue>();

  constructor(private readonly o: GraphSecurityClientOptions) {
    this.base = new URL(o.baseUrl.replace(/\/+$/, '') + '/');
  }

  /** An absolute URL for a path (`security/alerts_v2`), or a link Graph gave us (nextLink) — only on the configured Graph host and version. */
  url(pathOrUrl: string): string {
    if (/^https?:\/\//i.test(pathOrUrl)) {
      const u = new URL(pathOrUrl);
      // Never send the app's token anywhere but GRAPH_BASE_URL.
      if (u.origin !== this.base.origin || !u.pathname.startsWith(this.base.pathname)) {
        throw new GraphSecurityError(`Microsoft Graph returned a link outside GRAPH_BASE_URL (${snippet(u.origin, 80)})`, 'Hybridwatch does not follow it; check GRAPH_BASE_URL', undefined, 'rejected');
      }
      return u.toString();
    }
    return new URL(pathOrUrl.replace(/^\/+/, ''), this.base).toString();
  }

  get<T>(path: string, call: GraphCallOptions): Promise<GraphResponse<T>> {
    return this.request<T>('GET', path, undefined, call);
  }

  /** One Graph call with token, gate, budget, retries and typed errors. */
  async request<T = unknown>(method: string, pathOrUrl: string, body: unknown, call: GraphCallOptions): Promise<GraphResponse<T>> {
    const { metrics, log, gate } = this.o;
    const url = this.url(pathOrUrl);
    const maxAttempts = call.maxAttempts ?? 8;
    const maxWait = Math.min(call.maxWaitMs ?? MAX_RETRY_WAIT_MS, MAX_RETRY_WAIT_MS);
    const metricOp = call.op.replace(/\s+/g, '_');
    let last: GraphSecurityError | null = null;
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      if (call.signal?.aborted) throw cancelled();
      await gate.pass(maxWait, call.signal);
      const pace = call.family ? this.pace(call.family) : null;
      await pace?.turn(maxWait, call.signal);
      const release = await this.takeBudget(call, maxWait);
      let status: number;
      let text: string;
      let headers: Headers;
      try {
        const token = await this.token();
        const timeout = AbortSignal.timeout(this.o.timeoutMs ?? 30_000);
        const res = await this.o.fetch(url, {
          method,
          headers: { authorization: `Bearer ${token}`, accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...call.headers },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: call.signal ? AbortSignal.any([call.signal, timeout]) : timeout,
        });
        status = res.status;
        headers = res.headers;
        text = await res.text();
      } catch (e) {
        release();
        if (e instanceof GraphSecurityError) throw e;
        if (call.signal?.aborted) throw cancelled();
        metrics?.graphErrors.inc({ kind: 'network' });
        last = new GraphSecurityError(`Could not reach Microsoft Graph for ${call.op} (${snippet((e as Error).message, 120)})`, 'Check that this server can reach GRAPH_BASE_URL over HTTPS; Hybridwatch retries by itself', undefined, 'unavailable');
        log?.warn({ op: call.op, attempt, err: { message: (e as Error).message } }, 'Microsoft Graph unreachable; backing off');
        if (attempt < maxAttempts) await this.wait(this.backoff(attempt), maxWait, call, last);
        continue;
      }
      release();
      metrics?.graphRequests.inc({ op: metricOp, status: String(status) });
      if (status >= 200 && status < 300) {
        if (text.length > MAX_BODY_CHARS) throw new GraphSecurityError(`Microsoft Graph answered ${call.op} with an oversized body`, 'Lower the page size', status, 'rejected');
        let parsed: unknown = null;
        if (text.trim()) {
          try {
            parsed = JSON.parse(text);
          } catch {
            throw new GraphSecurityError(`Microsoft Graph answered ${call.op} with something that is not JSON`, 'Check GRAPH_BASE_URL points at Microsoft Graph, not a sign-in page or proxy', status, 'rejected');
          }
        }
        const date = Date.parse(headers.get('date') ?? '');
        return { status, body: parsed as T, serverTime: Number.isNaN(date) ? null : date };
      }
      const err = httpError(call.op, status, text, call.permission);
      if (!RETRYABLE.has(status)) {
        metrics?.graphErrors.inc({ kind: err.problem });
        throw err;
      }
      const retryAfter = this.retryAfterMs(headers.get('retry-after'));
      let wait: number;
      if (status === 429) {
        metrics?.graphThrottled.inc();
        wait = retryAfter ?? this.backoff(attempt);
        // A Retry-After holds for the whole instance; a paced family's bare 429 (Entra ID Protection
        // sends no Retry-After) is that family's limit, so only its queue backs off.
        if (pace && retryAfter === null) pace.block(wait);
        else gate.block(wait);
      } else {
        metrics?.graphErrors.inc({ kind: 'server' });
        wait = retryAfter ?? this.backoff(attempt);
        if (retryAfter !== null) gate.block(wait);
      }
      last = new GraphSecurityError(err.message, err.fix, status, err.problem, err.graphCode, wait);
      log?.warn({ op: call.op, attempt, status, waitMs: wait }, 'Microsoft Graph asked us to back off');
      if (attempt < maxAttempts) await this.wait(wait, maxWait, call, last);
    }
    if (last?.problem === 'throttled' && last.retryAfterMs !== undefined) {
      // Out of attempts while throttled: the person (or the next poll) tries again, Hybridwatch does not.
      const secs = Math.max(1, Math.ceil(last.retryAfterMs / 1000));
      throw new GraphSecurityError(last.message, `Try again in ${secs} second${secs === 1 ? '' : 's'}${throttleWhy(call)}`, last.status, last.problem, last.graphCode, last.retryAfterMs);
    }
    throw last ?? new GraphSecurityError(`Microsoft Graph call failed (${call.op})`, 'Try again later');
  }

  /** The pace of a family (one queue per family per instance). */
  pace(family: GraphFamily): PaceQueue {
    let q = this.paces.get(family);
    if (!q) this.paces.set(family, (q = new PaceQueue(this.o.clock, this.o.sleep, FAMILY_PACE[family].intervalMs, FAMILY_PACE[family].name)));
    return q;
  }

  private async token(): Promise<string> {
    try {
      const t = await this.o.credential.getToken(GRAPH_SCOPE);
      if (t?.token) return t.token;
    } catch (e) {
      this.o.log?.warn({ err: { name: (e as Error).name, message: snippet((e as Error).message, 200) } }, 'Microsoft Graph sign-in failed');
      this.o.metrics?.graphErrors.inc({ kind: 'auth' });
    }
    throw new GraphSecurityError('Hybridwatch could not sign in to Microsoft Graph', CREDENTIALS_FIX, 401, 'unauthorized');
  }

  private async takeBudget(call: GraphCallOptions, maxWait: number): Promise<() => void> {
    const limit = AbortSignal.timeout(Math.max(1, maxWait));
    try {
      return await this.o.bucket.acquire(call.signal ? AbortSignal.any([call.signal, limit]) : limit, call.background ? INTERACTIVE_RESERVE : 0);
    } catch {
      if (call.signal?.aborted) throw cancelled();
      throw new GraphSecurityError(`Hybridwatch's Microsoft Graph budget (${this.o.bucket.capacity} calls a minute) is used up right now`, 'Try again in a minute', 429, 'throttled');
    }
  }

  /** Sleep before a retry, unless that is longer than the call may wait: then fail with the last error. */
  private async wait(ms: number, maxWait: number, call: GraphCallOptions, last: GraphSecurityError): Promise<void> {
    if (ms > maxWait) {
      const secs = Math.ceil(ms / 1000);
      throw new GraphSecurityError(last.message, last.problem === 'throttled' ? `Try again in ${secs} second${secs === 1 ? '' : 's'}${throttleWhy(call)}` : last.fix, last.status, last.problem, last.graphCode, ms);
    }
    await this.o.sleep(ms, call.signal);
  }

  private backoff(attempt: number): number {
    return backoffMs(attempt, this.o.random);
  }

  private retryAfterMs(h: string | null): number | null {
    return retryAfterMs(h, this.o.clock.now().getTime());
  }
}

/** Why a throttled call should simply be tried again later. */
function throttleWhy(call: GraphCallOptions): string {
  return call.family ? `; ${FAMILY_PACE[call.family].name} allows about one request a second for the whole tenant (all apps), and Hybridwatch queues its own calls to it` : '; Hybridwatch waits as Graph asks (Retry-After)';
}

function cancelled(): GraphSecurityError {
  return new GraphSecurityError('The Microsoft Graph call was cancelled', 'Hybridwatch is shutting down or the answer took too long; try again', undefined, 'unavailable');
}
