import type { CardMessage } from '../../cards/card';

/** A stored conversation reference (Bot Framework ConversationReference as JSON). */
export type StoredReference = Record<string, any>;

export type OutgoingMessage = { card: CardMessage } | { text: string };

export type SendResult =
  | { ok: true; activityId: string; threadId: string }
  | { ok: false; status: number | null; retryAfterMs?: number; code?: string; message: string };

/**
 * What the delivery worker needs from Teams. Implemented with botbuilder in bot/teams/proactive.ts
 * (the only place that sends proactively); tests and benches can pass their own.
 * Implementations make exactly one HTTP request per call: no hidden retries (the worker paces and retries).
 */
export interface ProactiveSender {
  /** A new post: in a channel a new thread (`channelId` set), elsewhere a message in the conversation. */
  post(ref: StoredReference, msg: OutgoingMessage, channelId?: string): Promise<SendResult>;
  /** Replace a sent activity in place. */
  update(ref: StoredReference, threadId: string, activityId: string, msg: OutgoingMessage): Promise<SendResult>;
  /** A reply in the thread of a sent activity (channel: `<channel>;messageid=<root>`). */
  reply(ref: StoredReference, threadId: string, rootActivityId: string, msg: OutgoingMessage, isChannel: boolean): Promise<SendResult>;
}
