import type { Kysely } from 'kysely';
import type { Clock } from '../clock';
import type { Directory } from '../directory/directory';
import type { EventHooks, HybridEvent, Trx } from '../events';
import type { Logger } from '../log';
import type { Schema, UserScoresTable } from '../store/schema';
import type { AlertRow, AlertUser } from './alert';
import { Breaker } from './breaker';
import {
  alertCounts,
  impactOf,
  percentileFromCounts,
  percentileOf,
  qualifiesAsRisky,
  scoreUser,
  topReasons,
  windowStart,
  type RiskReason,
  type RiskyConfig,
  type ScoredAlertInput,
  type UserScore,
} from './priority';

type Db = Kysely<Schema> | Trx;
const BATCH = 500;

/** What `user.risky` carries (HybridEvent detail): enough for a card without another query. */
export interface RiskyDetail {
  user: { key: string; displayName: string | null; upn: string | null; resolution: string };
  score: number;
  percentile: number;
  onpremScore: number;
  cloudScore: number;
  threatScore: number | null;
  thresholds: RiskyConfig;
  reasons: RiskReason[];
}

const chunks = <T>(xs: T[], n = BATCH): T[][] => Array.from({ length: Math.ceil(xs.length / n) }, (_, i) => xs.slice(i * n, i * n + n));
const envOf = (source: AlertRow['source']): 'onprem' | 'cloud' => (source === 'cloud' ? 'cloud' : 'onprem');


/**
 * Keeps alert_users and user_scores current. Runs inside the ledger's transaction on every
 * alert.new / alert.updated / alert.changed, touching only the alert's users (plus two counts for the
 * percentile); an hourly sweep catches users whose alerts aged out or whose percentile moved.
 */
export class PriorityService {
  private readonly breaker: Breaker;

  constructor(
    private readonly db: Kysely<Schema>,
    private readonly directory: Directory,
    private readonly clock: Clock,
    private readonly events: EventHooks,
    private readonly risky: RiskyConfig,
    private readonly log?: Logger,
  ) {
    this.breaker = new Breaker(clock);
  }

  async onEvent(trx: Trx, e: HybridEvent): Promise<void> {
    if (e.type !== 'alert.new' && e.type !== 'alert.updated' && e.type !== 'alert.changed') return;
    const users = await this.syncAlert(trx, e.alert, e.type === 'alert.new');
    if (!users.length) return;
    // In a batch (the on-prem ingestor's transactions) each user is rescored once, at the batch's end.
    let pending = this.pending.get(trx);
    if (!pending) this.pending.set(trx, (pending = new Map()));
    for (const u of users) if (!pending.has(u.key) || e.type === 'alert.new') pending.set(u.key, { user: u, cause: e.type });
    const deferred = this.events.later(trx, 'priority.rescore', async () => {
      const batch = this.pending.get(trx);
      this.pending.delete(trx);
      if (!batch) return;
      // One rescore per cause keeps the dismissed-user rule (re-fire only on alert.new) exact.
      for (const cause of ['alert.new', 'alert.updated', 'alert.changed']) {
        const group = [...batch.values()].filter((x) => x.cause === cause).map((x) => x.user);
        if (group.length) await this.rescore(trx, group, cause);
      }
    });
    if (!deferred) {
      this.pending.delete(trx);
      await this.rescore(trx, users, e.type);
    }
  }

  private readonly pending = new WeakMap<object, Map<string, { user: AlertUser; cause: string }>>();

  /** One row per (alert, user): upserted, so a re-trigger moves seen_at and severity but adds nothing. */
  async syncAlert(trx: Trx, a: AlertRow, isNew = false): Promise<AlertUser[]> {
    const users = a.users.filter((u, i, all) => u.key && all.findIndex((x) => x.key === u.key) === i);
    if (!isNew) await trx.deleteFrom('alert_users').where('alert_id', '=', a.id).execute();
    if (users.length) {
      await trx
        .insertInto('alert_users')
        .values(users.map((u) => ({ alert_id: a.id, user_key: u.key, environment: envOf(a.source), severity: a.severity, type: a.type, seen_at: a.last_seen, first_seen: a.first_seen, counts: alertCounts(a) })))
        .execute();
    }
    return users;
  }

