import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Clock } from '../clock';
import type { Logger } from '../log';
import type { Metrics } from '../metrics';
import type { NotifyConversationsTable, Schema } from '../store/schema';
import type { OutboxRow } from './outbox';
import type { Dialect } from '../store/store';
import { markInactive } from './subscriptions';
import { SlidingLimiter, TEAMS_APP_LIMITS, TEAMS_CONVERSATION_LIMITS, type Limits } from './pacer';
import type { OutgoingMessage, ProactiveSender, SendResult, StoredReference } from './sender';

/** Real time for pacing; tests inject a fake sleep to see the waits without waiting. */
export interface WorkerTimer {
  now(): number;
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

export const realTimer: WorkerTimer = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal.aborted) return resolve();
      const t = setTimeout(done, Math.max(0, ms));
      function done() {
        clearTimeout(t);
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done, { once: true });
    }),
};

export interface WorkerOptions {
  instanceId: string;
  pollMs: number;
  batch: number;
  maxLanes: number;
  leaseMs: number;
  conversationLimits: Limits;
  appLimits: Limits;
  /** Attempts for 412/5xx/network errors before a row is given up (429 waits never count). */
  maxAttempts: number;
  backoffBaseMs: number;
  backoffCapMs: number;
  random: () => number;
}

export const DEFAULT_WORKER_OPTIONS: Omit<WorkerOptions, 'instanceId'> = {
  pollMs: 250,
  batch: 25,
  maxLanes: 50,
  leaseMs: 60_000,
  conversationLimits: TEAMS_CONVERSATION_LIMITS,
  appLimits: TEAMS_APP_LIMITS,
  maxAttempts: 8,
  backoffBaseMs: 1_000,
  backoffCapMs: 60_000,
  random: Math.random,
};

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
  private loopDone: Promise<void> = Promise.resolve();
  private lastGauge = 0;

  constructor(private readonly deps: WorkerDeps) {
    this.opts = { ...DEFAULT_WORKER_OPTIONS, instanceId: `hw-${randomUUID()}`, ...deps.options };
    this.timer = deps.timer ?? realTimer;
    this.app = new SlidingLimiter(this.opts.appLimits, 2);
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.abort = new AbortController();
    if (this.deps.dialect === 'sqlite') {
      // One process owns an SQLite file: claims and leases left by a crashed run are stale.
      await this.deps.db.updateTable('notify_outbox').set({ claimed_by: null, claimed_until_ms: 0 }).where('status', '=', 'pending').where('claimed_by', 'is not', null).execute();
      await this.deps.db.updateTable('notify_conversations').set({ lease_owner: null, lease_until_ms: 0 }).where('lease_owner', 'is not', null).execute();
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
    const me = this.opts.instanceId;
    await this.deps.db.updateTable('notify_outbox').set({ claimed_by: null, claimed_until_ms: 0 }).where('claimed_by', '=', me).where('status', '=', 'pending').execute();
    await this.deps.db.updateTable('notify_conversations').set({ lease_owner: null, lease_until_ms: 0 }).where('lease_owner', '=', me).execute();
  }

  nudge(): void {
    // After the enqueueing transaction commits (a macrotask later is enough for both dialects).
    setTimeout(() => this.wake?.(), 2);
  }

  /** Rows not yet delivered (tests, readiness, gauges). */
  async depth(): Promise<{ pending: number; oldestMs: number | null }> {
    const r = await this.deps.db.selectFrom('notify_outbox').select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.min('created_ms').as('oldest')]).where('status', '=', 'pending').executeTakeFirstOrThrow();
    return { pending: Number(r.n), oldestMs: r.oldest === null || r.oldest === undefined ? null : Number(r.oldest) };
  }

  private async loop(): Promise<void> {
    while (this.running) {
      try {
        await this.tick();
      } catch (e) {
        this.deps.log.error({ err: e }, 'notify: delivery loop error (retrying)');
      }
      if (!this.running) break;
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

  private async takeLease(c: string): Promise<boolean> {
    const now = this.timer.now();
    const me = this.opts.instanceId;
    const r = await this.deps.db
      .updateTable('notify_conversations')
      .set({ lease_owner: me, lease_until_ms: now + this.opts.leaseMs })
      .where('id', '=', c)
      .where((eb) => eb.or([eb('lease_owner', 'is', null), eb('lease_owner', '=', me), eb('lease_until_ms', '<', now)]))
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  private async claim(c: string): Promise<OutboxRow[]> {
    const now = this.timer.now();
    const me = this.opts.instanceId;
    return this.deps.db.transaction().execute(async (trx) => {
      let q = trx
        .selectFrom('notify_outbox')
        .select('seq')
        .where('conversation_id', '=', c)
        .where('status', '=', 'pending')
        .where('not_before_ms', '<=', now)
        .where((eb) => eb.or([eb('claimed_by', 'is', null), eb('claimed_by', '=', me), eb('claimed_until_ms', '<', now)]))
        .orderBy('seq')
        .limit(this.opts.batch);
      if (this.deps.dialect === 'postgres') q = q.forUpdate().skipLocked();
      const seqs = (await q.execute()).map((r) => Number(r.seq));
      if (!seqs.length) return [];
      await trx.updateTable('notify_outbox').set({ claimed_by: me, claimed_until_ms: now + this.opts.leaseMs }).where('seq', 'in', seqs).execute();
      await trx.updateTable('notify_conversations').set({ lease_until_ms: now + this.opts.leaseMs }).where('id', '=', c).where('lease_owner', '=', me).execute();
      const rows = await trx.selectFrom('notify_outbox').selectAll().where('seq', 'in', seqs).orderBy('seq').execute();
      return rows.map((r) => ({ ...r, seq: Number(r.seq), attempts: Number(r.attempts), created_ms: Number(r.created_ms) }) as OutboxRow);
    });
  }

  private async limiterFor(c: string): Promise<SlidingLimiter> {
    let l = this.limiters.get(c);
    if (!l) {
      l = new SlidingLimiter(this.opts.conversationLimits);
      // After a restart, what was sent in the last hour still counts against this conversation.
      const since = this.timer.now() - Math.max(...this.opts.conversationLimits.map((x) => x.windowMs));
      const sent = await this.deps.db.selectFrom('notify_outbox').select('sent_ms').where('conversation_id', '=', c).where('sent_ms', '>', since).execute();
      l.seed(sent.map((r) => Number(r.sent_ms)));
      this.limiters.set(c, l);
    }
    return l;
  }

  private async lane(c: string): Promise<void> {
    if (!(await this.takeLease(c))) {
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
        const rows = await this.claim(c);
        if (!rows.length) break;
        for (const row of rows) {
          const outcome = await this.deliver(conv, row, limiter);
          if (outcome === 'inactive' || outcome === 'stopped') return;
        }
      }
    } finally {
      await this.deps.db.updateTable('notify_conversations').set({ lease_owner: null, lease_until_ms: 0 }).where('id', '=', c).where('lease_owner', '=', this.opts.instanceId).execute();
    }
  }

  private async failPending(c: string, reason: string, metric: string): Promise<void> {
    const r = await this.deps.db.updateTable('notify_outbox').set({ status: 'failed', last_error: reason, claimed_by: null }).where('conversation_id', '=', c).where('status', '=', 'pending').executeTakeFirst();
    const n = Number(r.numUpdatedRows);
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

  private async persistRetry(row: OutboxRow, attempts: number, notBefore: number, error: string): Promise<void> {
    await this.deps.db.updateTable('notify_outbox').set({ attempts, not_before_ms: notBefore, last_error: error.slice(0, 500), claimed_until_ms: notBefore + this.opts.leaseMs }).where('seq', '=', row.seq).execute();
  }

  private async finish(row: OutboxRow, r: { activityId: string | null; sentMs?: number; note?: string; card?: { activityId: string; threadId: string } }): Promise<void> {
    const at = this.deps.clock.now().toISOString();
    await this.deps.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('notify_outbox')
        .set({ status: 'sent', sent_at: at, sent_ms: r.sentMs ?? null, activity_id: r.activityId, last_error: r.note ?? null, claimed_by: null })
        .where('seq', '=', row.seq)
        .execute();
      if (r.card && row.card_key) {
        await trx
          .insertInto('notify_cards')
          .values({ card_key: row.card_key, conversation_id: row.conversation_id, activity_id: r.card.activityId, thread_id: r.card.threadId, created_at: at, updated_at: at })
          .onConflict((oc) => oc.columns(['card_key', 'conversation_id']).doUpdateSet({ activity_id: r.card!.activityId, thread_id: r.card!.threadId, updated_at: at }))
          .execute();
      }
    });
  }
}
