import { ActivityTypes, CardFactory, MessageFactory, TurnContext, type Activity } from 'botbuilder';
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
import { matchAction, matchCommand, type ActionRoute, type CommandRoute } from './router';
import { helpForCaller } from './commands/core-commands';

export interface TurnDeps {
  store: Store;
  directory: Directory;
  log: Logger;
  clock: Clock;
  services: Services;
  commands: () => readonly CommandRoute[];
  actions: () => readonly ActionRoute[];
}

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

type Verified = { ok: true; caller: Caller } | { ok: false; message: string };

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
      return { ok: false, message: 'Your Teams identity did not include an Entra object id, so I cannot verify your role and nothing was changed.' };
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
      return { ok: false, message: toUserMessage(err) };
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
      return { ok: false, message: denialMessage(label, capability, roles) };
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
    const route = matchAction(deps.actions(), activity.verb);
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
    await turn.sendActivity({ type: ActivityTypes.InvokeResponse, value: { status: 200, body: invokeBody(result) } });
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
      case 'install':
      case 'uninstall':
        for (const hook of services.conversationHooks) await hook(activity);
        return;
      default:
        if (a.type === ActivityTypes.Invoke) {
          // Unknown invokes get a clear "not implemented" rather than a hang.
          await turn.sendActivity({ type: ActivityTypes.InvokeResponse, value: { status: 501, body: { error: `invoke ${a.name} is not supported` } } });
        }
    }
  };
}