  /** Current scores of these users from the alert_users window (no writes). */
  async compute(db: Db, keys: string[], impacts: Map<string, number>, now = this.clock.now()): Promise<Map<string, UserScore>> {
    const since = windowStart(now);
    const rows: Array<{ user_key: string; alert_id: string; environment: 'onprem' | 'cloud'; severity: ScoredAlertInput['severity']; type: string; seen_at: string; title: string; threat_score: number | null }> = [];
    for (const part of chunks([...new Set(keys)])) {
      rows.push(
        ...(await db
          .selectFrom('alert_users as au')
          .innerJoin('alerts as a', 'a.id', 'au.alert_id')
          .select(['au.user_key', 'au.alert_id', 'au.environment', 'au.severity', 'au.type', 'au.seen_at', 'a.title', 'a.threat_score'])
          .where('au.user_key', 'in', part)
          .where('au.seen_at', '>=', since)
          .where('au.counts', '=', 1)
          .execute()),
      );
    }
    const types = [...new Set(rows.map((r) => r.type))];
    const usersWithType = new Map<string, number>();
    for (const part of chunks(types)) {
      const counts = await db
        .selectFrom('alert_users')
        .select(['type', (eb) => eb.fn.count<number>('user_key').distinct().as('n')])
        .where('type', 'in', part)
        .where('seen_at', '>=', since)
        .where('counts', '=', 1)
        .groupBy('type')
        .execute();
      for (const c of counts) usersWithType.set(c.type, Number(c.n));
    }
    const byUser = new Map<string, ScoredAlertInput[]>();
    for (const r of rows) {
      const list = byUser.get(r.user_key) ?? [];
      list.push({ alertId: r.alert_id, environment: r.environment, severity: r.severity, type: r.type, title: r.title, seenAt: r.seen_at, usersWithType: usersWithType.get(r.type) ?? 1, threatScore: r.threat_score === null ? null : Number(r.threat_score) });
      byUser.set(r.user_key, list);
    }
    const out = new Map<string, UserScore>();
    for (const k of new Set(keys)) out.set(k, scoreUser(byUser.get(k) ?? [], (impacts.get(k) ?? 100) / 100));
    return out;
  }

  /** Impact from the directory's roles; when it cannot answer, the last known impact (fail soft). */
  private async impacts(keys: string[], stored: Map<string, UserScoresTable>, refreshRoles: boolean): Promise<{ impact: Map<string, number>; roles: Map<string, string> }> {
    const impact = new Map<string, number>();
    const roles = new Map<string, string>();
    for (const k of keys) {
      impact.set(k, stored.get(k)?.impact_centi ?? 100);
      if (!refreshRoles || !k.startsWith('aad:') || this.breaker.isOpen()) continue;
      try {
        const held = await this.directory.rolesOf(k.slice(4));
        impact.set(k, Math.round(impactOf(held) * 100));
        roles.set(k, JSON.stringify(held));
      } catch (e) {
        this.breaker.trip(e);
        this.log?.warn({ err: { message: (e as Error).message }, user: k }, 'priority: roles unavailable, keeping the last known impact');
      }
    }
    return { impact, roles };
  }

  async stored(db: Db, keys: string[]): Promise<Map<string, UserScoresTable>> {
    const out = new Map<string, UserScoresTable>();
    for (const part of chunks([...new Set(keys)])) {
      for (const r of await db.selectFrom('user_scores').selectAll().where('user_key', 'in', part).execute()) out.set(r.user_key, normalize(r));
    }
    return out;
  }

