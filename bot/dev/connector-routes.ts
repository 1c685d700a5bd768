import type { Request, Response, Server } from 'restify';
import type { Logger } from '../log';
import { type DevHub } from './dev-hub';
import { BOT_NAME } from './activity-factory';
import { readBody } from '../server/read-body';

export const CONNECTOR_PATH = '/dev/connector/';
const MAX_BODY = 256 * 1024;
/** Teams answers 413 MessageSizeTooBig above roughly this; the console does the same so oversize cards show up in dev. */
const TEAMS_MESSAGE_LIMIT = 28 * 1024;

const ADAPTIVE = 'application/vnd.microsoft.card.adaptive';

/**
 * A Bot Connector for the console (the part of Teams the bot talks back to): the console's activities
 * carry serviceUrl = <this server>/dev/connector/, so every reply, proactive post (v3/conversations)
 * and in-place update (PUT) the bot makes lands here and is pushed to the page.
 */
export function mountConnector(server: Server, hub: DevHub, log: Logger, userName: (oid: string) => string | undefined): void {
  const handler = async (req: Request, res: Response) => {
    let body: any = null;
    try {
      const raw = await readBody(req, MAX_BODY);
      if (req.method !== 'GET' && req.method !== 'DELETE') {
        if (raw.length > TEAMS_MESSAGE_LIMIT) return fail(res, 413, 'MessageSizeTooBig', `Message size ${raw.length} bytes is over the Teams limit`);
        body = raw.length ? JSON.parse(raw.toString('utf8')) : null;
      }
    } catch {
      return fail(res, 400, 'BadSyntax', 'The body is not JSON (or is over 256 KB).');
    }
    const path = (req.url ?? '').split('?')[0].slice(CONNECTOR_PATH.length - 1);
    const m = /^\/v3\/conversations(?:\/([^/]+)(?:\/(activities|members)(?:\/([^/]+))?)?)?\/?$/.exec(path);
    if (!m) return fail(res, 404, 'NotFound', 'Not a Bot Connector route the dev console implements.');
    let conversation: string;
    let sub: string | undefined;
    try {
      conversation = m[1] ? decodeURIComponent(m[1]) : '';
      sub = m[3] ? decodeURIComponent(m[3]) : undefined;
    } catch {
      return fail(res, 400, 'BadSyntax', 'Bad escape in the URL.');
    }
    const kind = m[2];

    if (req.method === 'POST' && !conversation) return createConversation(res, body);
    if (kind === 'activities' && req.method === 'POST') return postActivity(res, conversation, body);
    if (kind === 'activities' && req.method === 'PUT' && sub) return putActivity(res, sub, body);
    if (kind === 'activities' && req.method === 'DELETE' && sub) {
      const done = hub.update(sub, { text: '_This message has been deleted._', cards: [], summary: undefined }, 'put');
      return done ? void res.send(200, {}) : fail(res, 404, 'NotFound', 'Unknown activity id.');
    }
    if (kind === 'members' && req.method === 'GET') return members(res, sub);
    return fail(res, 405, 'MethodNotAllowed', `${req.method} is not supported here.`);
  };

  function toDisplay(activity: any): { text?: string; cards: unknown[]; summary?: string } | null {
    if (!activity || typeof activity !== 'object') return null;
    const attachments: any[] = Array.isArray(activity.attachments) ? activity.attachments : [];
    const cards = attachments.filter((a) => a?.contentType === ADAPTIVE && a.content && typeof a.content === 'object').map((a) => a.content);
    const text = typeof activity.text === 'string' && activity.text ? activity.text : undefined;
    return { text, cards, summary: typeof activity.summary === 'string' ? activity.summary : undefined };
  }

  function record(conversation: string, activity: any) {
    const [conversationId, thread] = conversation.split(';messageid=');
    const display = toDisplay(activity)!;
    const id = hub.newId();
    hub.add({ id, conversationId, threadId: thread || undefined, from: { role: 'bot', name: BOT_NAME }, ...display, timestamp: new Date().toISOString(), updates: 0 });
    return id;
  }

  function postActivity(res: Response, conversation: string, activity: any) {
    if (!activity || typeof activity.type !== 'string') return fail(res, 400, 'BadArgument', 'The activity needs a type.');
    // Typing indicators and other non-message activities: accepted, nothing to show.
    if (activity.type !== 'message') return void res.send(200, { id: hub.newId() });
    const id = record(conversation, activity);
    log.debug({ conversation, id }, 'dev connector: bot sent a message');
    return void res.send(200, { id });
  }

  function putActivity(res: Response, activityId: string, activity: any) {
    const display = toDisplay(activity);
    if (!display) return fail(res, 400, 'BadArgument', 'The activity is missing.');
    const updated = hub.update(activityId, display, 'put');
    if (!updated) return fail(res, 404, 'NotFound', 'Unknown activity id (the console forgets on restart).');
    return void res.send(200, { id: activityId });
  }

  function createConversation(res: Response, params: any) {
    if (!params || typeof params !== 'object') return fail(res, 400, 'BadArgument', 'Conversation parameters are missing.');
    const channel = params.channelData?.channel?.id;
    if (params.isGroup && typeof channel === 'string') {
      // New thread in a channel: the first activity is its root.
      const activity = params.activity;
      if (!activity || activity.type !== 'message') return fail(res, 400, 'BadArgument', 'A new channel thread needs an activity.');
      const rootId = record(channel, activity);
      return void res.send(200, { id: `${channel};messageid=${rootId}`, activityId: rootId });
    }
    const member = Array.isArray(params.members) ? params.members[0] : undefined;
    const oid = typeof member?.aadObjectId === 'string' ? member.aadObjectId : typeof member?.id === 'string' ? member.id.replace(/^29:(dev-)?/, '') : undefined;
    if (!oid) return fail(res, 400, 'BadArgument', 'A 1:1 conversation needs a member.');
    const id = `a:dev-personal-${oid}`;
    const activityId = params.activity?.type === 'message' ? record(id, params.activity) : undefined;
    return void res.send(200, { id, activityId });
  }

  function members(res: Response, memberId: string | undefined) {
    const toMember = (oid: string) => ({ id: `29:dev-${oid}`, name: userName(oid), aadObjectId: oid, objectId: oid });
    if (!memberId) return fail(res, 501, 'NotImplemented', 'Listing members is not implemented in the dev console.');
    const oid = memberId.replace(/^29:(dev-)?/, '');
    if (!userName(oid)) return fail(res, 404, 'MemberNotFoundInConversation', 'No such member.');
    return void res.send(200, toMember(oid));
  }

  for (const method of ['post', 'put', 'get', 'del'] as const) server[method](`${CONNECTOR_PATH}*`, handler);
}

function fail(res: Response, status: number, code: string, message: string): void {
  res.send(status, { error: { code, message } });
}
