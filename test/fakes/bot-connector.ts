import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** Teams' per-conversation write limits (per bot) and the per-app limit. */
export const TEAMS_LIMITS = [
  { max: 7, windowMs: 1_000 },
  { max: 8, windowMs: 2_000 },
  { max: 60, windowMs: 30_000 },
  { max: 1800, windowMs: 3_600_000 },
];
export const APP_LIMITS = [{ max: 50, windowMs: 1_000 }];

export interface RecordedCall {
  method: string;
  path: string;
  conversationId: string;
  activityId?: string;
  body: any;
  at: number;
}

/**
 * A Bot Connector on loopback that records what the bot sends (Bot Connector REST on serviceUrl):
 * POST v3/conversations/{id}/activities[/{replyToId}], PUT …/activities/{activityId}, POST v3/conversations.
 * Point an activity's serviceUrl at `url` and every reply lands here.
 */
export class FakeBotConnector {
  readonly calls: RecordedCall[] = [];
  private server = http.createServer((req, res) => this.handle(req, res));
  private seq = 0;
  /** Return a status (e.g. 403, 429) for the next matching call instead of accepting it. */
  failNext: Array<{ status: number; headers?: Record<string, string>; body?: unknown; match?: (c: RecordedCall) => boolean }> = [];
  private waiters: Array<() => void> = [];
  url = '';
  /**
   * Enforce Teams' throttling like the real service: per conversation (a chat or a channel thread;
   * new threads count against their channel) 7/1 s, 8/2 s, 60/30 s, 1800/h, and 50/s for the app.
   * Over a limit: 429 with Retry-After (whole seconds), recorded in `rejected`. Set false to accept all.
   */
  enforceLimits = true;
  /** Calls answered 429 because a limit was exceeded. */
  readonly rejected: RecordedCall[] = [];
  private accepted = new Map<string, number[]>();
  private appAccepted: number[] = [];

  async start(): Promise<string> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
    return this.url;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections?.();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      let body: any = null;
      try {
        body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : null;
      } catch {
        res.writeHead(400);
        res.end();
        return;
      }
      const path = decodeURIComponent((req.url ?? '').split('?')[0]);
      const m = path.match(/^\/v3\/conversations(?:\/([^/]+)\/activities(?:\/([^/]+))?)?\/?$/);
      if (!m) {
        res.writeHead(404);
        res.end();
        return;
      }
      const call: RecordedCall = { method: req.method ?? '', path, conversationId: m[1] ?? '', activityId: m[2], body, at: Date.now() };
      if (this.enforceLimits && req.method !== 'GET') {
        const key = m[1] ? call.conversationId : String(body?.channelData?.channel?.id ?? body?.activity?.conversation?.id ?? 'new');
        const waitMs = Math.max(this.wait(this.accepted.get(key) ?? [], TEAMS_LIMITS, call.at), this.wait(this.appAccepted, APP_LIMITS, call.at));
        if (waitMs > 0) {
          this.rejected.push(call);
          res.writeHead(429, { 'content-type': 'application/json', 'retry-after': String(Math.ceil(waitMs / 1000)) });
          res.end(JSON.stringify({ error: { code: 'TooManyRequests', message: `conversation ${key} is over a Teams limit` } }));
          return;
        }
        const times = this.accepted.get(key) ?? [];
        times.push(call.at);
        this.accepted.set(key, times);
        this.appAccepted.push(call.at);
      }
      const failIdx = this.failNext.findIndex((f) => !f.match || f.match(call));
      if (failIdx >= 0) {
        const f = this.failNext.splice(failIdx, 1)[0];
        res.writeHead(f.status, { 'content-type': 'application/json', ...(f.headers ?? {}) });
        res.end(JSON.stringify(f.body ?? { error: { code: 'Fake', message: `status ${f.status}` } }));
        return;
      }
      this.calls.push(call);
      let answer: unknown;
      if (req.method === 'POST' && !m[1] && !body?.isGroup && Array.isArray(body?.members) && body.members[0]?.id) {
        // Create (or find) a 1:1 conversation with a user.
        answer = { id: `a:1on1-${body.members[0].id}` };
      } else if (req.method === 'POST' && !m[1]) {
        // Create conversation (new channel thread).
        const channel = body?.channelData?.channel?.id ?? 'conv';
        const rootId = `${Date.now()}${++this.seq}`;
        answer = { id: `${channel};messageid=${rootId}`, activityId: rootId };
      } else if (req.method === 'PUT') answer = { id: m[2] };
      else answer = { id: `act-${++this.seq}` };
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer));
      this.waiters.splice(0).forEach((w) => w());
    });
  }

  /** How long until one more write fits every window (0 = now). */
  private wait(times: number[], limits: typeof TEAMS_LIMITS, now: number): number {
    while (times.length && times[0] <= now - 3_600_000) times.shift();
    let until = now;
    for (const { max, windowMs } of limits) {
      const inWindow = times.filter((t) => t > now - windowMs);
      if (inWindow.length >= max) until = Math.max(until, inWindow[inWindow.length - max] + windowMs);
    }
    return until - now;
  }

  /** The most times any one request (same method, path and body) was answered 429. */
  maxRejectionsPerSend(): number {
    const n = new Map<string, number>();
    for (const c of this.rejected) {
      const k = `${c.method} ${c.path} ${JSON.stringify(c.body)}`;
      n.set(k, (n.get(k) ?? 0) + 1);
    }
    return Math.max(0, ...n.values());
  }

  /** Card updates (PUT), optionally for one activity id. */
  updates(activityId?: string): RecordedCall[] {
    return this.calls.filter((c) => c.method === 'PUT' && (!activityId || c.activityId === activityId));
  }

  /** Activities the bot sent (POSTs with an activity body), optionally for one conversation. */
  sent(conversationId?: string): any[] {
    return this.calls
      .filter((c) => c.method === 'POST' && (!conversationId || c.conversationId === conversationId || c.conversationId.startsWith(`${conversationId};`)))
      .map((c) => c.body?.activity ?? c.body);
  }

  /** Adaptive Cards among what was sent. */
  cards(conversationId?: string): any[] {
    return this.sent(conversationId).flatMap((a) => (a?.attachments ?? []).filter((x: any) => x.contentType === 'application/vnd.microsoft.card.adaptive').map((x: any) => x.content));
  }

  texts(conversationId?: string): string[] {
    return this.sent(conversationId).filter((a) => a?.text).map((a) => String(a.text));
  }

  clear(): void {
    this.calls.length = 0;
    this.rejected.length = 0;
  }

  /** Resolves when pred is true, checking after each recorded call; rejects after timeoutMs. */
  async waitFor(pred: () => boolean, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pred()) {
      if (Date.now() > deadline) throw new Error(`FakeBotConnector.waitFor timed out after ${timeoutMs} ms (${this.calls.length} calls recorded)`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, 50);
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }
}
