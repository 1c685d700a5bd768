import type { Kysely } from 'kysely';
import type { Clock } from '../clock';
import { withTransientRetry } from '../store/transient';
import type { EventHooks, HybridEvent, Trx } from '../events';
import type { AlertsTable, Schema } from '../store/schema';
import { toAlertRow, type AlertRow, type AlertUser, type NormalizedAlert } from './alert';
import { newRow, retriggerPatch } from './ledger-rows';
import { resolveDistinct } from './batch-users';

export type RecordOutcome = 'new' | 'updated' | 'duplicate';

/** Resolves an alert's accounts to directory users before they are stored (bot/hybrid identity resolution). */
export type UserResolver = (users: AlertUser[]) => Promise<AlertUser[]>;

/** What merging one alert did: the outcome when `a` (users resolved) joined an existing row, else null. */
export type MergeOne = (a: NormalizedAlert) => Promise<{ outcome: RecordOutcome; alert: AlertRow } | null>;

/**
 * Returns the outcome when `a` (users resolved) was merged into an existing row, else null. `forBatch`,
 * when present, reads the candidates of a whole batch of new alerts at once and answers per alert from
 * them, with the same result as calling the hook per alert.
 */
export type MergeHook = ((trx: Trx, a: NormalizedAlert) => Promise<{ outcome: RecordOutcome; alert: AlertRow } | null>) & {
  forBatch?: (trx: Trx, alerts: NormalizedAlert[]) => Promise<MergeOne>;
};

/** Options of recordManyIn: `usersResolved` when the caller resolved the users before its transaction. */
export interface RecordManyOptions {
  usersResolved?: boolean;
}

/**
 * One row per alert. A re-trigger (same source id) updates that row and emits `alert.updated`;
 * the same bytes again are a duplicate and change nothing. This is the seed's known issue, solved.
 */
export class Ledger {
  /** Replaced by the composition root once identity resolution exists; default keeps users as given. */
  resolveUsers: UserResolver = async (users) => users;
  /**
   * Hybrid merge (bot/hybrid/merge.ts, installed by the cloud source): a new alert that is the other
   * source's view of an existing row joins that row instead of becoming a second alert.
   */
  mergeNew: MergeHook = async () => null;
  /**
   * Run by a batch writer (the on-prem ingestor) with the batch's resolved users BEFORE it opens the
   * transaction: directory work (roles for impact) never waits inside a transaction (issue 16).
   */
  readonly beforeBatch: Array<(users: AlertUser[]) => Promise<void>> = [];

  constructor(private readonly db: Kysely<Schema>, private readonly clock: Clock, private readonly events: EventHooks) {}

  /**
   * The users of a batch resolved outside any transaction: each distinct account once (a per-batch map,
   * at most 8 directory calls at once), then the beforeBatch hooks with them. Answers the alerts with
   * their users resolved, for recordManyIn(…, { usersResolved: true }).
   */
  async resolveBatch(alerts: NormalizedAlert[]): Promise<NormalizedAlert[]> {
    const lists = await resolveDistinct(alerts.map((a) => a.users), (u) => this.resolveUsers([u]));
    const resolved = alerts.map((a, i) => ({ ...a, users: lists[i] }));
    if (this.beforeBatch.length) {
      const seen = new Set<string>();
      const users = lists.flat().filter((u) => !seen.has(u.key) && !!seen.add(u.key));
      for (const hook of this.beforeBatch) await hook(users);
    }
    return resolved;
  }

  /** Record inside the caller's transaction (so gating, ledger and outbox commit together). */
  recordIn(trx: Trx, a: NormalizedAlert): Promise<{ outcome: RecordOutcome; alert: AlertRow }> {
    return this.recordOne(trx, a, false);
  }

  private async recordOne(trx: Trx, a: NormalizedAlert, usersResolved: boolean): Promise<{ outcome: RecordOutcome; alert: AlertRow }> {
    const now = this.clock.now().toISOString();
    const { col, id } = keyOf(a);
    const existing = await trx.selectFrom('alerts').selectAll().where(col, '=', id).executeTakeFirst();
    if (!existing) {
      if (!usersResolved) a = { ...a, users: await this.resolveUsers(a.users) };
      const merged = await this.mergeNew(trx, a);
      if (merged) return merged;
      const row = newRow(a, now);
      // Another instance may insert the same alert at the same moment: the unique key decides.
      const ins = await trx.insertInto('alerts').values(row).onConflict((oc) => oc.column(col).doNothing()).executeTakeFirst();
      if (Number(ins.numInsertedOrUpdatedRows ?? 1n) === 0) return this.recordOne(trx, a, true);
      const alert = toAlertRow(row);
      await this.events.emit(trx, { type: 'alert.new', alert, at: now });
      return { outcome: 'new', alert };
    }
    const previous = toAlertRow(existing);
    if (existing.last_hash === a.hash) return { outcome: 'duplicate', alert: previous };
    const { trigger_count: _count, ...set } = retriggerPatch(existing, a, now);
    await trx
      .updateTable('alerts')
      .set((eb) => ({ ...set, trigger_count: eb('trigger_count', '+', 1) }))
      .where('id', '=', existing.id)
      .execute();
    const alert = toAlertRow((await trx.selectFrom('alerts').selectAll().where('id', '=', existing.id).executeTakeFirstOrThrow()) as AlertsTable);
    await this.events.emit(trx, { type: 'alert.updated', alert, previous, at: now });
    return { outcome: 'updated', alert };
  }

