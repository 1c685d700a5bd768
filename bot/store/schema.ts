// The one schema, shared by SQLite and PostgreSQL. Portable types only: timestamps are ISO-8601 UTC
// text (they sort as text), JSON is text, booleans are integers 0/1. Tables of each concern: ./tables/.
import type { Generated } from 'kysely';
import type { AlertUsersTable, UserScoresTable, ScoreHistoryTable } from './tables/hybrid';
export type { AlertUsersTable, UserScoresTable, ScoreHistoryTable } from './tables/hybrid';
import type { SensorHealthTable, McasAlertsTable, GraphAlertsTable, AlertCommentsTable, MdiHealthIssuesTable } from './tables/sources';
export type { SensorHealthTable, McasAlertsTable, GraphAlertsTable, AlertCommentsTable, MdiHealthIssuesTable } from './tables/sources';
import type { NotifyConversationsTable, NotifyOutboxTable, NotifyCardsTable, NotifyWindowsTable, NotifyDigestItemsTable } from './tables/notify';
export type { NotifyConversationsTable, NotifyOutboxTable, NotifyCardsTable, NotifyWindowsTable, NotifyDigestItemsTable } from './tables/notify';
import type { AlertSearchTable, UserSearchTable, UserSearchTermsTable } from './tables/extension';
export type { AlertSearchTable, UserSearchTable, UserSearchTermsTable } from './tables/extension';
import type { IdentityActionsTable } from './tables/response';
export type { IdentityActionsTable } from './tables/response';

export interface IntegrationTable {
  id: string; // always 'atp'
  state: 'disabled' | 'pending' | 'active';
  since: string;
  by_id: string | null;
  by_name: string | null;
  enabled_at: string | null;
  activated_at: string | null;
  last_onprem_at: string | null;
  last_cloud_at: string | null;
  ignored_count: number;
  nodata_warned_at: string | null;
}

export interface AuditLogTable {
  id: string;
  at: string;
  actor_id: string;
  actor_name: string;
  action: string;
  outcome: 'ok' | 'denied' | 'noop' | 'error';
  from_state: string | null;
  to_state: string | null;
  detail: string; // JSON
}

export interface AlertsTable {
  id: string; // internal id: 'atp:<alert id>' or 'mcas:<_id>'
  source: 'onprem' | 'cloud' | 'both';
  onprem_id: string | null;
  cloud_id: string | null;
  type: string; // Azure ATP externalId, or the cloud policy / alert type
  type_name: string;
  title: string;
  description: string;
  severity: 'informational' | 'low' | 'medium' | 'high';
  status: 'open' | 'closed';
  users: string; // JSON: AlertUser[]
  hosts: string; // JSON: string[]
  first_seen: string;
  last_seen: string;
  trigger_count: number;
  cnt: number | null;
  url: string | null;
  cloud_url: string | null;
  app: string | null;
  policy: string | null;
  threat_score: number | null;
  last_hash: string;
  closed_by_id: string | null;
  closed_by_name: string | null;
  closed_at: string | null;
  resolution: string | null;
  assigned_to_id: string | null;
  assigned_to_name: string | null;
  muted_until: string | null;
  created_at: string;
  updated_at: string;
  /** JSON: the tactics the source supplied (canonical, primary first), or null (derived from the type). Issue 11. */
  tactics?: string | null;
  /** Defender XDR (Graph alerts_v2) id, links to the alert and its incident (issue 12). */
  graph_id: string | null;
  graph_url: string | null;
  incident_url: string | null;
}

export interface KvTable {
  key: string;
  value: string;
  updated_at: string;
}

export interface MigrationMarker {
  id: Generated<number>;
}

export interface Schema {
  integration: IntegrationTable;
  audit_log: AuditLogTable;
  alerts: AlertsTable;
  kv: KvTable;
  sensor_health: SensorHealthTable;
  mcas_alerts: McasAlertsTable;
  alert_users: AlertUsersTable;
  user_scores: UserScoresTable;
  score_history: ScoreHistoryTable;
  notify_conversations: NotifyConversationsTable;
  notify_outbox: NotifyOutboxTable;
  notify_cards: NotifyCardsTable;
  notify_windows: NotifyWindowsTable;
  notify_digest_items: NotifyDigestItemsTable;
  graph_alerts: GraphAlertsTable;
  alert_comments: AlertCommentsTable;
  mdi_health_issues: MdiHealthIssuesTable;
  alert_search: AlertSearchTable;
  user_search: UserSearchTable;
  user_search_terms: UserSearchTermsTable;
  identity_actions: IdentityActionsTable;
  // Each concern adds its tables' types in ./tables/<concern>.ts, its table here and a migration file in ./migrations.
  [table: string]: any;
}
