import { isUtf8 } from 'node:buffer';
import type { Kysely } from 'kysely';
import type { Clock } from '../../clock';
import type { EventHooks, Trx } from '../../events';
import type { NormalizedAlert } from '../../hybrid/alert';
import type { Ledger } from '../../hybrid/ledger';
import type { IntegrationService } from '../../integration/integration-service';
import type { Logger } from '../../log';
import type { Metrics } from '../../metrics';
import type { Schema } from '../../store/schema';
import { parseCefLine, type RejectReason } from './cef-parser';
import { normalize, sha1, type OnPremItem } from './normalize';
import { BadInputLog } from './bad-input-log';
import type { SensorHealthStore } from './sensor-health-store';
import { MAX_FRAME_BYTES } from './syslog-framer';
import { withTransientRetry } from '../../store/transient';

export type IngestSource = 'udp' | 'tcp' | 'http';
export type Rejected = { rejected: RejectReason; detail: string };
export type IngestOutcome = 'new' | 'updated' | 'duplicate' | 'ignored' | 'health' | Rejected;

export interface IngestorDeps {
  db: Kysely<Schema>;
  integration: IntegrationService;
  ledger: Ledger;
  health: SensorHealthStore;
  clock: Clock;
  metrics: Metrics;
  log: Logger;
  /** The app's hooks: the batch transaction runs through events.transaction (after-commit hooks, e.g. waking the outbox). */
  events?: EventHooks;
  /** Messages per ledger transaction. */
  batchSize?: number;
  /** Parsed messages waiting for the ledger (the app passes INGEST_MAX_QUEUE): TCP pauses before it, UDP is dropped past it, HTTP batches must fit. */
  maxQueue?: number;
  /**
   * Concurrent transactions (PostgreSQL: several connections; SQLite: 1). Messages are split into lanes by
   * account (see laneKey), so one user's alerts stay in one lane, in order.
   */
  lanes?: number;
}

interface Lane {
  queue: Pending[];
  draining: Promise<void> | null;
}

/** Thrown inside a batch when the integration was disabled while it ran: roll back, redo as ignored. */
class GateClosed extends Error {}
/** Thrown inside a batch when the integration left `disabled` after the users were (not) resolved: redo, resolving first. */
class GateOpened extends Error {}

interface Pending {
  item: OnPremItem;
  source: IngestSource;
  done(o: IngestOutcome): void;
}

export const isRejected = (o: IngestOutcome): o is Rejected => typeof o === 'object';

/**
 * Raw message → parse → normalize → queue → one transaction per batch, each message with its own
 * outcome (gating, ledger write, events in the same transaction). A failed batch is retried message by
 * message, so one bad row never costs the others.
 */
export class OnPremIngestor {
  private readonly lanes: Lane[];
  private size = 0;
  private closed = false;
  private readonly batchSize: number;
  readonly maxQueue: number;
  private readonly badLog: BadInputLog;
  private waiters: Array<{ below: number; resolve(): void }> = [];

  constructor(private readonly d: IngestorDeps) {
    this.batchSize = d.batchSize ?? 500;
    this.maxQueue = d.maxQueue ?? 20_000;
    this.lanes = Array.from({ length: Math.max(1, d.lanes ?? 1) }, () => ({ queue: [], draining: null }));
    this.badLog = new BadInputLog(d.log, d.clock);
  }

  get queued(): number {
    return this.size;
  }

  /** One framed message (bytes from syslog, or one line of an HTTP body). */
  submit(raw: Buffer | string, source: IngestSource): Promise<IngestOutcome> {
    if (this.closed) return Promise.resolve(this.reject(source, 'unavailable', 'shutting down', raw));
    let text: string;
    let bytes: Buffer | string = raw;
    if (typeof raw === 'string') {
      // HTTP bodies arrive decoded; a replacement character is what invalid UTF-8 became.
      if (raw.includes('\uFFFD')) return Promise.resolve(this.reject(source, 'invalid_utf8', 'the message is not valid UTF-8', raw));
      if (raw.length > MAX_FRAME_BYTES && Buffer.byteLength(raw) > MAX_FRAME_BYTES) return Promise.resolve(this.reject(source, 'too_large', `message over ${MAX_FRAME_BYTES} bytes`, raw));
      text = raw;
    } else {
      if (raw.length > MAX_FRAME_BYTES) return Promise.resolve(this.reject(source, 'too_large', `message over ${MAX_FRAME_BYTES} bytes`, raw));
      if (!isUtf8(raw)) return Promise.resolve(this.reject(source, 'invalid_utf8', 'the message is not valid UTF-8', raw));
      text = raw.toString('utf8');
      bytes = raw;
    }
    const parsed = parseCefLine(text);
    if (!parsed.ok) return Promise.resolve(this.reject(source, parsed.reason, parsed.detail, text));
    // Back-pressure (issue 16): a TCP reader pauses at 75 % and may overshoot by what its last read held
    // (bounded, see SyslogListener), so TCP is never refused here; HTTP batches are admitted whole by
    // `fits` first; UDP cannot be slowed down, so it is dropped (and counted by the listener).
    if (source !== 'tcp' && this.size >= this.maxQueue) {
      return Promise.resolve(this.reject(source, 'overloaded', `more than ${this.maxQueue} messages waiting for the database`, text));
    }
    const item = normalize(parsed.message, sha1(bytes), this.d.clock.now());
    const lane = this.lanes.length === 1 ? this.lanes[0] : this.lanes[laneOf(laneKey(item), this.lanes.length)];
    return new Promise<IngestOutcome>((resolve) => {
      lane.queue.push({ item, source, done: resolve });
      this.size++;
      this.d.metrics.ingestQueue.set(this.size);
      this.kick(lane);
    });
  }

