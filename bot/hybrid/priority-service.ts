import type { Kysely } from 'kysely';
import type { Clock } from '../clock';
import type { Directory } from '../directory/directory';
import type { EventHooks, HybridEvent, Trx } from '../events';
import type { Logger } from '../log';
import type { Schema, UserScoresTable } from '../store/schema';
import type { AlertRow, AlertUser } from './alert';
import { Breaker } from './breaker';
import type { ChainLink } from './chain';
import { Evidence, parseList } from './evidence';
import { impactOf, percentileFromCounts, percentileOf, scoreUser, windowStart, type UserScore } from './priority';
import { explain, nextRiskyState, type RiskReason, type RiskyConfig, type RiskyState } from './risky';
import type { Tactic } from './tactics';

type Db = Kysely<Schema> | Trx;
const BATCH = 500;

/** What `user.risky` carries (HybridEvent detail): enough for a card without another query. */
export interface RiskyDetail {
  user: { key: string; displayName: string | null; upn: string | null; resolution: string };
  score: number;
  /** Context only: where the user ranks among scored users (never part of the decision). */
  percentile: number;
  onpremScore: number;
  cloudScore: number;
  threatScore: number | null;
  thresholds: RiskyConfig;
  /** One reason per detection type, strongest first, each with its tactic (group them by tactic to show). */
  reasons: RiskReason[];
  /** Tactics the user's evidence spans, strongest first. */
  tactics: Tactic[];
  /** The hybrid chain seen (on-premises → cloud), if any. */
  chain: ChainLink | null;
  fullChain: boolean;
  qualifiedBy: 'fullChain' | 'score' | null;
  typeCount: number;
}

const chunks = <T>(xs: T[], n = BATCH): T[][] => Array.from({ length: Math.ceil(xs.length / n) }, (_, i) => xs.slice(i * n, i * n + n));
const typesOf = (s: UserScore): string[] => s.groups.flatMap((g) => g.types.map((t) => t.type)).sort();

/**
 * Keeps alert_users and user_scores current. Runs inside the ledger's transaction on every
 * alert.new / alert.updated / alert.changed, touching only the alert's users (plus two counts for the
 * percentile shown as context); an hourly sweep catches users whose alerts aged out.
 */
export class PriorityService {
  private readonly breaker: Breaker;
  readonly evidence = new Evidence();

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

  /** One row per (alert, user) with what the model needs (bot/hybrid/evidence.ts). */
  syncAlert(trx: Trx, a: AlertRow, isNew = false): Promise<AlertUser[]> {
    return this.evidence.sync(trx, a, isNew);
  }