  /**
   * Many alerts in one transaction with the same per-alert semantics as recordIn, in fewer round trips:
   * one lookup of which ids exist, one multi-row insert for the new ones (each round trip to PostgreSQL
   * costs more than the work). Re-triggers, duplicates and conflicts go through recordIn, in order.
   */
  recordManyIn(trx: Trx, alerts: NormalizedAlert[], opts: RecordManyOptions = {}): Promise<Array<{ outcome: RecordOutcome; alert: AlertRow }>> {
    return this.events.batch(trx, () => this.recordBatch(trx, alerts, opts.usersResolved === true));
  }

  private async recordBatch(trx: Trx, alerts: NormalizedAlert[], usersResolved: boolean): Promise<Array<{ outcome: RecordOutcome; alert: AlertRow }>> {
    if (alerts.length < 2) return alerts.length ? [await this.recordOne(trx, alerts[0], usersResolved)] : [];
    const now = this.clock.now().toISOString();
    const key = (col: string, id: string) => `${col}:${id}`;
    // Existing rows read whole: their re-triggers in this batch are applied in memory (below).
    const state = new Map<string, AlertsTable>();
    for (const col of ['onprem_id', 'cloud_id', 'graph_id'] as const) {
      const ids = [...new Set(alerts.map(keyOf).filter((k) => k.col === col).map((k) => k.id))];
      for (let i = 0; i < ids.length; i += 500) {
        const rows = await trx.selectFrom('alerts').selectAll().where(col, 'in', ids.slice(i, i + 500)).execute();
        for (const r of rows) state.set(key(col, String(r[col])), r as AlertsTable);
      }
    }
    const existing = new Set(state.keys());
    const results: Array<{ outcome: RecordOutcome; alert: AlertRow } | undefined> = new Array(alerts.length);
    const fresh = new Map<number, AlertsTable>();
    const claimed = new Set<string>();
    const firsts: number[] = [];
    for (let i = 0; i < alerts.length; i++) {
      const ka = keyOf(alerts[i]);
      const k = key(ka.col, ka.id);
      if (existing.has(k) || claimed.has(k)) continue; // a re-trigger, or a second message for an alert new in this batch
      claimed.add(k);
      firsts.push(i);
    }
    // Without resolved users (other callers), resolve here as recordIn does, each distinct account once.
    const users = usersResolved ? firsts.map((i) => alerts[i].users) : await resolveDistinct(firsts.map((i) => alerts[i].users), (u) => this.resolveUsers([u]));
    const news = firsts.map((i, k) => ({ ...alerts[i], users: users[k] }));
    const mergeOne: MergeOne = this.mergeNew.forBatch && news.length ? await this.mergeNew.forBatch(trx, news) : (a) => this.mergeNew(trx, a);
    for (let k = 0; k < firsts.length; k++) {
      const merged = await mergeOne(news[k]);
      if (merged) results[firsts[k]] = merged;
      else fresh.set(firsts[k], newRow(news[k], now));
    }
    const inserted = new Set<string>();
    const rows = [...fresh.values()];
    for (let i = 0; i < rows.length; i += 100) {
      // Another instance may have inserted some meanwhile: those fall back to recordIn below.
      const done = await trx.insertInto('alerts').values(rows.slice(i, i + 100)).onConflict((oc) => oc.doNothing()).returning('id').execute();
      for (const r of done) inserted.add(r.id);
    }
    // alert.new events go to the listeners in one emitAll (one multi-row write each); before a message
    // that falls back to recordIn (a re-trigger, a conflict) the buffered ones go first, so an alert's
    // alert.new always precedes its alert.updated.
    //
    // Re-triggers of alerts whose row is known here (stored before, or inserted by this batch) are applied
    // in memory in message order — each its own alert.updated with its previous state, a duplicate when
    // the bytes repeat — and each alert is written ONCE at the end (trigger_count by delta, as recordIn
    // does, so a concurrent writer's re-triggers still add up). Anything else (a merged alert, a row
    // another writer inserted first) goes through recordOne after what is pending is written.
    for (const [i, row] of fresh) if (inserted.has(row.id)) state.set(key(keyOf(alerts[i]).col, keyOf(alerts[i]).id), row);
    const buffered: HybridEvent[] = [];
    const dirty = new Map<string, { row: AlertsTable; added: number }>();
    const flush = async () => {
      for (const { row, added } of dirty.values()) {
        const { id: _id, trigger_count: _count, ...set } = row;
        await trx
          .updateTable('alerts')
          .set((eb) => ({ cnt: set.cnt, description: set.description, severity: set.severity, hosts: set.hosts, threat_score: set.threat_score, tactics: set.tactics, last_seen: set.last_seen, first_seen: set.first_seen, last_hash: set.last_hash, updated_at: set.updated_at, trigger_count: eb('trigger_count', '+', added) }))
          .where('id', '=', row.id)
          .execute();
      }
      dirty.clear();
      await this.events.emitAll(trx, buffered.splice(0));
    };
    for (let i = 0; i < alerts.length; i++) {
      if (results[i]) continue;
      const row = fresh.get(i);
      if (row && inserted.has(row.id)) {
        const alert = toAlertRow(row);
        buffered.push({ type: 'alert.new', alert, at: now });
        results[i] = { outcome: 'new', alert };
        continue;
      }
      const ka = keyOf(alerts[i]);
      const current = row ? undefined : state.get(key(ka.col, ka.id));
      if (current) {
        const previous = toAlertRow(current);
        if (current.last_hash === alerts[i].hash) {
          results[i] = { outcome: 'duplicate', alert: previous };
          continue;
        }
        const next: AlertsTable = { ...current, ...retriggerPatch(current, alerts[i], now) };
        state.set(key(ka.col, ka.id), next);
        dirty.set(next.id, { row: next, added: (dirty.get(next.id)?.added ?? 0) + 1 });
        const alert = toAlertRow(next);
        buffered.push({ type: 'alert.updated', alert, previous, at: now });
        results[i] = { outcome: 'updated', alert };
        continue;
      }
      await flush();
      // A fresh row another writer inserted first: its users are resolved already (never twice).
      results[i] = row ? await this.recordOne(trx, news[firsts.indexOf(i)], true) : await this.recordOne(trx, alerts[i], usersResolved);
    }
    await flush();
    return results as Array<{ outcome: RecordOutcome; alert: AlertRow }>;
  }

