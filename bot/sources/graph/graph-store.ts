import type { Kysely } from 'kysely';
import type { Clock } from '../../clock';
import type { Trx } from '../../events';
import type { GraphAlertsTable, Schema } from '../../store/schema';
import { kvGet, kvPut } from '../cloud/cloud-store';
import type { GraphAlert } from './normalize-graph';

type Db = Kysely<Schema> | Trx;

export const GRAPH_KV = { cursor: 'graph.cursor', status: 'graph.status', lease: 'graph.lease', healthLease: 'graph.health.lease', health: 'graph.health' } as const;

/**
 * Where the alerts_v2 poll stands. alerts_v2 lists newest first and has no $orderby, so a position in
 * the list is not a cursor: everything changed since `since` is read as one *sweep* (filter
 * `lastUpdateDateTime ge since − overlap`), page by page, and `sweep.next` (the nextLink, or a $skip when
 * Graph gave none) commits with each page's alerts, so a restart resumes after the last page written.
 * When the sweep ends, `since` becomes the server time of its first page: anything updated after that
 * is in the next sweep, wherever it sat in the list while this one ran. Versions read twice (overlap,
 * ties on one timestamp, an item that moved between pages) are recognised by graph id + hash and skipped.
 */
export interface GraphCursor {
  since: string | null;
  /**
   * The largest page Graph has answered with a nextLink: its page size when that is below our $top. A
   * page that full without a nextLink is not taken as the last one (Graph does not always send one).
   */
  pageSize?: number;
  sweep: null | {
    /** Server time (Date header) of the sweep's first page: the next sweep's `since`. */
    upper: string;
    filter: string;
    /** The next page: a nextLink, or null with `skip` for Graph answers without one. */
    next: string | null;
    skip: number;
    pages: number;
  };
}

export interface GraphStatus {
  lastPollAt: string | null;
  lastError: { message: string; fix: string; at: string } | null;
}

export async function readCursor(db: Db): Promise<GraphCursor> {
  const c = await kvGet<GraphCursor>(db, GRAPH_KV.cursor);
  if (!c || typeof c !== 'object') return { since: null, sweep: null };
  const since = typeof c.since === 'string' && !Number.isNaN(Date.parse(c.since)) ? c.since : null;
  const s = c.sweep;
  const sweep = s && typeof s.upper === 'string' && typeof s.filter === 'string' && Number.isFinite(s.skip) ? s : null;
  const pageSize = Number.isInteger(c.pageSize) && c.pageSize! > 0 ? c.pageSize : undefined;
  return { since, sweep, ...(pageSize ? { pageSize } : {}) };
}

export const writeCursor = (db: Db, c: GraphCursor, clock: Clock) => kvPut(db, GRAPH_KV.cursor, c, clock);

export async function readStatus(db: Db): Promise<GraphStatus> {
  return (await kvGet<GraphStatus>(db, GRAPH_KV.status)) ?? { lastPollAt: null, lastError: null };
}

export const writeStatus = (db: Db, s: GraphStatus, clock: Clock) => kvPut(db, GRAPH_KV.status, s, clock);

/** The stored rows for these Graph ids (one query per 500). */
export async function graphRowsFor(db: Db, ids: string[]): Promise<Map<string, GraphAlertsTable>> {
  const out = new Map<string, GraphAlertsTable>();
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await db.selectFrom('graph_alerts').selectAll().where('graph_id', 'in', ids.slice(i, i + 500)).execute();
    for (const r of rows) out.set(r.graph_id, { ...r, last_update_ms: Number(r.last_update_ms) });
  }
  return out;
}

export function graphRow(g: GraphAlert, alertId: string, now: string): GraphAlertsTable {
  return {
    graph_id: g.graphId,
    alert_id: alertId,
    provider_alert_id: g.providerAlertId,
    incident_id: g.incidentId,
    alert_web_url: g.alert.graph.url,
    incident_web_url: g.alert.graph.incidentUrl,
    service_source: g.serviceSource,
    category: g.category,
    status: g.state.status,
    classification: g.state.classification,
    determination: g.state.determination,
    assigned_to: g.state.assignedTo,
    last_update: g.lastUpdate,
    last_update_ms: g.lastUpdateMs,
    hash: g.versionHash,
    received_at: now,
  };
}

/** Insert or refresh many Graph alert rows in one statement per 100. */
export async function upsertGraphRows(db: Db, rows: GraphAlertsTable[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 100) {
    await db
      .insertInto('graph_alerts')
      .values(rows.slice(i, i + 100))
      .onConflict((oc) =>
        oc.column('graph_id').doUpdateSet((eb) => ({
          alert_id: eb.ref('excluded.alert_id'),
          provider_alert_id: eb.ref('excluded.provider_alert_id'),
          incident_id: eb.ref('excluded.incident_id'),
          alert_web_url: eb.ref('excluded.alert_web_url'),
          incident_web_url: eb.ref('excluded.incident_web_url'),
          service_source: eb.ref('excluded.service_source'),
          category: eb.ref('excluded.category'),
          status: eb.ref('excluded.status'),
          classification: eb.ref('excluded.classification'),
          determination: eb.ref('excluded.determination'),
          assigned_to: eb.ref('excluded.assigned_to'),
          last_update: eb.ref('excluded.last_update'),
          last_update_ms: eb.ref('excluded.last_update_ms'),
          hash: eb.ref('excluded.hash'),
          received_at: eb.ref('excluded.received_at'),
        })),
      )
      .execute();
  }
}

/** Defender XDR's side of an alert, for its card (null when Graph never saw it). */
export async function xdrStateOf(db: Db, alertId: string): Promise<GraphAlertsTable | null> {
  const r = await db.selectFrom('graph_alerts').selectAll().where('alert_id', '=', alertId).orderBy('last_update_ms', 'desc').executeTakeFirst();
  return r ?? null;
}

/** Graph alerts received so far (one row per Graph id). */
export async function receivedCount(db: Db): Promise<number> {
  const r = await db.selectFrom('graph_alerts').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(r.n);
}
