import type { Kysely } from 'kysely';
import type { Clock } from '../../clock';
import { CodedError, McasError } from '../../errors';
import type { IntegrationService } from '../../integration/integration-service';
import type { Logger } from '../../log';
import type { Metrics } from '../../metrics';
import type { Schema } from '../../store/schema';
import type { CloudRecorder } from './cloud-recorder';
import { KV, kvPut, readCursor, readStatus, releaseLease, takeLease, type McasCursor, type McasStatus } from './cloud-store';
import { MCAS_PAGE_LIMIT, type McasClient } from './mcas-client';
import { normalizeMcasAlert } from './normalize-mcas';
import { withTransientRetry } from '../../store/transient';
import { SerialPoller } from '../serial-poller';

export interface PollResult {
  pages: number;
  new: number;
  updated: number;
  merged: number;
  duplicates: number;
  rejected: Array<{ id?: string; reason: string }>;
  error?: CodedError;
  /** Another instance holds the poll lease (several instances on one PostgreSQL). */
  skipped?: boolean;
}

export interface McasPollerOptions {
  client: McasClient;
  db: Kysely<Schema>;
  recorder: CloudRecorder;
  integration: IntegrationService;
  clock: Clock;
  log: Logger;
  metrics: Metrics;
  pollSeconds: number;
  /** How far back the very first poll looks (no cursor yet). */
  initialLookbackMs?: number;
}

/** Already-seen alerts at the cursor's millisecond re-read per page, in case the server orders ties differently. */
const TIE_OVERLAP = 50;
const DEFAULT_LOOKBACK_MS = 7 * 24 * 3_600_000;

/**
 * Polls `POST /api/v1/alerts/` with `date gte <cursor>`, oldest first, 100 per page while `hasNext`.
 * The cursor (timestamp + the `_id`s seen at exactly that millisecond) commits in the same transaction
 * as the page's alerts, so a crash or restart resumes exactly: alerts sharing a timestamp across a
 * page or poll boundary are neither lost nor recorded twice.
 */
export class McasPoller extends SerialPoller<PollResult> {
  constructor(private readonly o: McasPollerOptions) {
    super(o.pollSeconds * 1000);
  }

  protected override async afterStop(): Promise<void> {
    await releaseLease(this.o.db, this.owner);
  }

  protected async poll(): Promise<PollResult> {
    const { client, db, recorder, clock, log, metrics } = this.o;
    const result: PollResult = { pages: 0, new: 0, updated: 0, merged: 0, duplicates: 0, rejected: [] };
    if (this.abort.signal.aborted) return result;
    const leaseMs = Math.max(2 * this.o.pollSeconds * 1000, 120_000);
    try {
      if (!(await takeLease(db, this.owner, clock, leaseMs))) return { ...result, skipped: true };
      let cursor: McasCursor = (await readCursor(db)) ?? { ts: clock.now().getTime() - (this.o.initialLookbackMs ?? DEFAULT_LOOKBACK_MS), ids: [] };
      for (;;) {
        if (this.abort.signal.aborted) break;
        const page = await client.listAlerts(
          { filters: { date: { gte: cursor.ts } }, sortField: 'date', sortDirection: 'asc', skip: Math.max(0, cursor.ids.length - TIE_OVERLAP), limit: MCAS_PAGE_LIMIT },
          { signal: this.abort.signal },
        );
        result.pages++;
        if (result.pages % 10 === 0) await takeLease(db, this.owner, clock, leaseMs); // long polls keep it
        const before = `${cursor.ts}/${cursor.ids.length}`;
        // A deadlock with another writer (on-prem batches, another instance) retries the page; the
        // result counts restart with it so nothing is counted twice.
        const before_ = { ...result, rejected: [...result.rejected] };
        cursor = await withTransientRetry(() => { Object.assign(result, { ...before_, rejected: [...before_.rejected] }); return db.transaction().execute(async (trx) => {
          let next: McasCursor = { ts: cursor.ts, ids: [...cursor.ids] };
          let seen = new Set(next.ids);
          for (const raw of page.data) {
            const n = normalizeMcasAlert(raw);
            const ts = n.ok ? n.value.timestampMs : n.timestampMs;
            const key = n.ok ? n.value.alert.sourceId : n.key;
            if (ts !== undefined) {
              if (ts === next.ts && seen.has(key)) continue; // seen in an earlier page or poll
              if (ts > next.ts) {
                next = { ts, ids: [key] };
                seen = new Set([key]);
              } else if (ts === next.ts) {
                next.ids.push(key);
                seen.add(key);
              }
            }
            if (!n.ok) {
              result.rejected.push({ id: n.id, reason: n.reason });
              metrics.mcasAlerts.inc({ path: 'poll', outcome: 'rejected' });
              log.warn({ reason: n.reason }, 'Cloud App Security alert rejected');
              continue;
            }
            const r = await recorder.recordIn(trx, n.value, 'poll');
            metrics.mcasAlerts.inc({ path: 'poll', outcome: r.outcome });
            if (r.outcome === 'duplicate') result.duplicates++;
            else result[r.outcome]++;
          }
          await kvPut(trx, KV.cursor, next, clock);
          return next;
        }); });
        if (!page.hasNext || page.data.length === 0) break;
        if (`${cursor.ts}/${cursor.ids.length}` === before) {
          // A full page of alerts we already had: the server's order moved under us. Next poll retries.
          log.warn({ cursor: cursor.ts }, 'Cloud App Security page brought nothing new; stopping this poll');
          break;
        }
      }
      if (!this.abort.signal.aborted) {
        await this.o.integration.onCloudData(db);
        await this.setStatus({ lastPollAt: clock.now().toISOString(), lastError: null });
      }
    } catch (e) {
      const err = e instanceof CodedError ? e : new McasError(`Polling Cloud App Security failed (${(e as Error).message})`, 'Hybridwatch retries on the next poll; the logs have the details');
      if (this.abort.signal.aborted) return result;
      result.error = err;
      metrics.mcasErrors.inc({ kind: 'poll' });
      log.warn({ err: { message: err.message, status: err.status } }, 'Cloud App Security poll failed');
      await this.setStatus({ ...(await readStatus(db)), lastError: { message: err.message, fix: err.fix, at: clock.now().toISOString() } }).catch(() => undefined);
    }
    return result;
  }

  private setStatus(s: McasStatus): Promise<void> {
    return kvPut(this.o.db, KV.status, s, this.o.clock);
  }
}
