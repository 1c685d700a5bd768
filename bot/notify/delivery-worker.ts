import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Clock } from '../clock';
import type { Logger } from '../log';
import type { Metrics } from '../metrics';
import type { NotifyConversationsTable, Schema } from '../store/schema';
import type { OutboxRow } from './outbox';
import type { Dialect } from '../store/store';
import { markInactive } from './subscriptions';
import { OutboxClaims, type SentRecord } from './outbox-claims';
import { SlidingLimiter } from './pacer';
import { DEFAULT_WORKER_OPTIONS, realTimer, type WorkerOptions, type WorkerTimer } from './worker-options';

export { realTimer, type WorkerOptions, type WorkerTimer } from './worker-options';
import type { OutgoingMessage, ProactiveSender, SendResult, StoredReference } from './sender';

export interface WorkerDeps {
  db: Kysely<Schema>;
  dialect: Dialect;
  sender: ProactiveSender;
  render(row: OutboxRow): Promise<OutgoingMessage | null>;
  clock: Clock;
  log: Logger;
  metrics: Metrics;
  timer?: WorkerTimer;
  options?: Partial<WorkerOptions>;
}

const RETRYABLE = new Set([412, 500, 502, 503, 504]);
type Outcome = 'done' | 'inactive' | 'stopped';

/**
 * Delivers the outbox. One lane per conversation sends its rows in order, paced inside Teams'
 * per-conversation limits and the per-app limit, so 429s are the exception; a 429 waits Retry-After,
 * 412/5xx back off with jitter, a 403 retires the conversation. A conversation is leased to one
 * instance at a time (PostgreSQL: several instances share the outbox; rows are claimed with
 * FOR UPDATE SKIP LOCKED). Rows are marked sent only after Teams answered, so a crash resends
 * rather than loses (at least once: a crash between Teams' answer and the commit may repeat one card).
 */
export class DeliveryWorker {
  readonly opts: WorkerOptions;
  private readonly timer: WorkerTimer;
  private readonly limiters = new Map<string, SlidingLimiter>();
  private readonly app: SlidingLimiter;
  private readonly lanes = new Map<string, Promise<void>>();
  private running = false;
  private abort = new AbortController();
  private wake: (() => void) | null = null;
  /** A wake-up that came while a tick ran: the loop ticks again instead of sleeping. */
  private woken = false;
  private loopDone: Promise<void> = Promise.resolve();
  private lastGauge = 0;
  private readonly claims: OutboxClaims;

  constructor(private readonly deps: WorkerDeps) {
    this.opts = { ...DEFAULT_WORKER_OPTIONS, instanceId: `hw-${randomUUID()}`, ...deps.options };
    this.timer = deps.timer ?? realTimer;
    this.app = new SlidingLimiter(this.opts.appLimits, 2);
    this.claims = new OutboxClaims(deps.db, deps.dialect, this.opts.instanceId, this.opts.leaseMs, this.opts.batch);
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.abort = new AbortController();
    if (this.deps.dialect === 'sqlite') {
      // One process owns an SQLite file: claims and leases left by a crashed run are stale.
      await this.claims.clearAll();
    }
    this.loopDone = this.loop();
  }

  /** Stop taking work; sends already on the wire finish and are recorded; waiting rows stay for the next start. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.abort.abort();
    this.wake?.();
    await this.loopDone;
    await Promise.all([...this.lanes.values()]);
    await this.claims.releaseMine();
  }

  nudge(): void {
    // For an enqueue whose commit we cannot see: a macrotask later is enough when it committed by then.
    setTimeout(() => this.nudgeNow(), 2);
  }

  /** Look for work now (called after the enqueueing transaction committed). */
  nudgeNow(): void {
    if (this.wake) this.wake();
    else this.woken = true;
  }

  /** Rows not yet delivered (tests, readiness, gauges). */
  depth(): Promise<{ pending: number; oldestMs: number | null }> {
    return this.claims.depth();
  }

