import type { Kysely } from 'kysely';
import type { Services } from '../services';
import type { Schema } from '../store/schema';

export interface TabOverview {
  viewer: { name: string; mode: 'teams-sso' | 'local-dev' };
  integration: { state: string; since: string; byName: string | null; lastOnPremAt: string | null; lastCloudAt: string | null };
  counts: { total: number; open: number; onprem: number; cloud: number };
  alerts: Array<{ id: string; title: string; severity: string; source: string; users: string[]; lastSeen: string; triggerCount: number; status: string }>;
  riskyUsers: Array<{ name: string; score: number; percentile: number; risky: boolean; alertCount: number }>;
}

/** Integration status, recent open alerts and the top scored users: what the tab shows. Plain data, no markup. */
export async function buildOverview(db: Kysely<Schema>, services: Services, viewer: TabOverview['viewer']): Promise<TabOverview> {
  const s = await services.integration.get();
  const alerts = await services.ledger.latestOpen(10);
  return {
    viewer,
    integration: { state: s.state, since: s.since, byName: s.byName, lastOnPremAt: s.lastOnPremAt, lastCloudAt: s.lastCloudAt },
    counts: await services.ledger.counts(),
    alerts: alerts.map((a) => ({
      id: a.id,
      title: a.title,
      severity: a.severity,
      source: a.source,
      users: a.users.map((u) => u.displayName ?? u.upn ?? u.raw),
      lastSeen: a.last_seen,
      triggerCount: a.trigger_count,
      status: a.status,
    })),
    riskyUsers: await topUsers(db),
  };
}

/** Read-only look at the hybrid scores (issue 5's user_scores); empty while that table does not exist. */
async function topUsers(db: Kysely<Schema>): Promise<TabOverview['riskyUsers']> {
  try {
    const rows = await db
      .selectFrom('user_scores')
      .select(['display_name', 'upn', 'user_key', 'score_centi', 'percentile', 'risky_state', 'alert_count'])
      .where('score_centi', '>', 0)
      .orderBy('score_centi', 'desc')
      .limit(10)
      .execute();
    return rows.map((r: any) => ({
      name: String(r.display_name ?? r.upn ?? r.user_key),
      score: Number(r.score_centi) / 100,
      percentile: Number(r.percentile),
      risky: r.risky_state === 'risky',
      alertCount: Number(r.alert_count),
    }));
  } catch {
    return [];
  }
}
