import path from 'node:path';
import restify, { type Request, type Response } from 'restify';
import type { AppParts } from '../feature';
import type { RoleName } from '../directory/roles';
import { actionActivity, cardButtonActivity, messageActivity, personalConversationId, DEV_CHANNEL_ID, type ActivityEnv, type DevUser, type Pane } from './activity-factory';
import type { DevHub } from './dev-hub';
import { loadScenario, replayScenario } from './scenario';
import { repoRoot, StaticFiles } from './static-files';

export const MAX_TEXT = 4000;
const LIVE_PACE_MS = 900;

interface ConsoleDeps {
  parts: AppParts;
  hub: DevHub;
  baseUrl(): string;
  env(): ActivityEnv;
  rememberUser(oid: string, name: string): void;
}

export type DevDirectoryUser = DevUser & { upn: string; roles: RoleName[] };

/** Loopback Host, same Origin, JSON bodies: what every /dev route checks first. */
export type Guard = (req: Request, res: Response, next: (err?: unknown) => void) => unknown;

/**
 * The console's own API. Only the page on this origin may call it: JSON bodies (a cross-site form
 * cannot send them without a preflight we never answer), a matching Origin when the browser sends
 * one, and a loopback Host (no DNS rebinding).
 */
/** What the console's other route files reuse: the guard, the JSON body parser, users, and delivery to /api/messages. */
export interface ConsoleApi {
  guard: Guard;
  files: StaticFiles;
  json: ReturnType<typeof restify.plugins.bodyParser>;
  userFor(id: unknown): Promise<DevDirectoryUser | undefined>;
  deliver(activity: Record<string, unknown>): Promise<{ status: number; body: any }>;
}

