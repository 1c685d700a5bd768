import type { Kysely } from 'kysely';
import { alertCard } from '../../cards/alert-card';
import { alertPreview } from '../../cards/previews';
import { SEVERITY_RANK, toAlertRow, type AlertRow } from '../hybrid/alert';
import { contextFor, type RenderDeps } from '../notify/render';
import type { Schema } from '../store/schema';
import type { ExtensionAttachment } from '../teams/extension';
import type { LedgerRef } from './links';

/**
 * An alert as the message extension inserts it: the channel view (no buttons on the card itself; those
 * who may operate get them through refresh, like SOC channel cards), plus when it was drawn, Refresh and
 * "Open in chat with Hybridwatch".
 */
export async function alertAttachment(deps: RenderDeps, alert: AlertRow, via: 'search' | 'link', refreshUserIds: string[], incident?: { id: string; alerts: number }): Promise<ExtensionAttachment> {
  const now = deps.clock.now().toISOString();
  const context = await contextFor(deps.db, alert);
  const card = alertCard({ alert, context, linkHosts: deps.linkHosts, now, interactive: false, refreshUserIds, inserted: { via, drawnAt: now, incident } });
  return { card, preview: alertPreview(alert) };
}

/** The alert a link names, by any of the ids its matcher read (one row even when several feeds saw it). */
export async function alertByRefs(db: Kysely<Schema>, refs: readonly LedgerRef[]): Promise<{ alert: AlertRow; incident?: { id: string; alerts: number } } | null> {
  const of = (column: LedgerRef['column']) => [...new Set(refs.filter((r) => r.column === column).map((r) => r.value))];
  const own = (['onprem_id', 'cloud_id', 'graph_id'] as const).map((c) => [c, of(c)] as const).filter(([, v]) => v.length);
  if (own.length) {
    const row = await db
      .selectFrom('alerts')
      .selectAll()
      .where((eb) => eb.or(own.map(([c, v]) => eb(c, 'in', v))))
      .orderBy('last_seen', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (row) return { alert: toAlertRow(row as Schema['alerts']) };
  }
  // Through the Graph source's table (issue 12): an alert only Graph saw, by its provider's id.
  const provider = of('provider_alert_id').map((v) => v.toLowerCase());
  if (provider.length) {
    const row = await db.selectFrom('graph_alerts as g').innerJoin('alerts as a', 'a.id', 'g.alert_id').selectAll('a').where('g.provider_alert_id', 'in', provider).orderBy('a.last_seen', 'desc').limit(1).executeTakeFirst();
    if (row) return { alert: toAlertRow(row as Schema['alerts']) };
  }
  // A Defender XDR incident: its most severe, newest alert in the ledger.
  const [incident] = of('incident_id');
  if (incident) {
    const rows = (await db.selectFrom('graph_alerts as g').innerJoin('alerts as a', 'a.id', 'g.alert_id').selectAll('a').where('g.incident_id', '=', incident).limit(200).execute()).map((r) => toAlertRow(r as Schema['alerts']));
    const ids = new Set(rows.map((r) => r.id));
    rows.sort((x, y) => (SEVERITY_RANK[y.severity] ?? 0) - (SEVERITY_RANK[x.severity] ?? 0) || (x.last_seen < y.last_seen ? 1 : x.last_seen > y.last_seen ? -1 : 0));
    if (rows.length) return { alert: rows[0], incident: { id: incident, alerts: ids.size } };
  }
  return null;
}
