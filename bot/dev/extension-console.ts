import type { Request, Response } from 'restify';
import template from '../../manifest/manifest.template.json';
import { domainMatches, linkDomains } from '../extension/links';
import type { AppParts } from '../feature';
import { DEV_CHANNEL_ID, personalConversationId, queryActivity, queryLinkActivity, type ActivityEnv, type Pane } from './activity-factory';
import type { ConsoleApi } from './console-routes';
import type { DevHub } from './dev-hub';

/** Longest search text the console passes on (Teams sends what was typed; the bot bounds it). */
export const MAX_SEARCH = 16 * 1024;
const MAX_URL = 4096;
const MAX_CARD = 28 * 1024;

/** The search commands as the app package declares them (title, what to type). */
export function extensionCommands(): Array<{ id: string; title: string; placeholder: string }> {
  const me = (template as { composeExtensions?: Array<{ commands: Array<{ id: string; title: string; parameters?: Array<{ description?: string }> }> }> }).composeExtensions?.[0];
  return (me?.commands ?? []).map((c) => ({ id: c.id, title: c.title, placeholder: c.parameters?.[0]?.description ?? '' }));
}

/**
 * The console's compose box (issue 14): searches and pasted links go to the real /api/messages as the
 * invokes Teams sends (composeExtension/query, /queryLink), only for the link domains the app package
 * registers; a picked result is inserted into the conversation as the user's own message, like Teams.
 */
export function mountExtensionConsole(parts: AppParts, hub: DevHub, api: ConsoleApi, env: () => ActivityEnv): void {
  const { server } = parts;
  const { guard, json, userFor, deliver } = api;
  const domains = linkDomains({ atpWorkspaceUrl: parts.config.atpWorkspaceUrl, mcasUrl: parts.config.mcas?.url });
  const paneOf = (p: unknown): Pane | null => (p === 'personal' || p === 'channel' ? p : null);
  const int = (v: unknown, min: number, max: number, def: number) => (typeof v === 'number' && Number.isInteger(v) ? Math.min(max, Math.max(min, v)) : def);

  server.get('/dev/api/extension', guard, async (_req: Request, res: Response) => {
    res.send(200, { commands: extensionCommands(), linkDomains: domains });
  });

  server.post('/dev/api/extension/query', guard, json, async (req: Request, res: Response) => {
    const b = (req.body ?? {}) as Record<string, unknown>;
    const user = await userFor(b.userId);
    const pane = paneOf(b.pane);
    if (!user || !pane) return void res.send(400, { error: 'Pick a user and a pane.' });
    if (typeof b.commandId !== 'string' || b.commandId.length > 64) return void res.send(400, { error: 'commandId must be a command of the app package.' });
    const text = typeof b.text === 'string' ? b.text : '';
    if (text.length > MAX_SEARCH) return void res.send(413, { error: `Searches are limited to ${MAX_SEARCH} characters here.` });
    const q = { commandId: b.commandId, text, skip: int(b.skip, 0, 1000, 0), count: int(b.count, 1, 25, 10), initialRun: b.initialRun === true };
    const r = await deliver(queryActivity(env(), user, pane, q, hub.newId(), parts.clock.now()));
    return void res.send(200, { status: r.status, response: r.body });
  });

  server.post('/dev/api/extension/link', guard, json, async (req: Request, res: Response) => {
    const b = (req.body ?? {}) as Record<string, unknown>;
    const user = await userFor(b.userId);
    const pane = paneOf(b.pane);
    if (!user || !pane) return void res.send(400, { error: 'Pick a user and a pane.' });
    if (typeof b.url !== 'string' || b.url.length > MAX_URL) return void res.send(400, { error: 'url must be a link.' });
    let host = '';
    try {
      const u = new URL(b.url.trim());
      host = u.protocol === 'https:' ? u.hostname : '';
    } catch {
      host = '';
    }
    // Teams invokes the app only for links on its registered domains; anything else stays a plain link.
    if (!host || !domains.some((d) => domainMatches(d, host))) {
      return void res.send(200, { unfurled: false, reason: `Teams would not ask Hybridwatch about this link: it is not https on one of the app's link domains (${domains.join(', ')}).` });
    }
    const r = await deliver(queryLinkActivity(env(), user, pane, b.url.trim(), hub.newId(), parts.clock.now()));
    return void res.send(200, { unfurled: true, status: r.status, response: r.body });
  });

  server.post('/dev/api/extension/insert', guard, json, async (req: Request, res: Response) => {
    const b = (req.body ?? {}) as Record<string, unknown>;
    const user = await userFor(b.userId);
    const pane = paneOf(b.pane);
    if (!user || !pane) return void res.send(400, { error: 'Pick a user and a pane.' });
    const card = b.card as { type?: unknown } | undefined;
    if (!card || typeof card !== 'object' || Array.isArray(card) || card.type !== 'AdaptiveCard') return void res.send(400, { error: 'card must be an Adaptive Card.' });
    if (Buffer.byteLength(JSON.stringify(card)) > MAX_CARD) return void res.send(413, { error: 'The card is over the 28 KB Teams allows.' });
    const text = typeof b.text === 'string' ? b.text.slice(0, MAX_URL) : undefined;
    const id = hub.newId();
    hub.add({
      id,
      conversationId: pane === 'personal' ? personalConversationId(user) : DEV_CHANNEL_ID,
      from: { role: 'user', name: user.name, aadObjectId: user.aadObjectId },
      text: text || undefined,
      cards: [card],
      via: 'extension',
      timestamp: parts.clock.now().toISOString(),
      updates: 0,
    });
    return void res.send(200, { id });
  });
}
