import type { Kysely } from 'kysely';
import { alertCard } from '../../cards/alert-card';
import { alertPreview } from '../../cards/previews';
import type { AlertRow } from '../hybrid/alert';
import { toAlertRow } from '../hybrid/alert';
import { contextFor, type RenderDeps } from '../notify/render';
import type { Schema } from '../store/schema';
import type { ExtensionAttachment } from '../teams/extension';
import type { LedgerRef } from './links';

/**
 * An alert as the message extension inserts it: the channel view (no buttons on the card itself; those
 * who may operate get them through refresh, like SOC channel cards), plus when it was drawn, Refresh and
 * "Open in chat with Hybridwatch".
 */
export async function alertAttachment(deps: RenderDeps, alert: AlertRow, via: 'search' | 'link', refreshUserIds: string[]): Promise<ExtensionAttachment> {
  const now = deps.clock.now().toISOString();
  const context = await contextFor(deps.db, alert);
  const card = alertCard({ alert, context, linkHosts: deps.linkHosts, now, interactive: false, refreshUserIds, inserted: { via, drawnAt: now } });
  return { card, preview: alertPreview(alert) };
}

/** The alert a link names, by any of the ids its matcher read (one row even when both feeds saw it). */
export async function alertByRefs(db: Kysely<Schema>, refs: readonly LedgerRef[]): Promise<AlertRow | null> {
  const onprem = refs.filter((r) => r.column === 'onprem_id').map((r) => r.value);
  const cloud = refs.filter((r) => r.column === 'cloud_id').map((r) => r.value);
  if (!onprem.length && !cloud.length) return null;
  const row = await db
    .selectFrom('alerts')
    .selectAll()
    .where((eb) => eb.or([...(onprem.length ? [eb('onprem_id', 'in', onprem)] : []), ...(cloud.length ? [eb('cloud_id', 'in', cloud)] : [])]))
    .orderBy('last_seen', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? toAlertRow(row as Schema['alerts']) : null;
}
