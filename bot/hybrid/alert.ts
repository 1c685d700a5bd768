import type { AlertsTable } from '../store/schema';

export type Severity = AlertsTable['severity'];
export const SEVERITY_RANK: Record<Severity, number> = { informational: 0, low: 1, medium: 2, high: 3 };

/** One account named by an alert, with what the directory resolved it to (if anything). */
export interface AlertUser {
  /** As the source wrote it: `CONTOSO\jdoe`, `jdoe@contoso.com`, `Wofford Thurston`, an object id. */
  raw: string;
  /** Stable key for scoring: `aad:<object id>` when resolved, else `onprem:<domain\sam>` / `cloud:<upn>`. */
  key: string;
  aadObjectId?: string;
  upn?: string;
  displayName?: string;
  sam?: string;
  domain?: string;
  sid?: string;
  resolution?: 'resolved' | 'ambiguous' | 'unresolved';
  /** Why it stayed unresolved (e.g. "2 directory users are named Alex Wilber"). */
  note?: string;
}

/** What a source hands the ledger: one alert (or one re-trigger of it), normalized. */
export interface NormalizedAlert {
  source: 'onprem' | 'cloud';
  /** ATP alert id (GUID from the cs1 URL, or a stable hash) or Cloud App Security `_id`. */
  sourceId: string;
  type: string;
  typeName: string;
  title: string;
  description: string;
  severity: Severity;
  users: AlertUser[];
  hosts: string[];
  /** When the activity started (first seen). ISO-8601. */
  start: string;
  /** When this message says it was seen (last seen). ISO-8601. */
  seenAt: string;
  cnt?: number | null;
  url?: string | null;
  app?: string | null;
  policy?: string | null;
  threatScore?: number | null;
  status?: 'open' | 'closed';
  resolution?: string | null;
  /**
   * MITRE ATT&CK tactics when the source says (Graph's `category`, Graph spelling such as
   * `CredentialAccess`; any usual spelling is canonicalised), the primary first. Absent: the catalogs
   * derive them from the detection type (bot/hybrid/alert-tactics.ts).
   */
  tactics?: string[];
  trigger: 'new' | 'update';
  /** Hash of the raw message: the same bytes sent again are a duplicate, not a re-trigger. */
  hash: string;
  /**
   * Set when the alert came from Defender XDR through Microsoft Graph (alerts_v2): the ledger keys the
   * row by this id (not onprem_id / cloud_id, which stay for the CEF and Cloud App Security feeds).
   */
  graph?: { id: string; url: string | null; incidentUrl: string | null; providerAlertId?: string | null; serviceSource?: string };
}

/** A ledger row as the rest of the code uses it (JSON columns parsed). */
export interface AlertRow extends Omit<AlertsTable, 'users' | 'hosts'> {
  users: AlertUser[];
  hosts: string[];
}

export function toAlertRow(r: AlertsTable): AlertRow {
  return { ...r, trigger_count: Number(r.trigger_count), cnt: r.cnt === null ? null : Number(r.cnt), threat_score: r.threat_score === null ? null : Number(r.threat_score), users: JSON.parse(r.users), hosts: JSON.parse(r.hosts) };
}
