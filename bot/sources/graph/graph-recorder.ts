import type { Clock } from '../../clock';
import type { EventHooks, Trx } from '../../events';
import { toAlertRow, type AlertRow } from '../../hybrid/alert';
import type { Ledger } from '../../hybrid/ledger';
import type { IntegrationService } from '../../integration/integration-service';
import type { Metrics } from '../../metrics';
import type { AlertsTable, GraphAlertsTable } from '../../store/schema';
import { XDR_ACTOR } from './graph-merge';
import { graphRow, graphRowsFor, upsertGraphRows } from './graph-store';
import { RESOLUTION_OF, type GraphAlert, type XdrState } from './normalize-graph';

/**
 * What one alerts_v2 version did: `new` row, `merged` into a CEF / Cloud App Security twin, `updated`
 * (a re-trigger: new activity), `changed` (worked in the portal: resolved, reassigned, reclassified),
 * `duplicate` (nothing to show: read again, or our own write-back coming back), `stale` (older than the
 * version we have), `ignored` (Defender for Identity while the integration is disabled, like CEF).
 */
export type GraphOutcome = 'new' | 'merged' | 'updated' | 'changed' | 'duplicate' | 'stale' | 'ignored';

export interface GraphRecorderDeps {
  ledger: Ledger;
  integration: IntegrationService;
  events: EventHooks;
  clock: Clock;
  metrics: Metrics;
}

const stateOf = (r: Pick<GraphAlertsTable, 'status' | 'classification' | 'determination' | 'assigned_to'>): XdrState => ({ status: r.status, classification: r.classification, determination: r.determination, assignedTo: r.assigned_to });
const sameUpn = (a: string | null, b: string | null) => (a ?? '').toLowerCase() === (b ?? '').toLowerCase();

/** Records one page of Graph alerts inside the caller's transaction (the poller commits its cursor with it). */
export class GraphRecorder {
  constructor(private readonly d: GraphRecorderDeps) {}

  async recordPageIn(trx: Trx, page: GraphAlert[]): Promise<GraphOutcome[]> {
    const now = this.d.clock.now();
    const at = now.toISOString();
    const out: GraphOutcome[] = new Array(page.length);
    // The same alert twice on one page: only its newest version counts.
    const newest = new Map<string, number>();
    page.forEach((g, i) => {
      const j = newest.get(g.graphId);
      if (j === undefined || page[j].lastUpdateMs <= g.lastUpdateMs) newest.set(g.graphId, i);
    });
    const known = await graphRowsFor(trx, [...newest.keys()]);
    const todo: number[] = [];
    for (let i = 0; i < page.length; i++) {
      const g = page[i];
      const k = known.get(g.graphId);
      if (newest.get(g.graphId) !== i || (k && k.hash === g.versionHash)) out[i] = 'duplicate';
      else if (k && g.lastUpdateMs < k.last_update_ms) out[i] = 'stale';
      else todo.push(i);
    }

    // Defender for Identity is on-premises data: gated like CEF (counted and ignored while disabled; the
    // first one while pending turns the integration active).
    const onPrem = todo.filter((i) => page[i].onPrem);
    if (onPrem.length && (await this.d.integration.onOnPremEvent(trx, now)) === 'ignored') {
      for (let n = 1; n < onPrem.length; n++) await this.d.integration.onOnPremEvent(trx, now);
      for (const i of onPrem) out[i] = 'ignored';
    }
    const live = todo.filter((i) => out[i] === undefined);
    const fresh = live.filter((i) => !known.has(page[i].graphId));
    const seen = live.filter((i) => known.has(page[i].graphId));
    const rows: GraphAlertsTable[] = [];

    // New to Hybridwatch: one batched ledger call; the merge hook joins CEF / Cloud App Security twins.
    const recorded = await this.d.ledger.recordManyIn(trx, fresh.map((i) => page[i].alert));
    for (let k = 0; k < fresh.length; k++) {
      const i = fresh[k];
      const g = page[i];
      const r = recorded[k];
      const merged = r.alert.id !== `xdr:${g.graphId}`;
      out[i] = r.outcome === 'new' ? 'new' : merged ? 'merged' : r.outcome;
      rows.push(graphRow(g, r.alert.id, at));
      if (r.outcome === 'new') await this.stateOnArrival(trx, r.alert.id, g, at);
      if (merged) await this.applyState(trx, r.alert, null, g, at);
    }

    // Known: what changed in the portal, and (for alerts only Graph brings) new activity as a re-trigger.
    const byId = await this.alertsById(trx, seen.map((i) => known.get(page[i].graphId)!.alert_id));
    for (const i of seen) {
      const g = page[i];
      const k = known.get(g.graphId)!;
      const row = byId.get(k.alert_id);
      rows.push(graphRow(g, k.alert_id, at));
      if (!row) {
        out[i] = 'duplicate'; // its ledger row passed retention; the Graph row just follows along
        continue;
      }
      const changed = await this.applyState(trx, toAlertRow(row), stateOf(k), g, at);
      let retriggered = false;
      if (row.onprem_id === null && row.cloud_id === null) retriggered = (await this.d.ledger.recordIn(trx, g.alert)).outcome === 'updated';
      out[i] = changed ? 'changed' : retriggered ? 'updated' : 'duplicate';
    }
    await upsertGraphRows(trx, rows);
    for (const o of out) this.d.metrics.graphAlerts.inc({ outcome: o });
    return out;
  }

