import { ActivityTypes, CardFactory, MessageFactory, TurnContext, type Activity, type CloudAdapter } from 'botbuilder';
import type { ConnectorClient } from 'botframework-connector';
import type { CardMessage } from '../../cards/card';
import type { Clock } from '../clock';
import type { Directory } from '../directory/directory';
import { can, denialMessage, type Capability, type RoleName } from '../directory/roles';
import { DirectoryError, toUserMessage } from '../errors';
import { audit } from '../integration/audit';
import type { Logger } from '../log';
import type { Services } from '../services';
import type { Store } from '../store/store';
import { tenantOf, toChatActivity, type ChatActivity } from './chat-activity';
import type { Caller, HandlerContext, InvokeResult } from './context';
import { composeExtensionBody, type ExtensionResult } from './extension';
import { matchAction, matchCommand, matchLink, matchQuery, type ActionRoute, type CommandRoute, type LinkRoute, type QueryRoute } from './router';
import { helpForCaller } from './commands/core-commands';

export interface TurnDeps {
  store: Store;
  directory: Directory;
  log: Logger;
  clock: Clock;
  services: Services;
  commands: () => readonly CommandRoute[];
  actions: () => readonly ActionRoute[];
  /** Message extension: search commands and link unfurling (none registered = those invokes answer 501). */
  queries?: () => readonly QueryRoute[];
  links?: () => readonly LinkRoute<any>[];
}

/** Teams waits 5 s for a message-extension answer; past this the caller gets a sentence instead of nothing. */
export const EXTENSION_DEADLINE_MS = 4500;

export function toActivity(reply: string | CardMessage): Partial<Activity> {
  if (typeof reply === 'string') return MessageFactory.text(reply);
  const a = MessageFactory.attachment(CardFactory.adaptiveCard(reply.card));
  a.summary = reply.summary;
  return a;
}

export function invokeBody(result: InvokeResult) {
  return 'card' in result
    ? { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: result.card.card }
    : { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: result.message };
}

type Verified = { ok: true; caller: Caller } | { ok: false; message: string; why: 'noRole' | 'unverified' };

/**
 * One bot turn: tenant gate, normalize, route, verify the caller's role (fail closed), handle.
 * Botbuilder stays in this folder; the handlers only see HandlerContext.
 */