  /**
   * Rescore users and move their risky state: crossing into risky emits ONE user.risky; dropping
   * below re-arms; a dismissed user re-fires only on a new alert that raises the score further.
   */
  async rescore(trx: Trx, users: Array<string | AlertUser>, cause: string, opts: { percentile?: (centi: number) => number | Promise<number>; refreshRoles?: boolean } = {}): Promise<void> {
    const now = this.clock.now();
    const at = now.toISOString();
    // Sorted: concurrent transactions lock user_scores rows in one order (no deadlocks between them).
    const keys = [...new Set(users.map((u) => (typeof u === 'string' ? u : u.key)))].sort();
    const info = new Map(users.filter((u): u is AlertUser => typeof u !== 'string').map((u) => [u.key, u]));
    const stored = await this.stored(trx, keys);
    const { impact: impacts, roles } = await this.impacts(keys, stored, opts.refreshRoles ?? true);
    const scores = await this.compute(trx, keys, impacts, now);
    // Write every score first, then rank: users scored together see each other's new scores.
    for (const k of keys) {
      const s = scores.get(k)!;
      const prev = stored.get(k);
      const u = info.get(k);
      const identity = {
        display_name: u?.displayName ?? prev?.display_name ?? (u && u.resolution !== 'resolved' ? u.raw : null),
        upn: u?.upn ?? prev?.upn ?? null,
        aad_object_id: u?.aadObjectId ?? prev?.aad_object_id ?? null,
        sam: u?.sam ?? prev?.sam ?? null,
        domain: u?.domain ?? prev?.domain ?? null,
        resolution: u?.resolution ?? prev?.resolution ?? 'unresolved',
        note: u?.note ?? prev?.note ?? null,
      };
      const values = {
        ...identity,
        impact_centi: impacts.get(k) ?? 100,
        roles: roles.get(k) ?? prev?.roles ?? '[]',
        score_centi: s.scoreCenti,
        onprem_centi: s.onpremCenti,
        cloud_centi: s.cloudCenti,
        alert_count: s.alertCount,
        threat_score: s.threatScore ?? prev?.threat_score ?? null,
        scored_at: at,
      };
      if (prev) await trx.updateTable('user_scores').set(values).where('user_key', '=', k).execute();
      else await trx.insertInto('user_scores').values({ user_key: k, ...values, percentile: 0, risky_state: 'none', reasons: '[]' }).onConflict((oc) => oc.column('user_key').doUpdateSet(values)).execute();
    }
    const rank = opts.percentile ?? this.percentileQuery(trx);
    for (const k of keys) {
      const s = scores.get(k)!;
      const prev = stored.get(k);
      const pct = await rank(s.scoreCenti);
      const qualifies = qualifiesAsRisky(s.scoreCenti, pct, this.risky);
      const reasons = topReasons(s.contributions);
      const state = prev?.risky_state ?? 'none';
      const patch: Partial<UserScoresTable> = { percentile: pct };
      let fire = false;
      if (!qualifies && state !== 'none') Object.assign(patch, { risky_state: 'none', risky_since: null });
      else if (qualifies && state === 'none') fire = true;
      else if (qualifies && state === 'dismissed' && cause === 'alert.new' && s.scoreCenti > (prev?.dismissed_score_centi ?? Infinity)) fire = true;
      if (fire) Object.assign(patch, { risky_state: 'risky', risky_since: at, reasons: JSON.stringify(reasons) });
      else if (qualifies && state === 'risky') patch.reasons = JSON.stringify(reasons);
      // Guarded by the state we read: of two instances racing on one user, only one moves it (and notifies).
      const upd = await trx.updateTable('user_scores').set(patch).where('user_key', '=', k).where('risky_state', '=', state).executeTakeFirst();
      if (Number(upd.numUpdatedRows ?? 0n) === 0) fire = false;
      if (!prev || prev.score_centi !== s.scoreCenti) {
        await trx.insertInto('score_history').values({ user_key: k, at, score_centi: s.scoreCenti, percentile: pct, cause }).execute();
      }
      if (fire) {
        const u = info.get(k);
        const detail: RiskyDetail = {
          user: { key: k, displayName: u?.displayName ?? prev?.display_name ?? null, upn: u?.upn ?? prev?.upn ?? null, resolution: u?.resolution ?? prev?.resolution ?? 'unresolved' },
          score: s.scoreCenti / 100,
          percentile: pct,
          onpremScore: s.onpremCenti / 100,
          cloudScore: s.cloudCenti / 100,
          threatScore: s.threatScore ?? prev?.threat_score ?? null,
          thresholds: { ...this.risky },
          reasons,
        };
        this.log?.info({ user: k, score: detail.score, percentile: pct }, 'user crossed into risky');
        await this.events.emit(trx, { type: 'user.risky', userKey: k, at, detail });
      }
    }
  }