export function mountConsole(d: ConsoleDeps): ConsoleApi {
  const { parts, hub } = d;
  const server = parts.server;
  const root = repoRoot();
  const pub = (f: string) => path.join(root, 'bot', 'dev', 'public', f);
  const files = new StaticFiles({
    'index.html': pub('index.html'),
    'console.css': pub('console.css'),
    'console.js': pub('console.js'),
    'extension.js': pub('extension.js'),
    'markdown.js': pub('markdown.js'),
    'host-config.js': pub('host-config.js'),
    'cards.html': pub('cards.html'),
    'cards.js': pub('cards.js'),
    'adaptivecards.min.js': require.resolve('adaptivecards/dist/adaptivecards.min.js'),
  });

  async function users(): Promise<DevDirectoryUser[]> {
    const list = (await parts.directory.listUsers?.()) ?? [];
    const out = list.map((u) => ({ aadObjectId: u.aadObjectId, name: u.displayName, upn: u.userPrincipalName, roles: u.roles }));
    for (const u of out) d.rememberUser(u.aadObjectId, u.name);
    return out;
  }

  async function userFor(id: unknown): Promise<DevDirectoryUser | undefined> {
    return typeof id === 'string' ? (await users()).find((u) => u.aadObjectId === id) : undefined;
  }

  const json = restify.plugins.bodyParser({ maxBodySize: 64 * 1024, mapParams: false, rejectUnknown: true });
  const guard: Guard = (req, res, next) => {
    const host = String(req.headers.host ?? '').replace(/:\d+$/, '');
    if (!['127.0.0.1', 'localhost', '[::1]'].includes(host)) {
      res.send(403, { error: 'The dev console answers on loopback host names only.' });
      return next(false);
    }
    const origin = req.headers.origin;
    if (origin && origin !== `http://${req.headers.host}`) {
      res.send(403, { error: 'Cross-origin requests to the dev console are refused.' });
      return next(false);
    }
    if (req.method === 'POST' && !String(req.headers['content-type'] ?? '').startsWith('application/json')) {
      res.send(415, { error: 'Send application/json.' });
      return next(false);
    }
    return next();
  };

  server.get('/dev/', guard, async (_req: Request, res: Response) => files.send(res, 'index.html'));
  server.get('/dev/static/:name', guard, async (req: Request, res: Response) => files.send(res, String(req.params.name)));

  server.get('/dev/api/session', guard, async (_req: Request, res: Response) => {
    const token = parts.config.ingestToken;
    res.send(200, {
      users: await users(),
      channel: { id: DEV_CHANNEL_ID, name: 'SOC alerts' },
      personalConversations: Object.fromEntries((await users()).map((u) => [u.aadObjectId, personalConversationId(u)])),
      replay: token ? { ready: true } : { ready: false, reason: 'INGEST_TOKEN is unset. Start with `npm start` (it generates a per-process token in local mode) or set INGEST_TOKEN.' },
    });
  });

  server.get('/dev/api/events', guard, async (req: Request, res: Response) => {
    const last = Number(req.headers['last-event-id'] ?? req.query?.after ?? 0);
    if (!hub.subscribe(res, Number.isFinite(last) ? last : 0)) res.send(503, { error: 'Too many open consoles.' });
  });

  /** POST the activity to the real /api/messages, as Teams would. */
  async function deliver(activity: Record<string, unknown>): Promise<{ status: number; body: any }> {
    const r = await parts.fetch(`${d.baseUrl()}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity) });
    const text = await r.text();
    let body: any = null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      body = text;
    }
    return { status: r.status, body };
  }

  server.post('/dev/api/send', guard, json, async (req: Request, res: Response) => {
    const b = (req.body ?? {}) as { userId?: unknown; pane?: unknown; text?: unknown; threadId?: unknown };
    const user = await userFor(b.userId);
    if (!user) return void res.send(400, { error: 'Pick a user from the directory.' });
    if (b.pane !== 'personal' && b.pane !== 'channel') return void res.send(400, { error: 'pane must be "personal" or "channel".' });
    if (typeof b.text !== 'string' || !b.text.trim()) return void res.send(400, { error: 'Type a message.' });
    if (b.text.length > MAX_TEXT) return void res.send(413, { error: `Messages are limited to ${MAX_TEXT} characters.` });
    const pane = b.pane as Pane;
    const threadId = pane === 'channel' && typeof b.threadId === 'string' && hub.get(b.threadId) ? b.threadId : undefined;
    const id = hub.newId();
    const now = parts.clock.now();
    hub.add({
      id,
      conversationId: pane === 'personal' ? personalConversationId(user) : DEV_CHANNEL_ID,
      threadId,
      from: { role: 'user', name: user.name, aadObjectId: user.aadObjectId },
      text: pane === 'channel' ? `@Hybridwatch ${b.text}` : b.text,
      cards: [],
      timestamp: now.toISOString(),
      updates: 0,
    });
    const r = await deliver(messageActivity(d.env(), user, pane, b.text, id, now, threadId ?? id));
    if (r.status >= 300) hub.notice(`/api/messages answered ${r.status}: ${JSON.stringify(r.body).slice(0, 300)}`, 'error');
    return void res.send(200, { id, status: r.status });
  });

  server.post('/dev/api/invoke', guard, json, async (req: Request, res: Response) => {
    const b = (req.body ?? {}) as { userId?: unknown; activityId?: unknown; verb?: unknown; data?: unknown; trigger?: unknown; kind?: unknown };
    const user = await userFor(b.userId);
    if (!user) return void res.send(400, { error: 'Pick a user from the directory.' });
    const target = typeof b.activityId === 'string' ? hub.get(b.activityId) : undefined;
    if (!target) return void res.send(404, { error: 'That card is not in this console (the console forgets on restart).' });
    const data = b.data && typeof b.data === 'object' && !Array.isArray(b.data) ? (b.data as Record<string, unknown>) : {};
    const pane: Pane = target.conversationId === DEV_CHANNEL_ID ? 'channel' : 'personal';
    if (b.kind === 'cardButton') {
      // Action.Submit on a card the message extension inserted: Teams sends composeExtension/onCardButtonClicked.
      const r = await deliver(cardButtonActivity(d.env(), user, pane, { activityId: target.id, threadId: target.threadId ?? target.id }, data, hub.newId(), parts.clock.now()));
      return void res.send(200, { status: r.status, response: r.body });
    }
    if (typeof b.verb !== 'string' || b.verb.length > 200) return void res.send(400, { error: 'verb must be a string.' });
    const trigger = b.trigger === 'automatic' ? 'automatic' : 'manual';
    const activity = actionActivity(d.env(), user, pane, { activityId: target.id, threadId: target.threadId ?? target.id }, { verb: b.verb, data }, hub.newId(), parts.clock.now(), trigger);
    const r = await deliver(activity);
    const answer = r.body;
    // A card answer replaces the card for this user only (Teams Universal Actions), for clicks and refreshes alike.
    if (r.status === 200 && answer?.type === 'application/vnd.microsoft.card.adaptive' && answer.value && typeof answer.value === 'object') {
      hub.setView(target.id, user.aadObjectId, [answer.value]);
    }
    return void res.send(200, { status: r.status, response: answer });
  });

  let replaying = false;
  server.post('/dev/api/replay', guard, json, async (req: Request, res: Response) => {
    const token = parts.config.ingestToken;
    if (!token) return void res.send(409, { error: 'INGEST_TOKEN is unset: the replay uses the real ingest endpoints. Start with `npm start` (generates one in local mode) or set INGEST_TOKEN.' });
    if (replaying) return void res.send(409, { error: 'A replay is already running.' });
    const pace = (req.body as { pace?: unknown } | undefined)?.pace === 'fast' ? 0 : LIVE_PACE_MS;
    const steps = loadScenario(parts.clock.now());
    replaying = true;
    if ((await parts.services.integration.get()).state === 'disabled') {
      hub.notice('The Azure ATP integration is disabled, so its on-premises events will be counted and ignored (as designed). To see them: as Alex Wilber (Global Administrator) send `enable`, click Enable, then replay.', 'error');
    }
    hub.notice(`Replaying the demo scenario: ${steps.length} events for John Doe (CONTOSO\\jdoe, jdoe@contoso.com) through /api/ingest/cef and /api/ingest/mcas.`);
    const run = replayScenario({
      baseUrl: d.baseUrl(),
      token,
      steps,
      fetch: parts.fetch,
      paceMs: pace,
      onStep(r, i, n) {
        const outcome = r.error
          ? `failed: HTTP ${r.status} ${typeof r.error === 'string' ? r.error : JSON.stringify(r.error)}`
          : `accepted ${r.result?.accepted ?? 0}, duplicates ${r.result?.duplicates ?? 0}, ignored ${r.result?.ignored ?? 0}${r.result?.rejected?.length ? `, rejected ${JSON.stringify(r.result.rejected).slice(0, 200)}` : ''}`;
        hub.notice(`${i + 1}/${n} ${r.label}: ${outcome}`, r.error ? 'error' : 'info');
      },
    }).finally(() => {
      replaying = false;
    });
    // Live pace: answer now and stream progress; fast (tests, scripts): answer when done.
    if (pace > 0) {
      run.catch((e) => parts.log.error({ err: e }, 'dev console replay failed'));
      return void res.send(202, { started: true, steps: steps.length });
    }
    const results = await run;
    return void res.send(200, { steps: results });
  });
  return { guard, files, json, userFor, deliver };
}
