import type { Kysely } from 'kysely';
import type { Schema, NotifyConversationsTable } from '../store/schema';
import type { ChatActivity } from '../teams/chat-activity';
import type { Threshold } from './outbox';

/** Channels are keyed by the channel id (posts start new threads there); chats by the conversation id. */
export function conversationKey(a: ChatActivity): string {
  return a.conversation.type === 'channel' ? a.conversation.channelId ?? a.conversation.id.split(';')[0] : a.conversation.id;
}

/** Keep (or refresh) a conversation reference: from installs, conversationUpdate and `subscribe`. */
export async function rememberConversation(db: Kysely<Schema>, a: ChatActivity, at: string): Promise<string> {
  const id = conversationKey(a);
  const row = {
    kind: a.conversation.type,
    tenant_id: a.tenantId ?? null,
    team_id: a.conversation.teamId ?? null,
    service_url: a.serviceUrl,
    reference: JSON.stringify(a.reference),
    updated_at: at,
  } satisfies Partial<NotifyConversationsTable>;
  await db
    .insertInto('notify_conversations')
    .values({ id, ...row, subscribed: 0, threshold: 'medium', active: 1, inactive_reason: null, subscribed_by_id: null, subscribed_by_mri: null, subscribed_by_name: null, subscribed_at: null, lease_owner: null, lease_until_ms: 0, created_at: at })
    // A fresh reference (re-install, new serviceUrl) also revives a conversation a 403 had retired.
    .onConflict((oc) => oc.column('id').doUpdateSet({ ...row, active: 1, inactive_reason: null }))
    .execute();
  return id;
}

export async function subscribe(db: Kysely<Schema>, a: ChatActivity, threshold: Threshold, by: { id: string; name: string }, at: string): Promise<{ id: string; previous: NotifyConversationsTable | undefined }> {
  const id = conversationKey(a);
  const previous = await db.selectFrom('notify_conversations').selectAll().where('id', '=', id).executeTakeFirst();
  await rememberConversation(db, a, at);
  await db
    .updateTable('notify_conversations')
    .set({ subscribed: 1, threshold, subscribed_by_id: by.id, subscribed_by_mri: a.from.id || null, subscribed_by_name: by.name, subscribed_at: at, updated_at: at })
    .where('id', '=', id)
    .execute();
  return { id, previous };
}

export async function unsubscribe(db: Kysely<Schema>, id: string, at: string): Promise<boolean> {
  const r = await db.updateTable('notify_conversations').set({ subscribed: 0, updated_at: at }).where('id', '=', id).where('subscribed', '=', 1).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

export async function listSubscriptions(db: Kysely<Schema>): Promise<NotifyConversationsTable[]> {
  return db.selectFrom('notify_conversations').selectAll().where('subscribed', '=', 1).orderBy('subscribed_at').execute();
}

export async function markInactive(db: Kysely<Schema>, id: string, reason: string, at: string): Promise<void> {
  await db.updateTable('notify_conversations').set({ active: 0, inactive_reason: reason, updated_at: at }).where('id', '=', id).execute();
}
