import type { AlertsTable } from '../schema';

// Hybrid view (issues 5 and 11): per-(alert, user) rows for scoring, per-user scores and risky state, score history. Types only; bot/store/schema.ts has the conventions and the Schema.

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
