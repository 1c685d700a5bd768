import type { Kysely } from 'kysely';
import type { Clock } from '../../clock';
import { CodedError, GraphSecurityError } from '../../errors';
import type { IntegrationService } from '../../integration/integration-service';
import type { Logger } from '../../log';
import type { Metrics } from '../../metrics';
import type { Schema } from '../../store/schema';
import { withTransientRetry } from '../../store/transient';
import { releaseLease, takeLease } from '../cloud/cloud-store';
import { SerialPoller } from '../serial-poller';
import { ALERTS_PAGE_SIZE, alertsPage, listAlerts } from './defender-api';
import type { GraphRecorder } from './graph-recorder';
import type { GraphPage, GraphSecurityClient } from './graph-security-client';
import { GRAPH_KV, readCursor, readStatus, writeCursor, writeStatus, type GraphCursor } from './graph-store';
import { MDI, normalizeGraphAlert, type GraphAlert } from './normalize-graph';

export interface GraphPollResult {
  pages: number;
  new: number;
  merged: number;
  updated: number;
  changed: number;
  duplicates: number;
  stale: number;
  ignored: number;
  rejected: Array<{ id?: string; reason: string }>;
  /** The sweep finished: the next poll asks only for what changed since it started. */
  caughtUp: boolean;
  error?: CodedError;
  /** Another instance holds the poll lease (several instances on one PostgreSQL). */
  skipped?: boolean;
}

export interface GraphPollerOptions {
  client: GraphSecurityClient;
  db: Kysely<Schema>;
  recorder: GraphRecorder;
  integration: IntegrationService;
  clock: Clock;
  log: Logger;
  metrics: Metrics;
  pollSeconds: number;
  /** serviceSource values asked for (GRAPH_SECURITY_SOURCES). */
  sources: string[];
  /** How far back the very first sweep looks. */
  initialLookbackMs?: number;
  /**
   * Each sweep re-reads this much before the previous sweep's start: Graph's clock against the Date
   * header, and updates that become visible a little after their lastUpdateDateTime. Re-read versions cost
   * a lookup, never a second alert or event.
   */
  overlapMs?: number;
  pageSize?: number;
}

const DEFAULT_LOOKBACK_MS = 7 * 24 * 3_600_000;
const DEFAULT_OVERLAP_MS = 3 * 60_000;
/** Graph may answer a page with nothing but a nextLink; a run of those ends the sweep rather than loop. */
const MAX_EMPTY_PAGES = 3;

/** `lastUpdateDateTime ge <t> and (serviceSource eq 'a' or serviceSource eq 'b')`. */
export function sweepFilter(fromMs: number, sources: string[]): string {
  const src = sources.map((s) => `serviceSource eq '${s.replace(/'/g, "''")}'`).join(' or ');
  return `lastUpdateDateTime ge ${new Date(fromMs).toISOString()}${src ? ` and (${src})` : ''}`;
}

/**
 * Polls `GET /security/alerts_v2` for Defender for Identity and Defender for Cloud Apps alerts, by
 * lastUpdateDateTime so changes made in the Defender portal arrive too. See GraphCursor for why the
 * cursor is a time window plus the sweep's next page, and how restarts, page boundaries and equal
 * timestamps neither lose nor repeat an alert. One instance polls (kv lease).
 */
export class GraphPoller extends SerialPoller<GraphPollResult> {
  constructor(private readonly o: GraphPollerOptions) {
    super(o.pollSeconds * 1000);
  }

  protected override async afterStop(): Promise<void> {
    await releaseLease(this.o.db, this.owner, GRAPH_KV.lease);
  }

