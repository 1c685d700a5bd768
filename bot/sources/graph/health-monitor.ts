import type { Kysely } from 'kysely';
import type { Clock } from '../../clock';
import type { EventHooks, Trx } from '../../events';
import type { Logger } from '../../log';
import type { Schema } from '../../store/schema';
import { withTransientRetry } from '../../store/transient';
import type { HealthIssueView, HealthSnapshot, MdiHealth } from './mdi-health';

export interface HealthMonitorOptions {
  health: MdiHealth;
  db: Kysely<Schema>;
  events: EventHooks;
  clock: Clock;
  log: Logger;
  /** GRAPH_SECURITY_HEALTH_SECONDS */
  intervalSeconds: number;
}

/**
 * Reads Defender for Identity health every GRAPH_SECURITY_HEALTH_SECONDS (which also keeps the cache
 * `status` reads warm) and announces high-severity health issues: a new open one is a card to the
 * subscribed conversations, and when it is no longer open the same card is updated in place. The
 * issue row is the idempotency key, so several instances announce each change once.
 */
export class HealthMonitor {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> = Promise.resolve();
  started = false;

  constructor(private readonly o: HealthMonitorOptions) {}

  /** Checks every interval (the first one interval after start; `status`, `health` and `enable` read live until then). */
  start(): void {
    this.started = true;
    const tick = () => {
      this.timer = setTimeout(() => {
        this.running = this.checkOnce().catch((e) => this.o.log.warn({ err: { message: (e as Error).message } }, 'Defender for Identity health check failed'));
        void this.running.finally(() => {
          if (this.started) tick();
        });
      }, this.o.intervalSeconds * 1000);
    };
    tick();
  }

  async stop(): Promise<void> {
    this.started = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  /** One background read and the announcements it implies; returns what changed. */
  async checkOnce(): Promise<{ opened: string[]; closed: string[]; snapshot: HealthSnapshot }> {
    const snapshot = await this.o.health.read({ maxAgeMs: 0, interactive: false });
    if (!snapshot.issues.ok) return { opened: [], closed: [], snapshot };
    const high = snapshot.issues.items.filter((i) => i.severity === 'high');
    const { opened, closed } = await withTransientRetry(() => this.o.db.transaction().execute((trx) => this.diffIn(trx, high)));
    if (opened.length || closed.length) this.o.log.info({ opened, closed }, 'Defender for Identity health issues changed');
    return { opened, closed, snapshot };
  }

  private async diffIn(trx: Trx, high: HealthIssueView[]): Promise<{ opened: string[]; closed: string[] }> {
    const now = this.o.clock.now().toISOString();
    const opened: string[] = [];
    const closed: string[] = [];
    const openIds = new Set(high.map((i) => i.id));
    for (const issue of high) {
      const detail = JSON.stringify(issue);
      const ins = await trx
        .insertInto('mdi_health_issues')
        .values({ issue_id: issue.id, severity: issue.severity, status: 'open', detail, first_seen: now, last_seen: now, closed_at: null, notified: 1 })
        .onConflict((oc) => oc.column('issue_id').doNothing())
        .executeTakeFirst();
      if (Number(ins.numInsertedOrUpdatedRows ?? 0n) > 0) {
        opened.push(issue.id);
        await this.o.events.emit(trx, { type: 'health.issue', issueId: issue.id, change: 'opened', at: now });
        continue;
      }
      // Known: keep its details fresh; an issue that closed and opened again is announced again.
      const reopened = await trx.updateTable('mdi_health_issues').set({ status: 'open', detail, last_seen: now, closed_at: null }).where('issue_id', '=', issue.id).where('status', '=', 'closed').executeTakeFirst();
      if (Number(reopened.numUpdatedRows) > 0) {
        opened.push(issue.id);
        await this.o.events.emit(trx, { type: 'health.issue', issueId: issue.id, change: 'opened', at: now });
      } else await trx.updateTable('mdi_health_issues').set({ detail, last_seen: now }).where('issue_id', '=', issue.id).execute();
    }
    // Announced and open, but not in a complete list of open issues any more: closed (or suppressed).
    const stillOpen = await trx.selectFrom('mdi_health_issues').select('issue_id').where('status', '=', 'open').execute();
    for (const r of stillOpen) {
      if (openIds.has(r.issue_id)) continue;
      const res = await trx.updateTable('mdi_health_issues').set({ status: 'closed', closed_at: now }).where('issue_id', '=', r.issue_id).where('status', '=', 'open').executeTakeFirst();
      if (Number(res.numUpdatedRows) > 0) {
        closed.push(r.issue_id);
        await this.o.events.emit(trx, { type: 'health.issue', issueId: r.issue_id, change: 'closed', at: now });
      }
    }
    return { opened, closed };
  }
}
