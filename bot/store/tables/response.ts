// Identity response (issue 15): one row per attempt at an action on a user. Types only; bot/store/schema.ts has the conventions and the Schema.

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