  protected async poll(): Promise<GraphPollResult> {
    const { db, clock, log, metrics } = this.o;
    const result: GraphPollResult = { pages: 0, new: 0, merged: 0, updated: 0, changed: 0, duplicates: 0, stale: 0, ignored: 0, rejected: [], caughtUp: false };
    if (this.abort.signal.aborted) return result;
    const leaseMs = Math.max(2 * this.o.pollSeconds * 1000, 120_000);
    const top = this.o.pageSize ?? ALERTS_PAGE_SIZE;
    const call = { signal: this.abort.signal, background: true };
    let cursor: GraphCursor | null = null;
    try {
      if (!(await takeLease(db, this.owner, clock, leaseMs, GRAPH_KV.lease))) return { ...result, skipped: true };
      cursor = await readCursor(db);
      let empties = 0;
      for (;;) {
        if (this.abort.signal.aborted) break;
        let sweep = cursor.sweep;
        let page: GraphPage;
        if (!sweep) {
          const since = cursor.since ? Date.parse(cursor.since) - (this.o.overlapMs ?? DEFAULT_OVERLAP_MS) : clock.now().getTime() - (this.o.initialLookbackMs ?? DEFAULT_LOOKBACK_MS);
          const filter = sweepFilter(since, this.o.sources);
          page = await listAlerts(this.o.client, { filter, top }, call);
          sweep = { upper: new Date(page.serverTime ?? clock.now().getTime()).toISOString(), filter, next: null, skip: 0, pages: 0 };
        } else {
          page = await this.resume(sweep, top, call, cursor);
        }
        result.pages++;
        if (result.pages % 10 === 0) await takeLease(db, this.owner, clock, leaseMs, GRAPH_KV.lease); // long sweeps keep it
        empties = page.value.length === 0 ? empties + 1 : 0;
        // Graph's own page size, learned from pages that came with a nextLink (it may be below our $top).
        const pageSize = page.nextLink && page.value.length ? Math.min(top, Math.max(page.value.length, cursor.pageSize ?? 0)) : cursor.pageSize;
        // No nextLink on a full page: Graph does not always send one; go on by $skip (loss-free: newer
        // versions only ever join the front of the list, so what we have not read can only move back).
        const full = page.value.length >= Math.min(top, pageSize ?? top);
        const done = (!page.nextLink && !full) || empties >= MAX_EMPTY_PAGES;
        const keep = pageSize ? { pageSize } : {};
        const next: GraphCursor = done ? { since: sweep.upper, sweep: null, ...keep } : { since: cursor.since, sweep: { ...sweep, next: page.nextLink, skip: sweep.skip + page.value.length, pages: sweep.pages + 1 }, ...keep };
        const ok: GraphAlert[] = [];
        const rejected: GraphPollResult['rejected'] = [];
        for (const raw of page.value) {
          const n = normalizeGraphAlert(raw);
          if (n.ok) ok.push(n.value);
          else rejected.push({ id: n.id, reason: n.reason });
        }
        // The page's alerts and the cursor past them commit together.
        const outcomes = await withTransientRetry(() =>
          db.transaction().execute(async (trx) => {
            const o = await this.o.recorder.recordPageIn(trx, ok);
            await writeCursor(trx, next, clock);
            return o;
          }),
        );
        for (const o of outcomes) {
          if (o === 'duplicate') result.duplicates++;
          else result[o]++;
        }
        for (const r of rejected) {
          metrics.graphAlerts.inc({ outcome: 'rejected' });
          log.warn({ id: r.id, reason: r.reason }, 'Defender XDR alert rejected');
        }
        result.rejected.push(...rejected);
        cursor = next;
        if (done) {
          result.caughtUp = true;
          break;
        }
      }
      if (!this.abort.signal.aborted) {
        if (this.o.sources.some((s) => s !== MDI)) await this.o.integration.onCloudData(db);
        await writeStatus(db, { lastPollAt: clock.now().toISOString(), lastError: null }, clock);
      }
    } catch (e) {
      const err = e instanceof CodedError ? e : new GraphSecurityError(`Polling Defender XDR alerts failed (${(e as Error).message})`, 'Hybridwatch retries on the next poll; the logs have the details');
      if (this.abort.signal.aborted) return result;
      result.error = err;
      metrics.graphErrors.inc({ kind: 'poll' });
      log.warn({ err: { message: err.message, status: err.status } }, 'Defender XDR alerts poll failed');
      await writeStatus(db, { ...(await readStatus(db)), lastError: { message: err.message, fix: err.fix, at: clock.now().toISOString() } }, clock).catch(() => undefined);
    }
    return result;
  }

  /** The sweep's next page. A link Graph no longer honours (expired, 400/404/410) restarts the sweep from `since`: re-reads, never a gap. */
  private async resume(sweep: NonNullable<GraphCursor['sweep']>, top: number, call: { signal: AbortSignal; background: boolean }, cursor: GraphCursor): Promise<GraphPage> {
    try {
      return sweep.next ? await alertsPage(this.o.client, sweep.next, call) : await listAlerts(this.o.client, { filter: sweep.filter, top, skip: sweep.skip }, call);
    } catch (e) {
      if (e instanceof GraphSecurityError && (e.status === 400 || e.status === 404 || e.status === 410 || (e.problem === 'rejected' && e.status === undefined))) {
        this.o.log.warn({ err: { message: e.message } }, 'Defender XDR: the saved next page is no longer valid; the sweep starts again');
        await writeCursor(this.o.db, { ...cursor, sweep: null }, this.o.clock);
      }
      throw e;
    }
  }
}