  /** Current scores of these users from the alert_users window (no writes). */
  async compute(db: Db, keys: string[], impacts: Map<string, number>, now = this.clock.now()): Promise<Map<string, UserScore>> {
    const byUser = await this.evidence.read(db, keys, now);
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
   * Rescore users and move their risky state (bot/hybrid/risky.ts): crossing in emits ONE user.risky;
   * held while the evidence stands; re-armed only below RISKY_REARM_SCORE; a dismissed user re-fires
   * only on a new alert of a detection type not seen at dismissal.
   */
  async rescore(
    trx: Trx,
    users: Array<string | AlertUser>,
    cause: string,
    opts: { percentile?: (centi: number) => number | Promise<number>; refreshRoles?: boolean; scores?: Map<string, UserScore> } = {},
  ): Promise<void> {
    const now = this.clock.now();
    const at = now.toISOString();
    // Sorted: concurrent transactions lock user_scores rows in one order (no deadlocks between them).
    const keys = [...new Set(users.map((u) => (typeof u === 'string' ? u : u.key)))].sort();
    const info = new Map(users.filter((u): u is AlertUser => typeof u !== 'string').map((u) => [u.key, u]));
    const stored = await this.stored(trx, keys);
    const { impact: impacts, roles } = await this.impacts(keys, stored, opts.refreshRoles ?? true);
    const scores = opts.scores ?? (await this.compute(trx, keys, impacts, now));
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
        tactics: JSON.stringify(s.tactics),
        chain: s.chain ? JSON.stringify(s.chain) : null,
        scored_at: at,
      };
      // The hourly sweep rescores everyone: write only what moved (scored_at = when the score last changed).
      if (prev && unchanged(prev, values)) continue;
      if (prev) await trx.updateTable('user_scores').set(values).where('user_key', '=', k).execute();
      else await trx.insertInto('user_scores').values({ user_key: k, ...values, percentile: 0, risky_state: 'none', reasons: '[]' }).onConflict((oc) => oc.column('user_key').doUpdateSet(values)).execute();
    }
    const rank = opts.percentile ?? this.percentileQuery(trx);
    for (const k of keys) {
      const s = scores.get(k)!;
      const prev = stored.get(k);
      const pct = await rank(s.scoreCenti);
      const state: RiskyState = prev?.risky_state ?? 'none';
      const why = explain(s, this.risky);
      const next = nextRiskyState({ state, dismissedTypes: prev?.dismissed_types ? parseList(prev.dismissed_types) : null }, { ...s, types: typesOf(s) }, cause, this.risky);
      const patch: Partial<UserScoresTable> = {};
      if (!prev || prev.percentile !== pct) patch.percentile = pct;
      if (next.state !== state) Object.assign(patch, { risky_state: next.state, risky_since: next.state === 'risky' ? at : null });
      if (next.state !== 'none') {
        const reasons = JSON.stringify(why.reasons);
        if (reasons !== prev?.reasons) patch.reasons = reasons;
      }
      if (!prev || prev.score_centi !== s.scoreCenti) {
        await trx.insertInto('score_history').values({ user_key: k, at, score_centi: s.scoreCenti, percentile: pct, cause }).execute();
      }
      let fire = next.fire;
      if (!fire && !Object.keys(patch).length) continue;
      // Guarded by the state we read: of two instances racing on one user, only one moves it (and notifies).
      const upd = await trx.updateTable('user_scores').set(patch).where('user_key', '=', k).where('risky_state', '=', state).executeTakeFirst();
      if (Number(upd.numUpdatedRows ?? 0n) === 0) fire = false;
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
          reasons: why.reasons,
          tactics: why.tactics,
          chain: why.chain,
          fullChain: why.fullChain,
          qualifiedBy: why.qualifiedBy,
          typeCount: why.typeCount,
        };
        this.log?.info({ user: k, score: detail.score, tactics: detail.tactics, chain: !!detail.chain, fullChain: detail.fullChain }, 'user crossed into risky');
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
   * `user.dismiss`: the SOC looked at this user. The risky state clears (audited by the caller); it
   * re-arms when the score falls below RISKY_REARM_SCORE, or fires again on a new alert of a detection
   * type the user did not have when dismissed (the types are remembered now).
   */
  async dismiss(trx: Trx, userKey: string, actor: { id: string; name: string }): Promise<{ changed: boolean; row: UserScoresTable | null }> {
    const row = (await this.stored(trx, [userKey])).get(userKey) ?? null;
    if (!row || row.risky_state !== 'risky') return { changed: false, row };
    const now = this.clock.now();
    const current = (await this.compute(trx, [userKey], new Map([[userKey, row.impact_centi]]), now)).get(userKey)!;
    const patch = {
      risky_state: 'dismissed' as const,
      dismissed_at: now.toISOString(),
      dismissed_by_id: actor.id,
      dismissed_by_name: actor.name,
      dismissed_score_centi: row.score_centi,
      dismissed_types: JSON.stringify(typesOf(current)),
    };
    await trx.updateTable('user_scores').set(patch).where('user_key', '=', userKey).execute();
    return { changed: true, row: { ...row, ...patch } };
  }

  /**
   * Hourly: rescore everyone with a score, alerts in the window, or a risky state, so alerts that
   * aged out lower scores (and re-arm) and the percentile shown stays current. One transaction.
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
      await this.rescore(trx, keys, 'sweep', { percentile: (c) => percentileOf(c, all), refreshRoles: false, scores });
      return { users: keys.length };
    });
  }
}

const SCORE_FIELDS = ['display_name', 'upn', 'aad_object_id', 'sam', 'domain', 'resolution', 'note', 'impact_centi', 'roles', 'score_centi', 'onprem_centi', 'cloud_centi', 'alert_count', 'threat_score', 'tactics', 'chain'] as const;
function unchanged(prev: UserScoresTable, next: Pick<UserScoresTable, (typeof SCORE_FIELDS)[number]>): boolean {
  return SCORE_FIELDS.every((f) => (prev[f] ?? null) === (next[f] ?? null));
}

function normalize(r: UserScoresTable): UserScoresTable {
  const n = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return { ...r, impact_centi: Number(r.impact_centi), score_centi: Number(r.score_centi), onprem_centi: Number(r.onprem_centi), cloud_centi: Number(r.cloud_centi), percentile: Number(r.percentile), alert_count: Number(r.alert_count), threat_score: n(r.threat_score), dismissed_score_centi: n(r.dismissed_score_centi) };
}
