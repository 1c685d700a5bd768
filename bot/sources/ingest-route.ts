import { timingSafeEqual, createHash } from 'node:crypto';
import type { Request, Response, Server } from 'restify';
import type { Logger } from '../log';
import type { Metrics } from '../metrics';
import { RateLimiter } from '../server/rate-limiter';
import { readBody } from '../server/read-body';

export const MAX_INGEST_BYTES = 1024 * 1024;

/** The answer of every /api/ingest/* call (DESIGN.md). */
export interface IngestResult {
  accepted: number;
  duplicates: number;
  ignored: number;
  rejected: Array<{ line: number; reason: string }>;
}

/**
 * Thrown by `handle` before it takes any line when the batch does not fit the pipeline now: the route
 * answers 429 with Retry-After and nothing of the batch is stored, so the client resends it as is.
 */
export class IngestBusy extends Error {
  constructor(readonly retryAfterSeconds: number, message: string) {
    super(message);
  }
}

/** Thrown by `handle` before it takes any line when the batch can never fit: 413, split it. */
export class IngestTooBig extends Error {}

export const emptyResult = (): IngestResult => ({ accepted: 0, duplicates: 0, ignored: 0, rejected: [] });

/** Constant-time bearer token check (hash both sides so lengths never leak). */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(.+)$/i.exec(header ?? '');
  if (!m) return false;
  const a = createHash('sha256').update(m[1].trim()).digest();
  const b = createHash('sha256').update(token).digest();
  return timingSafeEqual(a, b);
}

export interface IngestRouteOptions {
  path: string;
  /** Accepted content types (prefix match, e.g. 'text/plain'). */
  contentTypes: string[];
  token: string | undefined;
  log: Logger;
  metrics: Metrics;
  /** Parse and record the raw UTF-8 body. Must not throw for bad lines: report them in `rejected`. */
  handle(body: string): Promise<IngestResult>;
  /** Per-client limit (by remote address); default 50 requests/s with a burst of 100. */
  limiter?: RateLimiter;
  /** Requests read and handled at once on this route (INGEST_MAX_IN_FLIGHT); more get 429 before their body is read. */
  maxInFlight?: number;
}

/**
 * POST /api/ingest/*: bearer token (401), 1 MiB (413), content type (415), INGEST_TOKEN unset (503 with
 * how to enable), back-pressure (429 + Retry-After, the batch refused whole: too many requests in flight,
 * or `handle` throws IngestBusy). The body is read raw here so one bad line never fails the batch.
 */
export function mountIngestRoute(server: Server, o: IngestRouteOptions): void {
  const limiter = o.limiter ?? new RateLimiter(50, 100);
  // Bounds the memory of a flood: at most maxInFlight bodies (≤ 1 MiB each) are held on this route.
  const maxInFlight = o.maxInFlight ?? 8;
  let inFlight = 0;
  const busy = (res: Response, reason: 'in_flight' | 'pipeline_full', seconds: number, error: string) => {
    o.metrics.ingestRefused.inc({ route: o.path, reason });
    res.header('Retry-After', String(seconds));
    res.send(429, { error });
  };
  server.post(o.path, async (req: Request, res: Response) => {
    const route = o.path;
    if (!o.token) {
      res.send(503, { error: 'Ingest is off: set INGEST_TOKEN in Hybridwatch\'s environment and send it as "Authorization: Bearer <token>".' });
      return;
    }
    const wait = limiter.take(req.socket.remoteAddress ?? 'unknown');
    if (wait > 0) {
      o.metrics.badRequests.inc({ route, reason: 'rate_limited' });
      res.header('Retry-After', String(Math.ceil(wait / 1000)));
      res.send(429, { error: 'Too many ingest requests from this client: retry after the Retry-After seconds, or send larger batches.' });
      return;
    }
    if (!bearerMatches(req.headers.authorization, o.token)) {
      o.metrics.badRequests.inc({ route, reason: 'unauthorized' });
      res.send(401, { error: 'Missing or wrong bearer token (Authorization: Bearer <INGEST_TOKEN>).' });
      return;
    }
    const type = String(req.headers['content-type'] ?? '').toLowerCase();
    if (!o.contentTypes.some((t) => type.startsWith(t))) {
      o.metrics.badRequests.inc({ route, reason: 'content_type' });
      res.send(415, { error: `Content-Type must be ${o.contentTypes.join(' or ')}.` });
      return;
    }
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > MAX_INGEST_BYTES) {
      o.metrics.badRequests.inc({ route, reason: 'too_large' });
      res.send(413, { error: `Body over ${MAX_INGEST_BYTES} bytes: split it into smaller batches.` });
      req.resume();
      return;
    }
    if (inFlight >= maxInFlight) {
      req.resume();
      busy(res, 'in_flight', 1, `Ingest is busy with ${maxInFlight} other batches: nothing of this batch was taken; resend it as is after the Retry-After seconds.`);
      return;
    }
    inFlight++;
    try {
      let body: Buffer;
      try {
        body = await readBody(req, MAX_INGEST_BYTES);
      } catch {
        o.metrics.badRequests.inc({ route, reason: 'too_large' });
        res.send(413, { error: `Body over ${MAX_INGEST_BYTES} bytes: split it into smaller batches.` });
        return;
      }
      try {
        const result = await o.handle(body.toString('utf8'));
        res.send(200, result);
      } catch (e) {
        if (e instanceof IngestBusy) return busy(res, 'pipeline_full', e.retryAfterSeconds, e.message);
        if (e instanceof IngestTooBig) {
          o.metrics.badRequests.inc({ route, reason: 'too_large' });
          res.send(413, { error: e.message });
          return;
        }
        o.log.error({ err: { message: (e as Error).message }, route }, 'ingest failed');
        res.send(500, { error: 'Ingest failed on our side; nothing in this batch was lost that was reported accepted. Retry the batch.' });
      }
    } finally {
      inFlight--;
    }
  });
}
