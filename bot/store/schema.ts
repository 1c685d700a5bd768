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
  // Issues 3–8 add their tables here and a migration file in ./migrations.
  [table: string]: any;
}