  record(a: NormalizedAlert): Promise<{ outcome: RecordOutcome; alert: AlertRow }> {
    return withTransientRetry(() => this.db.transaction().execute((trx) => this.recordIn(trx, a)));
  }

  async get(id: string): Promise<AlertRow | null> {
    const r = await this.db.selectFrom('alerts').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? toAlertRow(r) : null;
  }

  async latestOpen(limit = 10): Promise<AlertRow[]> {
    const rows = await this.db.selectFrom('alerts').selectAll().where('status', '=', 'open').orderBy('last_seen', 'desc').limit(limit).execute();
    return rows.map(toAlertRow);
  }

  async counts(): Promise<{ total: number; open: number; onprem: number; cloud: number }> {
    const r = await this.db
      .selectFrom('alerts')
      .select((eb) => [
        eb.fn.countAll<number>().as('total'),
        eb.fn.sum<number>(eb.case().when('status', '=', 'open').then(1).else(0).end()).as('open'),
        eb.fn.sum<number>(eb.case().when('source', '!=', 'cloud').then(1).else(0).end()).as('onprem'),
        eb.fn.sum<number>(eb.case().when('source', '!=', 'onprem').then(1).else(0).end()).as('cloud'),
      ])
      .executeTakeFirstOrThrow();
    return { total: Number(r.total), open: Number(r.open ?? 0), onprem: Number(r.onprem ?? 0), cloud: Number(r.cloud ?? 0) };
  }
}

/** The column that identifies an alert of this feed: the Graph id for Defender XDR alerts, else the CEF / Cloud App Security id. */
export function keyOf(a: Pick<NormalizedAlert, 'source' | 'sourceId' | 'graph'>): { col: 'onprem_id' | 'cloud_id' | 'graph_id'; id: string } {
  if (a.graph) return { col: 'graph_id', id: a.graph.id };
  return a.source === 'onprem' ? { col: 'onprem_id', id: a.sourceId } : { col: 'cloud_id', id: a.sourceId };
}