  private async loop(): Promise<void> {
    while (this.running) {
      try {
        await this.tick();
      } catch (e) {
        this.deps.log.error({ err: e }, 'notify: delivery loop error (retrying)');
      }
      if (!this.running) break;
      if (this.woken) {
        this.woken = false;
        continue;
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(done, this.opts.pollMs);
        const self = this;
        function done() {
          clearTimeout(t);
          self.wake = null;
          resolve();
        }
        this.wake = done;
      });
    }
  }

  private async tick(): Promise<void> {
    const now = this.timer.now();
    const convs = await this.deps.db
      .selectFrom('notify_outbox')
      .select('conversation_id')
      .distinct()
      .where('status', '=', 'pending')
      .where('not_before_ms', '<=', now)
      .where((eb) => eb.or([eb('claimed_by', 'is', null), eb('claimed_by', '=', this.opts.instanceId), eb('claimed_until_ms', '<', now)]))
      .limit(this.opts.maxLanes * 2)
      .execute();
    for (const { conversation_id: c } of convs) {
      if (!this.running || this.lanes.has(c) || this.lanes.size >= this.opts.maxLanes) continue;
      const lane = this.lane(c)
        .catch((e) => this.deps.log.error({ err: e, conversation: c }, 'notify: lane failed'))
        .finally(() => {
          this.lanes.delete(c);
          // More may have arrived while this lane finished.
          this.wake?.();
        });
      this.lanes.set(c, lane);
    }
    if (now - this.lastGauge > 1000) {
      this.lastGauge = now;
      const d = await this.depth();
      this.deps.metrics.notifyOutboxDepth.set(d.pending);
      this.deps.metrics.notifyOutboxAge.set(d.oldestMs === null ? 0 : Math.max(0, (now - d.oldestMs) / 1000));
    }
  }

  private async limiterFor(c: string): Promise<SlidingLimiter> {
    let l = this.limiters.get(c);
    if (!l) {
      l = new SlidingLimiter(this.opts.conversationLimits);
      // After a restart, what was sent in the last hour still counts against this conversation.
      const since = this.timer.now() - Math.max(...this.opts.conversationLimits.map((x) => x.windowMs));
      l.seed(await this.claims.sentSince(c, since));
      this.limiters.set(c, l);
    }
    return l;
  }

  private async lane(c: string): Promise<void> {
    if (!(await this.claims.takeLease(c, this.timer.now()))) {
      const exists = await this.deps.db.selectFrom('notify_conversations').select('id').where('id', '=', c).executeTakeFirst();
      if (!exists) await this.failPending(c, 'no conversation reference for this conversation', 'unknown_conversation');
      return;
    }
    try {
      const conv = await this.deps.db.selectFrom('notify_conversations').selectAll().where('id', '=', c).executeTakeFirstOrThrow();
      if (!Number(conv.active)) {
        await this.failPending(c, `conversation inactive: ${conv.inactive_reason ?? 'unknown reason'}`, 'inactive');
        return;
      }
      const limiter = await this.limiterFor(c);
      while (this.running) {
        const rows = await this.claims.claim(c, this.timer.now());
        if (!rows.length) break;
        for (const row of rows) {
          const outcome = await this.deliver(conv, row, limiter);
          if (outcome === 'inactive' || outcome === 'stopped') return;
        }
      }
    } finally {
      await this.claims.releaseLease(c);
    }
  }

  private async failPending(c: string, reason: string, metric: string): Promise<void> {
    const n = await this.claims.failPending(c, reason);
    if (n) {
      this.deps.metrics.notifyFailed.inc({ reason: metric }, n);
      this.deps.log.warn({ conversation: c, rows: n, reason }, 'notify: undeliverable rows marked failed');
    }
  }

  private backoff(attempt: number): number {
    const exp = Math.min(this.opts.backoffCapMs, this.opts.backoffBaseMs * 2 ** Math.min(attempt, 20));
    return Math.round(exp / 2 + (exp / 2) * this.opts.random()); // "equal jitter": never zero, never in lockstep
  }

  /** Wait until both the conversation and the app may send; false if stopping. */
  private async waitTurn(limiter: SlidingLimiter): Promise<boolean> {
    for (;;) {
      if (!this.running) return false;
      const now = this.timer.now();
      const at = Math.max(limiter.nextAt(now), this.app.nextAt(now));
      if (at <= now) {
        this.app.record(now);
        return true;
      }
      await this.timer.sleep(at - now, this.abort.signal);
    }
  }

  private async deliver(conv: NotifyConversationsTable, row: OutboxRow, limiter: SlidingLimiter): Promise<Outcome> {
    const { db, log, metrics } = this.deps;
    // From here on, new events queue a fresh row rather than coalesce into this one (see Outbox.unstarted).
    await db.updateTable('notify_outbox').set({ started_ms: this.timer.now() }).where('seq', '=', row.seq).execute();
    const ref = JSON.parse(conv.reference) as StoredReference;
    const isChannel = conv.kind === 'channel';
    const cardKey = row.card_key;
    let attempt = row.attempts;
    for (;;) {
      // Rendered per attempt: after a wait the card shows the state at send time.
      const msg = await this.deps.render(row);
      if (!msg) {
        await this.finish(row, { activityId: null, note: 'nothing to send (its subject no longer exists)' });
        return 'done';
      }
      const card = cardKey ? await db.selectFrom('notify_cards').selectAll().where('card_key', '=', cardKey).where('conversation_id', '=', conv.id).executeTakeFirst() : undefined;
      let op: 'post' | 'update' | 'reply';
      if (row.kind === 'alert.reply') {
        if (!card) {
          await this.finish(row, { activityId: null, note: 'no card to reply to' });
          return 'done';
        }
        op = 'reply';
      } else op = card && row.kind !== 'integration' && row.kind !== 'text' ? 'update' : 'post';
      if (!(await this.waitTurn(limiter))) return 'stopped';
      let res: SendResult;
      if (op === 'update') res = await this.deps.sender.update(ref, card!.thread_id, card!.activity_id, msg);
      else if (op === 'reply') res = await this.deps.sender.reply(ref, card!.thread_id, card!.activity_id, msg, isChannel);
      else res = await this.deps.sender.post(ref, msg, isChannel ? conv.id : undefined);
      const now = this.timer.now();
      limiter.record(now);
      if (res.ok) {
        metrics.notifySent.inc({ op });
        metrics.notifyLatency.observe(Math.max(0, now - Number(row.created_ms)) / 1000);
        await this.finish(row, { activityId: res.activityId, sentMs: now, card: op === 'post' && cardKey ? { activityId: res.activityId, threadId: res.threadId } : undefined });
        return 'done';
      }
      const status = res.status;
      const detail = { conversation: conv.id, seq: row.seq, kind: row.kind, op, status, code: res.code, message: res.message };
      if (status === 429) {
        metrics.notifyThrottled.inc();
        const wait = res.retryAfterMs ?? this.backoff(attempt);
        limiter.block(now + wait);
        log.warn({ ...detail, waitMs: wait }, 'notify: Teams throttled (429); waiting Retry-After');
        await this.persistRetry(row, attempt, now + wait, `429 (waiting ${wait} ms)`);
        continue;
      }
      if (status === 404 && op === 'update') {
        // The card was deleted in Teams: post a fresh one rather than lose the update.
        await db.deleteFrom('notify_cards').where('card_key', '=', cardKey!).where('conversation_id', '=', conv.id).execute();
        continue;
      }
      if (status === 403) {
        metrics.notifyForbidden.inc();
        const reason = `Teams refused writes (403${res.code ? ` ${res.code}` : ''}): the bot was probably removed`;
        log.warn(detail, 'notify: 403 from Teams; subscription marked inactive');
        await markInactive(db, conv.id, reason, this.deps.clock.now().toISOString());
        await this.failPending(conv.id, reason, 'forbidden');
        return 'inactive';
      }
      if (status === null || RETRYABLE.has(status)) {
        attempt++;
        metrics.notifyRetries.inc({ status: String(status ?? 'network') });
        if (attempt >= this.opts.maxAttempts) {
          metrics.notifyFailed.inc({ reason: `status_${status ?? 'network'}` });
          log.error(detail, `notify: giving up after ${attempt} attempts`);
          await db.updateTable('notify_outbox').set({ status: 'failed', attempts: attempt, last_error: `${status ?? 'network'}: ${res.message}`.slice(0, 500), claimed_by: null }).where('seq', '=', row.seq).execute();
          return 'done';
        }
        const wait = this.backoff(attempt - 1);
        log.warn({ ...detail, attempt, waitMs: wait }, 'notify: transient error; backing off');
        await this.persistRetry(row, attempt, now + wait, `${status ?? 'network'}: ${res.message}`);
        await this.timer.sleep(wait, this.abort.signal);
        if (!this.running) return 'stopped';
        continue;
      }
      metrics.notifyFailed.inc({ reason: `status_${status}` });
      log.error(detail, 'notify: Teams rejected the message; not retrying');
      await db.updateTable('notify_outbox').set({ status: 'failed', attempts: attempt + 1, last_error: `${status}: ${res.message}`.slice(0, 500), claimed_by: null }).where('seq', '=', row.seq).execute();
      return 'done';
    }
  }

  private persistRetry(row: OutboxRow, attempts: number, notBefore: number, error: string): Promise<void> {
    return this.claims.retryLater(row, attempts, notBefore, error);
  }

  private finish(row: OutboxRow, r: SentRecord): Promise<void> {
    return this.claims.finish(row, r, this.deps.clock.now().toISOString());
  }

}