export function createTurnHandler(deps: TurnDeps) {
  const { services, log } = deps;
  const m = services.metrics;

  async function verify(activity: ChatActivity, capability: Capability | null, label: string): Promise<Verified> {
    const id = activity.from.aadObjectId;
    const anonymous: Caller = { id: id ?? activity.from.id, name: activity.from.name, roles: [] };
    if (!id) {
      if (capability === null) return { ok: true, caller: anonymous };
      m.roleChecks.inc({ capability, outcome: 'error' });
      return { ok: false, why: 'unverified', message: 'Your Teams identity did not include an Entra object id, so I cannot verify your role and nothing was changed.' };
    }
    let roles: RoleName[];
    try {
      roles = await deps.directory.rolesOf(id);
    } catch (e) {
      const err = e instanceof DirectoryError ? e : new DirectoryError('the directory did not answer', 'Try again in a few minutes.');
      m.directoryErrors.inc({ status: String(err.status ?? 'none') });
      log.warn({ err: { message: err.message, status: err.status }, capability, user: id }, 'role check failed: failing closed');
      if (capability === null) return { ok: true, caller: anonymous };
      m.roleChecks.inc({ capability, outcome: 'error' });
      return { ok: false, why: 'unverified', message: toUserMessage(err) };
    }
    const caller: Caller = { id, name: activity.from.name, roles };
    if (capability === null) return { ok: true, caller };
    if (!can(roles, capability)) {
      m.roleChecks.inc({ capability, outcome: 'denied' });
      if (capability !== 'read') {
        const detail = { capability, roles, conversation: activity.conversation.id };
        if (capability === 'integrate') await services.integration.recordDenied({ id, name: caller.name }, label, detail);
        else await audit(deps.store.db, { actor: { id, name: caller.name }, action: label, outcome: 'denied', detail, at: deps.clock.now() });
      }
      return { ok: false, why: 'noRole', message: denialMessage(label, capability, roles) };
    }
    m.roleChecks.inc({ capability, outcome: 'allowed' });
    return { ok: true, caller };
  }

  function contextFor(turn: TurnContext, activity: ChatActivity, caller: Caller): HandlerContext {
    return {
      activity,
      caller,
      store: deps.store,
      directory: deps.directory,
      clock: deps.clock,
      services,
      log: log.child({ activityId: activity.activityId, conversation: activity.conversation.id }),
      async send(reply) {
        const res = await turn.sendActivity(toActivity(reply));
        return res?.id;
      },
      async sendToPersonalChat(reply) {
        // A 1:1 conversation with the caller (Bot Connector POST v3/conversations); Teams returns the
        // existing one when there is one.
        const client = turn.turnState.get((turn.adapter as CloudAdapter).ConnectorClientKey) as ConnectorClient;
        const a = turn.activity;
        const tenantId = activity.tenantId;
        const conv = await client.conversations.createConversation({ isGroup: false, bot: a.recipient, members: [{ id: a.from.id, name: a.from.name }], tenantId, channelData: { tenant: { id: tenantId } } } as any);
        const res = await client.conversations.sendToConversation(conv.id, { ...toActivity(reply), conversation: { id: conv.id } } as Activity);
        return res?.id;
      },
    };
  }

  async function onMessage(turn: TurnContext, activity: ChatActivity): Promise<void> {
    const found = matchCommand(deps.commands(), activity.text);
    if (!found) {
      m.commands.inc({ name: 'unknown' });
      const v = await verify(activity, null, 'help');
      const ctx = contextFor(turn, activity, v.ok ? v.caller : { id: '', name: '', roles: [] });
      // Never echo the user's text back: it is untrusted and the card renders Markdown.
      await ctx.send(helpForCaller(ctx, deps.commands(), activity.text ? 'I did not understand that. Commands you can use:' : undefined));
      return;
    }
    const { route, match } = found;
    m.commands.inc({ name: route.name });
    const v = await verify(activity, route.capability, `The \`${route.name}\` command`);
    if (!v.ok) {
      await turn.sendActivity(MessageFactory.text(v.message));
      return;
    }
    const ctx = contextFor(turn, activity, v.caller);
    try {
      await route.handle(ctx, match);
    } catch (e) {
      m.handlerErrors.inc({ name: route.name });
      ctx.log.error({ err: e }, `command ${route.name} failed`);
      await turn.sendActivity(MessageFactory.text(toUserMessage(e)));
    }
  }

  async function onAction(turn: TurnContext, activity: ChatActivity): Promise<void> {
    let route = matchAction(deps.actions(), activity.verb);
    // Action.Submit on a message-extension card reaches only the verbs made for those cards.
    if (route && activity.via === 'cardButton' && !(route as { fromExtensionCards?: boolean }).fromExtensionCards) route = null;
    let result: InvokeResult;
    if (!route) {
      m.commands.inc({ name: 'unknown-action' });
      result = { message: 'This card button is not one I know (the card may be from an older version). Send `help` for what I can do.' };
    } else {
      m.commands.inc({ name: route.verb });
      const v = await verify(activity, route.capability, route.label);
      if (!v.ok) result = { message: v.message };
      else {
        const ctx = contextFor(turn, activity, v.caller);
        try {
          result = await route.handle(ctx);
        } catch (e) {
          m.handlerErrors.inc({ name: route.verb });
          ctx.log.error({ err: e }, `action ${route.verb} failed`);
          result = { message: toUserMessage(e) };
        }
      }
    }
    // composeExtension/onCardButtonClicked has no answer Teams shows: 200, no body.
    if (activity.via === 'cardButton') {
      if ('message' in result) log.info({ verb: activity.verb, answer: result.message.slice(0, 200) }, 'message-extension card button answered');
      await turn.sendActivity({ type: ActivityTypes.InvokeResponse, value: { status: 200 } });
      return;
    }
    await turn.sendActivity({ type: ActivityTypes.InvokeResponse, value: { status: 200, body: invokeBody(result) } });
  }

  /** Within Teams' 5 s, or a sentence: a slow database must not leave the compose box spinning. */
  async function inTime(work: Promise<ExtensionResult>, label: string): Promise<ExtensionResult> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<ExtensionResult>((resolve) => {
      timer = setTimeout(() => resolve({ type: 'message', text: `Hybridwatch took too long to answer (${label}). Try again, or type more of the name or title.` }), EXTENSION_DEADLINE_MS);
      timer.unref?.();
    });
    try {
      return await Promise.race([work, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** composeExtension/query, /queryLink, /anonymousQueryLink: same tenant and role gates as chat, always a 2xx answer. */
  async function onExtension(turn: TurnContext, activity: ChatActivity): Promise<boolean> {
    const x = activity.extension!;
    let result: ExtensionResult;
    if (x.name === 'query') {
      const queries = deps.queries?.() ?? [];
      if (!queries.length) return false;
      const route = matchQuery(queries, x.query.commandId);
      m.commands.inc({ name: route ? `search:${route.commandId}` : 'search:unknown' });
      if (!route) result = { type: 'message', text: 'This search is not one Hybridwatch knows (the app package may be older than the bot). Search alerts or users.' };
      else {
        const v = await verify(activity, route.capability, route.label);
        if (!v.ok) result = { type: 'message', text: v.message };
        else {
          const ctx = contextFor(turn, activity, v.caller);
          result = await inTime(
            route.handle(ctx, x.query).catch((e): ExtensionResult => {
              m.handlerErrors.inc({ name: route.commandId });
              ctx.log.error({ err: e }, `search ${route.commandId} failed`);
              return { type: 'message', text: toUserMessage(e) };
            }),
            route.label,
          );
        }
      }
    } else {
      const links = deps.links?.() ?? [];
      if (!links.length) return false;
      const found = matchLink(links, x.url);
      m.commands.inc({ name: found ? `unfurl:${found.route.name}` : 'unfurl:none' });
      // Not a link Hybridwatch reads: an empty result, so Teams leaves the link as it is.
      if (!found) result = { type: 'result', attachments: [] };
      else if (x.anonymous) result = found.route.withheld(found.matched, 'anonymous');
      else {
        const { route, matched } = found;
        const v = await verify(activity, route.capability, route.label);
        if (!v.ok) result = route.withheld(matched, v.why);
        else {
          const ctx = contextFor(turn, activity, v.caller);
          result = await inTime(
            route.handle(ctx, matched).catch((e): ExtensionResult => {
              m.handlerErrors.inc({ name: route.name });
              ctx.log.error({ err: e }, `unfurl ${route.name} failed`);
              return route.withheld(matched, 'unverified');
            }),
            route.label,
          );
        }
      }
    }
    await turn.sendActivity({ type: ActivityTypes.InvokeResponse, value: { status: 200, body: composeExtensionBody(result) } });
    return true;
  }

  return async function onTurn(turn: TurnContext): Promise<void> {
    const a = turn.activity;
    const allowed = services.config.allowedTenantIds;
    const tenant = tenantOf(a);
    if (allowed.length > 0 && (!tenant || !allowed.includes(tenant))) {
      m.tenantRejected.inc();
      m.activities.inc({ type: String(a.type), result: 'tenant_rejected' });
      log.warn({ tenant: tenant ?? null, type: a.type, conversation: a.conversation?.id }, 'activity from a tenant not in ALLOWED_TENANT_IDS: ignored');
      return;
    }
    const activity = toChatActivity(a, TurnContext.getConversationReference(a));
    m.activities.inc({ type: String(a.type), result: activity.kind });
    switch (activity.kind) {
      case 'message':
        return onMessage(turn, activity);
      case 'action':
        return onAction(turn, activity);
      case 'extension':
        if (await onExtension(turn, activity)) return;
        break;
      case 'install':
      case 'uninstall':
        for (const hook of services.conversationHooks) await hook(activity);
        return;
      default:
        break;
    }
    if (a.type === ActivityTypes.Invoke) {
      // Unknown invokes get a clear "not implemented" rather than a hang.
      await turn.sendActivity({ type: ActivityTypes.InvokeResponse, value: { status: 501, body: { error: `invoke ${a.name} is not supported` } } });
    }
  };
}