  private async alertsById(trx: Trx, ids: string[]): Promise<Map<string, AlertsTable>> {
    const out = new Map<string, AlertsTable>();
    const unique = [...new Set(ids)];
    for (let i = 0; i < unique.length; i += 500) {
      for (const r of await trx.selectFrom('alerts').selectAll().where('id', 'in', unique.slice(i, i + 500)).execute()) out.set(r.id, r as AlertsTable);
    }
    return out;
  }

  /** A new row shows who works it and who resolved it in Defender XDR (its alert.new renders after commit). */
  private async stateOnArrival(trx: Trx, alertId: string, g: GraphAlert, at: string): Promise<void> {
    const set: Partial<AlertsTable> = {};
    if (g.state.assignedTo) Object.assign(set, { assigned_to_id: `xdr:${g.state.assignedTo.toLowerCase()}`, assigned_to_name: g.state.assignedTo });
    if (g.state.status === 'resolved') Object.assign(set, { closed_by_id: XDR_ACTOR.id, closed_by_name: XDR_ACTOR.name, closed_at: g.resolvedAt ?? at });
    if (Object.keys(set).length) await trx.updateTable('alerts').set(set).where('id', '=', alertId).execute();
  }

  /**
   * Defender XDR's handling → the ledger: resolved closes the alert ("Resolved in Defender XDR"),
   * reopened opens it, a new classification is the new resolution, assignedTo is the assignee. One
   * alert.changed per version that shows something new, so each posted card gets exactly one update.
   * `before` null: Graph just joined a row, compare with the row itself.
   */
  private async applyState(trx: Trx, row: AlertRow, before: XdrState | null, g: GraphAlert, at: string): Promise<boolean> {
    const after = g.state;
    const resolved = after.status === 'resolved';
    const wasResolved = before ? before.status === 'resolved' : row.status === 'closed';
    const visible: string[] = [];
    const set: Partial<AlertsTable> = {};
    const resolution = RESOLUTION_OF[after.classification ?? ''] ?? 'resolved';
    if (resolved && !wasResolved) {
      visible.push('resolved');
      if (row.status === 'open') Object.assign(set, { status: 'closed', closed_by_id: XDR_ACTOR.id, closed_by_name: XDR_ACTOR.name, closed_at: g.resolvedAt ?? at, resolution });
    } else if (!resolved && wasResolved && before) {
      visible.push('reopened');
      if (row.status === 'closed') Object.assign(set, { status: 'open', closed_by_id: null, closed_by_name: null, closed_at: null, resolution: null });
    } else if (before && (before.classification !== after.classification || before.determination !== after.determination)) {
      visible.push('reclassified');
      if (resolved && row.status === 'closed' && row.resolution !== resolution) set.resolution = resolution;
    }
    if (before && before.status !== after.status && !visible.length) visible.push(after.status);
    const assigneeChanged = before ? !sameUpn(before.assignedTo, after.assignedTo) : !!after.assignedTo && !sameUpn(row.assigned_to_name, after.assignedTo);
    if (assigneeChanged) {
      visible.push(after.assignedTo ? 'assigned' : 'unassigned');
      Object.assign(set, { assigned_to_id: after.assignedTo ? `xdr:${after.assignedTo.toLowerCase()}` : null, assigned_to_name: after.assignedTo });
    }
    if (!visible.length) return false;
    await trx.updateTable('alerts').set({ ...set, updated_at: at }).where('id', '=', row.id).execute();
    const alert = toAlertRow((await trx.selectFrom('alerts').selectAll().where('id', '=', row.id).executeTakeFirstOrThrow()) as AlertsTable);
    await this.d.events.emit(trx, { type: 'alert.changed', alert, action: `xdr.${visible.join('+')}`, actor: XDR_ACTOR, at });
    return true;
  }
}