  /** Percentile from two index-range counts over the stored scores (cheap inside the ledger transaction). */
  private percentileQuery(trx: Trx): (centi: number) => Promise<number> {
    let scored: number | null = null;
    return async (centi) => {
      if (centi <= 0) return 0;
      const count = async (max?: number) => {
        let q = trx.selectFrom('user_scores').select((eb) => eb.fn.countAll<number>().as('n')).where('score_centi', '>', 0);
        if (max !== undefined) q = q.where('score_centi', '<=', max);
        return Number((await q.executeTakeFirstOrThrow()).n);
      };
      scored ??= await count();
      return percentileFromCounts(await count(centi), scored);
    };
  }

  /**
   * `user.dismiss`: the SOC looked at this user. The risky state clears (audited by the caller);
   * it re-arms when the score drops below, or fires again on a new alert that raises the score.
   */
  async dismiss(trx: Trx, userKey: string, actor: { id: string; name: string }): Promise<{ changed: boolean; row: UserScoresTable | null }> {
    const row = (await this.stored(trx, [userKey])).get(userKey) ?? null;
    if (!row || row.risky_state !== 'risky') return { changed: false, row };
    const patch = { risky_state: 'dismissed' as const, dismissed_at: this.clock.now().toISOString(), dismissed_by_id: actor.id, dismissed_by_name: actor.name, dismissed_score_centi: row.score_centi };
    await trx.updateTable('user_scores').set(patch).where('user_key', '=', userKey).execute();
    return { changed: true, row: { ...row, ...patch } };
  }

  /**
   * Hourly: rescore everyone with a score, alerts in the window, or a risky state, so alerts that
   * aged out lower scores (and re-arm) and percentile shifts are noticed. One transaction.
   */
  async sweep(): Promise<{ users: number }> {
    const now = this.clock.now();
    return this.db.transaction().execute(async (trx) => {
      const fromAlerts = await trx.selectFrom('alert_users').select('user_key').distinct().where('seen_at', '>=', windowStart(now)).execute();
      const fromScores = await trx.selectFrom('user_scores').select('user_key').where((eb) => eb.or([eb('score_centi', '>', 0), eb('risky_state', '!=', 'none')])).execute();
      const keys = [...new Set([...fromAlerts, ...fromScores].map((r) => r.user_key))].sort();
      if (!keys.length) return { users: 0 };
      const stored = await this.stored(trx, keys);
      const scores = await this.compute(trx, keys, new Map(keys.map((k) => [k, stored.get(k)?.impact_centi ?? 100])), now);
      const all = [...scores.values()].map((s) => s.scoreCenti);
      // Rank against the complete new set (not half-updated stored scores); roles come from the last event.
      await this.rescore(trx, keys, 'sweep', { percentile: (c) => percentileOf(c, all), refreshRoles: false });
      return { users: keys.length };
    });
  }
}

function normalize(r: UserScoresTable): UserScoresTable {
  const n = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return { ...r, impact_centi: Number(r.impact_centi), score_centi: Number(r.score_centi), onprem_centi: Number(r.onprem_centi), cloud_centi: Number(r.cloud_centi), percentile: Number(r.percentile), alert_count: Number(r.alert_count), threat_score: n(r.threat_score), dismissed_score_centi: n(r.dismissed_score_centi) };
}
