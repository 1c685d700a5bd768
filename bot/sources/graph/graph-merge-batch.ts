import type { Trx } from '../../events';
import type { AlertUser, NormalizedAlert } from '../../hybrid/alert';
import { MERGE_WINDOW_MS, sameAlertType } from '../../hybrid/merge';
import { spans } from '../../hybrid/merge-spans';
import type { AlertsTable } from '../../store/schema';
import { MDI } from './normalize-graph';
import { sameUsers } from './graph-merge';

const BATCH_LIMIT = 1000;
const lower = (s: string) => s.toLowerCase();
const ms = (iso: string) => Date.parse(iso);
type Tagged = AlertsTable & { g_provider: string | null; g_id: string };

/** The Graph rows (this feed's side not yet linked) a feed's alerts may join: graph_alerts columns kept apart. */
function graphRows(trx: Trx, side: 'onprem' | 'cloud') {
  const col = side === 'onprem' ? 'onprem_id' : 'cloud_id';
  let q = trx
    .selectFrom('alerts')
    .innerJoin('graph_alerts', 'graph_alerts.alert_id', 'alerts.id')
    .selectAll('alerts')
    .select(['graph_alerts.provider_alert_id as g_provider', 'graph_alerts.graph_id as g_id'])
    .where(`alerts.${col}`, 'is', null);
  q = side === 'onprem' ? q.where('graph_alerts.service_source', '=', MDI) : q.where('graph_alerts.service_source', '!=', MDI);
  return q;
}

const plain = (r: Tagged): AlertsTable => {
  const { g_provider: _p, g_id: _g, ...row } = r;
  return row;
};

/**
 * GraphMerge.graphTwinOf for a batch of CEF / Cloud App Security alerts: the exact (provider id) matches
 * of all of them in one query per side, the heuristic candidates in one query per span of starts, then
 * per alert the rules of graphTwinOf in memory. Answers undefined for an alert it cannot decide from
 * what it read (too many candidates): the caller asks graphTwinOf for it alone.
 */
export async function graphTwinsOf(trx: Trx, alerts: NormalizedAlert[], joined: Set<string>): Promise<(a: NormalizedAlert) => AlertsTable | null | undefined> {
  const exact = new Map<'onprem' | 'cloud', Tagged[]>();
  const windowRows = new Map<NormalizedAlert, Tagged[] | null>();
  for (const side of ['onprem', 'cloud'] as const) {
    const mine = alerts.filter((a) => !a.graph && a.source === side);
    if (!mine.length) continue;
    const ids = [...new Set(mine.flatMap((a) => [a.sourceId, lower(a.sourceId)]))];
    const rows: Tagged[] = [];
    for (let i = 0; i < ids.length; i += 500) {
      const part = ids.slice(i, i + 500);
      rows.push(...((await graphRows(trx, side).where((eb) => eb.or([eb('graph_alerts.provider_alert_id', 'in', part), eb('graph_alerts.graph_id', 'in', part)])).execute()) as Tagged[]));
    }
    exact.set(side, rows);
    for (const span of spans(mine, MERGE_WINDOW_MS + 60_000)) {
      const found = (await graphRows(trx, side).where('alerts.first_seen', '>=', span.from).where('alerts.first_seen', '<=', span.to).limit(BATCH_LIMIT + 1).execute()) as Tagged[];
      for (const a of span.alerts) windowRows.set(a, found.length > BATCH_LIMIT ? null : found);
    }
  }
  return (a) => {
    if (a.graph) return undefined;
    const id = a.sourceId;
    const open = (r: Tagged) => !joined.has(r.id);
    const hit = (exact.get(a.source === 'onprem' ? 'onprem' : 'cloud') ?? []).find((r) => open(r) && (r.g_provider === lower(id) || r.g_id === id || r.g_id === lower(id)));
    if (hit) return plain(hit);
    const rows = windowRows.get(a);
    if (rows === null || rows === undefined) return undefined;
    const t = ms(a.start);
    const best = rows
      .filter((r) => open(r) && Math.abs(ms(r.first_seen) - t) <= MERGE_WINDOW_MS && sameAlertType({ title: r.title, typeName: r.type_name }, { type: a.type, type_name: a.typeName, title: a.title }) && sameUsers(a.users, JSON.parse(r.users) as AlertUser[]))
      .sort((x, y) => Math.abs(ms(x.first_seen) - t) - Math.abs(ms(y.first_seen) - t))[0];
    return best ? plain(best) : null;
  };
}
