import { esc, when } from '../../../cards/card';
import { DEFAULT_THRESHOLD, THRESHOLDS, type Threshold } from '../../notify/outbox';
import { conversationKey, listSubscriptions, subscribe, unsubscribe } from '../../notify/subscriptions';
import { audit } from '../../integration/audit';
import { command, type CommandRoute } from '../router';
import type { HandlerContext } from '../context';

const WHERE: Record<string, string> = { channel: 'This channel', groupChat: 'This group chat', personal: 'This chat' };
const actor = (ctx: HandlerContext) => ({ id: ctx.caller.id, name: ctx.caller.name });

export const subscribeCommand: CommandRoute = {
  name: 'subscribe',
  usage: 'subscribe [low|medium|high]',
  description: `hybrid alert, risky-user and integration cards in this conversation (default ${DEFAULT_THRESHOLD} severity and up)`,
  capability: 'manage',
  match: command('subscribe', '(\\S+)'),
  async handle(ctx, match) {
    const arg = (match[1] ?? DEFAULT_THRESHOLD).toLowerCase();
    if (!(THRESHOLDS as string[]).includes(arg)) {
      await ctx.send(`Use \`subscribe low\`, \`subscribe medium\` or \`subscribe high\` (the lowest alert severity to post here). Nothing was changed.`);
      return;
    }
    const threshold = arg as Threshold;
    const at = ctx.clock.now();
    const { id, previous } = await subscribe(ctx.store.db, ctx.activity, threshold, actor(ctx), at.toISOString());
    await audit(ctx.store.db, { actor: actor(ctx), action: 'notify.subscribe', outcome: previous?.subscribed && previous.threshold === threshold ? 'noop' : 'ok', from: previous?.subscribed ? previous.threshold : null, to: threshold, detail: { conversation: id, kind: ctx.activity.conversation.type }, at });
    await ctx.send(`${WHERE[ctx.activity.conversation.type]} now receives hybrid alert cards of **${threshold}** severity and above, plus risky-user and integration cards. Re-triggers update the original card in place. \`unsubscribe\` stops them.`);
  },
};

export const unsubscribeCommand: CommandRoute = {
  name: 'unsubscribe',
  usage: 'unsubscribe',
  description: 'stop cards in this conversation',
  capability: 'manage',
  match: command('unsubscribe'),
  async handle(ctx) {
    const id = conversationKey(ctx.activity);
    const at = ctx.clock.now();
    const changed = await unsubscribe(ctx.store.db, id, at.toISOString());
    await audit(ctx.store.db, { actor: actor(ctx), action: 'notify.unsubscribe', outcome: changed ? 'ok' : 'noop', detail: { conversation: id }, at });
    await ctx.send(changed ? `${WHERE[ctx.activity.conversation.type]} no longer receives cards. Cards already posted stay.` : `${WHERE[ctx.activity.conversation.type]} was not subscribed; nothing changed.`);
  },
};

export const subscriptionsCommand: CommandRoute = {
  name: 'subscriptions',
  usage: 'subscriptions',
  description: 'the conversations that receive cards',
  capability: 'manage',
  match: command('subscriptions'),
  async handle(ctx) {
    const here = conversationKey(ctx.activity);
    const subs = await listSubscriptions(ctx.store.db);
    if (!subs.length) {
      await ctx.send('No conversation is subscribed. Send `subscribe` in a channel (with an @mention), a group chat or here.');
      return;
    }
    const lines = subs.slice(0, 50).map((s) => {
      const state = Number(s.active) ? 'active' : `**inactive**: ${esc(s.inactive_reason ?? 'unknown', 120)}`;
      return `- ${s.id === here ? '**this conversation** · ' : ''}${s.kind} ${esc(s.id, 80)} · ${s.threshold} and up · ${state} · by ${esc(s.subscribed_by_name ?? 'unknown', 60)} at ${when(s.subscribed_at)}`;
    });
    await ctx.send(`**${subs.length} subscribed conversation${subs.length === 1 ? '' : 's'}**\n\n${lines.join('\n')}${subs.length > 50 ? `\n\nand ${subs.length - 50} more` : ''}`);
  },
};

export const subscriptionCommands = [subscribeCommand, unsubscribeCommand, subscriptionsCommand];
