import type { AlertsTable } from '../schema';

// Message extension (issue 14): what the compose box searches. Types only; bot/store/schema.ts has the conventions and the Schema.

/** Message extension (issue 14): searchable text per alert, lowercased (what the compose box scans). */
export interface AlertSearchTable {
  alert_id: string;
  text: string;
  status: AlertsTable['status'];
  severity_rank: number;
  last_seen: string;
}
/** Message extension: users seen in alerts, as the user search shows them (original case). */
export interface UserSearchTable {
  user_key: string;
  display_name: string | null;
  upn: string | null;
  account: string | null;
}
/** Message extension: lowercased terms of a user (each name word, the full name, UPN, DOMAIN\sam, sam), found by prefix. */
export interface UserSearchTermsTable {
  user_key: string;
  term: string;
}
