import type { Generated } from 'kysely';

// SOC channel cards (issue 6): conversations, outbox, sent cards, digest windows. Types only; bot/store/schema.ts has the conventions and the Schema.

/** Issue 6 (notify): conversations, outbox, sent cards, digest windows. `*_ms` are epoch milliseconds. */
export interface NotifyConversationsTable {
  id: string;
  kind: 'channel' | 'groupChat' | 'personal';
  tenant_id: string | null;
  team_id: string | null;
  service_url: string;
  reference: string; // JSON
  subscribed: number;
  threshold: 'low' | 'medium' | 'high';
  active: number;
  inactive_reason: string | null;
  subscribed_by_id: string | null;
  subscribed_by_mri: string | null;
  subscribed_by_name: string | null;
  subscribed_at: string | null;
  lease_owner: string | null;
  lease_until_ms: number;
  created_at: string;
  updated_at: string;
}
export interface NotifyOutboxTable {
  seq: Generated<number>;
  conversation_id: string;
  kind: string;
  card_key: string | null;
  payload: string; // JSON
  status: 'pending' | 'sent' | 'failed';
  attempts: number;
  not_before_ms: number;
  claimed_by: string | null;
  claimed_until_ms: number;
  started_ms: number;
  created_at: string;
  created_ms: number;
  sent_at: string | null;
  sent_ms: number | null;
  activity_id: string | null;
  last_error: string | null;
}
export interface NotifyCardsTable {
  card_key: string;
  conversation_id: string;
  activity_id: string;
  thread_id: string;
  created_at: string;
  updated_at: string;
}
export interface NotifyWindowsTable {
  conversation_id: string;
  window_start: string;
  cards: number;
}
export interface NotifyDigestItemsTable {
  conversation_id: string;
  window_start: string;
  alert_id: string;
  severity: string;
  type_name: string;
  users: string; // JSON
  created_at: string;
}