  /**
   * Start draining a lane unless it is draining. A message queued after drain's last check but before
   * its `finally` ran (a waiter woken by that last batch submits at once) would otherwise wait forever:
   * the finally starts a new drain for it.
   */
  private kick(lane: Lane): void {
    if (lane.draining) return;
    lane.draining = this.drain(lane).finally(() => {
      lane.draining = null;
      if (lane.queue.length) this.kick(lane);
    });
  }

  /** Count and (rate-limited) log a refused message; framing errors come here too. */
  reject(source: IngestSource, reason: RejectReason, detail: string, raw?: Buffer | string): Rejected {
    this.d.metrics.ingest.inc({ source, result: 'rejected' });
    this.d.metrics.ingestRejected.inc({ source, reason });
    this.badLog.note(reason, source, detail, raw);
    return { rejected: reason, detail };
  }

  /** Whether `n` more messages fit in the queue now (an HTTP batch is taken whole or not at all). */
  fits(n: number): boolean {
    return this.size + n <= this.maxQueue;
  }

  /**
   * Seconds until `n` more messages would fit, from the recent write rate (1–60): the Retry-After of a
   * refused HTTP batch.
   */
  retryAfterSeconds(n: number): number {
    const excess = this.size + n - this.maxQueue;
    if (excess <= 0) return 1;
    const perSec = this.rate > 0 ? this.rate : 1000;
    return Math.min(60, Math.max(1, Math.ceil(excess / perSec)));
  }

