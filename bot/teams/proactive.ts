import type { Activity, CloudAdapter, ConversationReference } from 'botbuilder';
import type { ConnectorClient } from 'botframework-connector';
import type { OutgoingMessage, ProactiveSender, SendResult, StoredReference } from '../notify/sender';
import { toActivity } from './turn-handler';

/** Retry-After: delta seconds or an HTTP date. */
export function parseRetryAfter(v: string | null | undefined, nowMs = Date.now()): number | undefined {
  if (!v) return undefined;
  const n = Number(v);
  if (Number.isFinite(n) && n >= 0) return n * 1000;
  const d = Date.parse(v);
  return Number.isNaN(d) ? undefined : Math.max(0, d - nowMs);
}

function activityOf(msg: OutgoingMessage): Partial<Activity> {
  return 'card' in msg ? toActivity(msg.card) : { ...toActivity(msg.text), textFormat: 'markdown' };
}

function failure(e: unknown): SendResult {
  const err = e as { statusCode?: number; code?: string; message?: string; response?: { headers?: { get?(n: string): string | undefined } } };
  const status = typeof err.statusCode === 'number' ? err.statusCode : null;
  return { ok: false, status, retryAfterMs: parseRetryAfter(err.response?.headers?.get?.('retry-after')), code: err.code, message: String(err.message ?? e).slice(0, 300) };
}

/**
 * The only place Hybridwatch sends proactively (botbuilder stays in bot/teams). Each call is one
 * Bot Connector request: botbuilder's own retry policy is removed, because the delivery worker
 * paces each conversation within Teams' limits and owns every retry (Retry-After, backoff).
 */
export function createProactiveSender(adapter: CloudAdapter, botAppId: string): ProactiveSender {
  async function withClient(ref: StoredReference, fn: (c: ConnectorClient) => Promise<SendResult>): Promise<SendResult> {
    let out: SendResult = { ok: false, status: null, message: 'not sent' };
    try {
      await adapter.continueConversationAsync(botAppId, ref as Partial<ConversationReference>, async (ctx) => {
        const client = ctx.turnState.get(adapter.ConnectorClientKey) as ConnectorClient;
        (client as unknown as { client?: { pipeline?: { removePolicy(p: { name: string }): void } } }).client?.pipeline?.removePolicy({ name: 'defaultRetryPolicy' });
        try {
          out = await fn(client);
        } catch (e) {
          out = failure(e);
        }
      });
    } catch (e) {
      out = failure(e);
    }
    return out;
  }

  return {
    post(ref, msg, channelId) {
      return withClient(ref, async (c) => {
        const activity = activityOf(msg) as Activity;
        if (channelId) {
          const res = await c.conversations.createConversation({
            isGroup: true,
            channelData: { channel: { id: channelId } },
            activity,
            bot: ref.bot,
            tenantId: ref.conversation?.tenantId,
          } as any);
          return { ok: true, activityId: String(res.activityId ?? ''), threadId: String(res.id ?? `${channelId};messageid=${res.activityId}`) };
        }
        const convId = String(ref.conversation?.id ?? '');
        const res = await c.conversations.sendToConversation(convId, activity);
        return { ok: true, activityId: String(res.id ?? ''), threadId: convId };
      });
    },
    update(ref, threadId, activityId, msg) {
      return withClient(ref, async (c) => {
        const activity = { ...activityOf(msg), id: activityId, conversation: { id: threadId } } as Activity;
        await c.conversations.updateActivity(threadId, activityId, activity);
        return { ok: true, activityId, threadId };
      });
    },
    reply(ref, threadId, rootActivityId, msg, isChannel) {
      return withClient(ref, async (c) => {
        const activity = activityOf(msg) as Activity;
        const res = isChannel ? await c.conversations.sendToConversation(threadId, activity) : await c.conversations.replyToActivity(threadId, rootActivityId, { ...activity, replyToId: rootActivityId } as Activity);
        return { ok: true, activityId: String(res.id ?? ''), threadId };
      });
    },
  };
}
