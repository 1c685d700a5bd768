// What the sources keep beside the ledger: sensor health (syslog), Cloud App Security and Defender XDR (Graph) alerts, comments, Defender for Identity health issues. Types only; bot/store/schema.ts has the conventions and the Schema.

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