  /** Resolves once fewer than `n` messages wait (TCP readers pause on it: back-pressure, not loss). */
  whenBelow(n: number): Promise<void> {
    if (this.size < n) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ below: n, resolve }));
  }

  /** Wait until everything queued so far is written. */
  async flush(): Promise<void> {
    for (const lane of this.lanes) while (lane.draining) await lane.draining;
  }

  /** Refuse new messages and finish the queued ones. */
  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
  }

  private async drain(lane: Lane): Promise<void> {
    while (lane.queue.length) {
      const batch = lane.queue.length <= this.batchSize ? lane.queue : lane.queue.slice(0, this.batchSize);
      lane.queue = batch === lane.queue ? [] : lane.queue.slice(this.batchSize);
      const started = this.d.clock.now().getTime();
      await this.write(batch);
      this.noteRate(batch.length, this.d.clock.now().getTime() - started);
      this.size -= batch.length;
      this.d.metrics.ingestQueue.set(this.size);
      this.waiters = this.waiters.filter((w) => (this.size < w.below ? (w.resolve(), false) : true));
    }
  }

  /** Messages written per second (moving average over batches, all lanes together), for Retry-After. */
  private rate = 0;
  private noteRate(n: number, ms: number): void {
    const r = (n * 1000 * this.lanes.length) / Math.max(1, ms);
    this.rate = this.rate === 0 ? r : this.rate * 0.8 + r * 0.2;
  }

  private async write(batch: Pending[]): Promise<void> {
    let outcomes: IngestOutcome[];
    try {
      // Directory lookups (Graph HTTP calls) and the beforeBatch hooks run here, before the transaction
      // opens: no transaction (and no row lock of the integration gate) waits on the directory.
      const resolved = await this.resolve(batch);
      const tx = (fn: (trx: Trx) => Promise<IngestOutcome[]>) => (this.d.events ? this.d.events.transaction(this.d.db, fn) : this.d.db.transaction().execute(fn));
      outcomes = await withTransientRetry(() => tx((trx) => this.writeIn(trx, batch, resolved)));
    } catch (e) {
      if (e instanceof GateClosed || e instanceof GateOpened) return this.write(batch);
      if (batch.length === 1) {
        this.d.log.error({ err: { message: (e as Error).message } }, 'storing an on-premises message failed');
        outcomes = [this.reject(batch[0].source, 'store_error', (e as Error).message)];
      } else {
        // Find the one that fails; the rest still get stored.
        for (const p of batch) await this.write([p]);
        return;
      }
    }
    batch.forEach((p, i) => {
      const o = outcomes[i];
      if (!isRejected(o)) this.d.metrics.ingest.inc({ source: p.source, result: o });
      p.done(o);
    });
  }

  /**
   * The batch's alerts with their users resolved (null when the integration is disabled: nothing will be
   * stored, so nobody is looked up; writeIn redoes the batch if that changed meanwhile).
   */
  private async resolve(batch: Pending[]): Promise<Map<number, NormalizedAlert> | null> {
    const idx = batch.flatMap((p, i) => (p.item.kind === 'alert' ? [i] : []));
    if (!idx.length || (await this.d.integration.get()).state === 'disabled') return null;
    const alerts = await this.d.ledger.resolveBatch(idx.map((i) => (batch[i].item as Extract<OnPremItem, { kind: 'alert' }>).alert));
    return new Map(idx.map((i, k) => [i, alerts[k]]));
  }

  private async writeIn(trx: Trx, batch: Pending[], resolved: Map<number, NormalizedAlert> | null): Promise<IngestOutcome[]> {
    const now = this.d.clock.now();
    const out: IngestOutcome[] = [];
    const state = (await this.d.integration.get(trx)).state;
    const hasAlerts = batch.some((p) => p.item.kind === 'alert');
    if (state !== 'disabled' && hasAlerts && !resolved) throw new GateOpened('enabled while the batch was prepared');
    // One gate per transaction, and it commits with the ledger writes. When active (the hot path) it runs
    // last, so concurrent lanes hold the integration row lock only for the commit; if a `disable` won
    // meanwhile, the batch is rolled back and redone as ignored.
    if (state === 'active') {
      out.push(...(await this.storeAll(trx, batch, now, resolved!)));
      if ((await this.d.integration.onOnPremEvent(trx, now)) === 'ignored') throw new GateClosed('disabled during the batch');
      return out;
    }
    // Disabled or pending: gate first (the first event while pending flips to active before the alert).
    // While disabled each message is still counted as ignored.
    const gate = await this.d.integration.onOnPremEvent(trx, now);
    if (gate !== 'ignored') return this.storeAll(trx, batch, now, resolved!);
    for (let i = 0; i < batch.length; i++) {
      if (i > 0) await this.d.integration.onOnPremEvent(trx, now);
      out.push('ignored');
    }
    return out;
  }

  /** Alerts go to the ledger in one batched call (fewer round trips); health messages one by one. */
  private async storeAll(trx: Trx, batch: Pending[], now: Date, resolved: Map<number, NormalizedAlert> | null): Promise<IngestOutcome[]> {
    const out: IngestOutcome[] = new Array(batch.length);
    const alertIdx: number[] = [];
    for (let i = 0; i < batch.length; i++) {
      const p = batch[i];
      if (p.item.kind === 'alert') alertIdx.push(i);
      else out[i] = await this.store(trx, p, now);
    }
    // Users resolved before the transaction: the ledger does not ask the directory again.
    const recorded = await this.d.ledger.recordManyIn(trx, alertIdx.map((i) => resolved!.get(i)!), { usersResolved: true });
    alertIdx.forEach((i, k) => (out[i] = recorded[k].outcome));
    return out;
  }

  private async store(trx: Trx, p: Pending, now: Date): Promise<IngestOutcome> {
    if (p.item.kind !== 'health') throw new Error('alerts go through recordManyIn');
    const r = await this.d.health.recordIn(trx, p.item.health, now.toISOString());
    return r === 'duplicate' ? 'duplicate' : 'health';
  }
}

/**
 * What picks a message's lane: an alert's first account, lower-cased (so one user's alerts stay in one
 * lane and concurrent lanes do not wait on each other for that user's user_scores rows), else its id.
 * The messages of one alert name the same account in practice, so they keep their order. If a
 * re-trigger named another account it could land in another lane and be written concurrently with its
 * first message: the unique key still makes one row, counted once; whichever commits first is the `new`
 * one and the other its re-trigger (alert.updated), so only which message counts as `new` may differ.
 */
function laneKey(item: OnPremItem): string {
  if (item.kind !== 'alert') return item.health.id;
  const account = item.alert.users[0]?.raw.trim().toLowerCase();
  return account ? `user:${account}` : `alert:${item.alert.sourceId}`;
}

/** A cheap stable string hash (FNV-1a) to pick a lane. */
function laneOf(id: string, n: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  return (h >>> 0) % n;
}
