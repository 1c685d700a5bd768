import type { Generated } from 'kysely';

/**
 * The one schema, shared by SQLite and PostgreSQL. Portable types only: timestamps are ISO-8601 UTC
 * text (they sort as text), JSON is text, booleans are integers 0/1.
 */
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

/** Hybrid view (issue 5): one row per (alert, user) for scoring queries. */
export interface AlertUsersTable {
  alert_id: string;
  user_key: string;
  environment: 'onprem' | 'cloud';
  severity: AlertsTable['severity'];
  type: string;
  seen_at: string;
  first_seen: string;
  counts: number; // 1, or 0 once closed as benign / false positive
  /** Issue 11: MITRE tactics, comma list, primary first ('' = none known; null = row from before 007, classify on read). */
  tactics: string | null;
  /** Issue 11: how rare the type was in the organisation before this alert's day, in thousandths (null = compute on read). */
  rarity_milli: number | null;
}

/** Hybrid view: per-user investigation priority and risky state (scores in integer hundredths). */
export interface UserScoresTable {
  user_key: string;
  display_name: string | null;
  upn: string | null;
  aad_object_id: string | null;
  sam: string | null;
  domain: string | null;
  resolution: string;
  note: string | null;
  impact_centi: number;
  roles: string; // JSON
  score_centi: number;
  onprem_centi: number;
  cloud_centi: number;
  percentile: number;
  alert_count: number;
  threat_score: number | null;
  risky_state: 'none' | 'risky' | 'dismissed';
  risky_since: string | null;
  dismissed_at: string | null;
  dismissed_by_id: string | null;
  dismissed_by_name: string | null;
  dismissed_score_centi: number | null;
  reasons: string; // JSON
  scored_at: string;
  /** Issue 11: JSON list of the tactics the user's evidence spans (strongest first). */
  tactics: string;
  /** Issue 11: JSON of the strongest hybrid chain (on-premises → cloud), or null. */
  chain: string | null;
  /** Issue 11: JSON list of the detection types the user had when dismissed (new evidence = a type not in it). */
  dismissed_types: string | null;
}

export interface ScoreHistoryTable {
  user_key: string;
  at: string;
  score_centi: number;
  percentile: number;
  cause: string;
}

/** Cloud App Security alerts received (issue 4): hash and service per cloud `_id`. */
export interface McasAlertsTable {
  cloud_id: string;
  alert_id: string; // alerts.id of the row it is recorded in (its own, or the on-prem row it merged into)
  hash: string;
  service_id: string | null;
  raised_at: string;
  received_at: string;
  path: 'poll' | 'push';
}

/** Defender XDR alerts seen through Graph (issue 12): the version last read and the portal's side of handling. */
export interface GraphAlertsTable {
  graph_id: string;
  alert_id: string; // alerts.id of the row it is recorded in
  provider_alert_id: string | null; // lower-cased
  incident_id: string | null;
  alert_web_url: string | null;
  incident_web_url: string | null;
  service_source: string;
  category: string | null;
  status: string;
  classification: string | null;
  determination: string | null;
  assigned_to: string | null;
  last_update: string;
  last_update_ms: number;
  hash: string;
  received_at: string;
}

/** Comments written from Teams (issue 12): `target` graph = also posted to Defender XDR. */
export interface AlertCommentsTable {
  id: string;
  alert_id: string;
  at: string;
  by_id: string;
  by_name: string;
  text: string;
  target: 'graph' | 'local';
}

/** Defender for Identity health issues seen by the health monitor (issue 12). */
export interface MdiHealthIssuesTable {
  issue_id: string;
  severity: string;
  status: 'open' | 'closed';
  detail: string; // JSON
  first_seen: string;
  last_seen: string;
  closed_at: string | null;
  notified: number;
}

/** Identity response (issue 15): one row per attempt at an action on a user; (user_key, action, round) is unique. */
export interface IdentityActionsTable {
  id: string;
  user_key: string;
  action: 'confirmCompromised' | 'revokeSessions' | 'disableAccount' | 'forcePasswordReset' | 'dismissRisk';
  round: number;
  status: 'pending' | 'done' | 'failed';
  mode: 'graph' | 'local';
  by_id: string;
  by_name: string;
  requested_at: string;
  lease_until_ms: number;
  done_at: string | null;
  target: string; // JSON
  answer: string | null; // JSON
}

export interface MigrationMarker {
  id: Generated<number>;
}

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

export interface SensorHealthTable {
  id: string;
  sensor: string;
  title: string;
  severity: string;
  message: string;
  url: string | null;
  external_id: string | null;
  first_seen: string;
  last_seen: string;
  count: number;
  last_hash: string;
  created_at: string;
  updated_at: string;
}

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
  // Issues 3–8 add their tables here and a migration file in ./migrations.
  [table: string]: any;
}
