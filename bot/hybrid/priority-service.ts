import type { Kysely } from 'kysely';
import type { Clock } from '../clock';
import type { Directory } from '../directory/directory';
import type { EventHooks, HybridEvent, Trx } from '../events';
import type { Logger } from '../log';
import type { Schema, ScoreHistoryTable, UserScoresTable } from '../store/schema';
import type { Dialect } from '../store/store';
import type { AlertRow, AlertUser } from './alert';
import { Breaker } from './breaker';
import type { ChainLink } from './chain';
import { Evidence, parseList } from './evidence';
import { impactOf, percentileOf, scoreUser, windowStart, type UserScore } from './priority';
import { explain, nextRiskyState, type RiskReason, type RiskyConfig, type RiskyState } from './risky';
import { RoleCache } from './role-cache';
import { ScoreRows, type ScoreWrite } from './score-rows';
import type { Tactic } from './tactics';

type Db = Kysely<Schema> | Trx;
const SCORING = new Set(['alert.new', 'alert.updated', 'alert.changed']);

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

const typesOf = (s: UserScore): string[] => s.groups.flatMap((g) => g.types.map((t) => t.type)).sort();

/**
 * Keeps alert_users and user_scores current. Runs inside the ledger's transaction on every
 * alert.new / alert.updated / alert.changed, touching only the alert's users; in a batch (the on-prem
 * ingestor's transactions) set-based: evidence for all alerts in a few statements, and each user
 * rescored once at the batch's end. An hourly sweep catches users whose alerts aged out.
 */
export class PriorityService {
  private readonly breaker: Breaker;
  private readonly roles: RoleCache;
  private readonly rows: ScoreRows;
  readonly evidence = new Evidence();

  constructor(
    private readonly db: Kysely<Schema>,
    directory: Directory,
    private readonly clock: Clock,
    private readonly events: EventHooks,
    private readonly risky: RiskyConfig,
    dialect: Dialect,
    private readonly log?: Logger,
  ) {
    this.breaker = new Breaker(clock);
    this.roles = new RoleCache(directory, clock, this.breaker, log);
    this.rows = new ScoreRows(dialect);
  }

  async onEvent(trx: Trx, e: HybridEvent): Promise<void> {
    if (e.type !== 'alert.new' && e.type !== 'alert.updated' && e.type !== 'alert.changed') return;
    const users = await this.syncAlert(trx, e.alert, e.type === 'alert.new');
    if (!users.length) return;
    this.queue(trx, users, e.type);
    if (!this.events.later(trx, 'priority.rescore', () => this.flush(trx))) {
      this.pending.delete(trx);
      await this.rescore(trx, users, e.type);
    }
  }

  /**
   * A batch of events (EventHooks.emitAll), with onEvent's meaning for each: the evidence of all the
   * alerts in one set-based sync, then the batch's users rescored once at its end. Outside a batch
   * (nothing to defer to) each event goes through onEvent.
   */
  async onEvents(trx: Trx, events: HybridEvent[]): Promise<void> {
    const scoring = events.filter((e): e is Extract<HybridEvent, { type: 'alert.new' | 'alert.updated' | 'alert.changed' }> => SCORING.has(e.type));
    if (!scoring.length) return;
    if (!this.events.later(trx, 'priority.rescore', () => this.flush(trx))) {
      for (const e of scoring) await this.onEvent(trx, e);
      return;
    }
    const users = await this.evidence.syncMany(trx, scoring.map((e) => ({ alert: e.alert, isNew: e.type === 'alert.new' })));
    scoring.forEach((e, i) => users[i].length && this.queue(trx, users[i], e.type));
  }

  /** Roles of these users into the cache, before a batch's transaction opens (Ledger.beforeBatch). */
  prefetchRoles(users: readonly AlertUser[]): Promise<void> {
    return this.roles.load(users.map((u) => u.key));
  }

  private readonly pending = new WeakMap<object, Map<string, { user: AlertUser; cause: string }>>();

  private queue(trx: Trx, users: AlertUser[], cause: string): void {
    let pending = this.pending.get(trx);
    if (!pending) this.pending.set(trx, (pending = new Map()));
    for (const u of users) if (!pending.has(u.key) || cause === 'alert.new') pending.set(u.key, { user: u, cause });
  }

  /** The batch's end: lock every user of the batch once (key order), then one rescore per cause. */
  private async flush(trx: Trx): Promise<void> {
    const batch = this.pending.get(trx);
    this.pending.delete(trx);
    if (!batch) return;
    const stored = await this.rows.lock(trx, [...batch.keys()], this.clock.now().toISOString());
    // One rescore per cause keeps the dismissed-user rule (re-fire only on alert.new) exact.
    for (const cause of ['alert.new', 'alert.updated', 'alert.changed']) {
      const group = [...batch.values()].filter((x) => x.cause === cause).map((x) => x.user);
      if (group.length) await this.rescore(trx, group, cause, { stored });
    }
  }

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

  /** Impact from the directory's roles (cached; misses asked concurrently); when it cannot answer, the last known impact (fail soft). */
  private async impacts(keys: string[], stored: Map<string, UserScoresTable>, refreshRoles: boolean): Promise<{ impact: Map<string, number>; roles: Map<string, string> }> {
    const impact = new Map<string, number>();
    const roles = new Map<string, string>();
    if (refreshRoles) await this.roles.load(keys);
    for (const k of keys) {
      impact.set(k, stored.get(k)?.impact_centi ?? 100);
      const held = refreshRoles ? this.roles.get(k) : undefined;
      if (!held) continue;
      impact.set(k, Math.round(impactOf(held) * 100));
      roles.set(k, JSON.stringify(held));
    }
    return { impact, roles };
  }

  stored(db: Db, keys: string[]): Promise<Map<string, UserScoresTable>> {
    return this.rows.read(db, keys);
  }

  /**
   * Rescore users and move their risky state (bot/hybrid/risky.ts): crossing in emits ONE user.risky;
   * held while the evidence stands; re-armed only below RISKY_REARM_SCORE; a dismissed user re-fires
   * only on a new alert of a detection type not seen at dismissal. Set-based: the users' rows locked
   * (PostgreSQL) and read, evidence read, one upsert and one history insert per chunk, one query for
   * every percentile; only a user whose risky state moves costs a statement of its own.
   */
  async rescore(
    trx: Trx,
    users: Array<string | AlertUser>,
    cause: string,
    opts: { percentile?: (centi: number) => number; refreshRoles?: boolean; scores?: Map<string, UserScore>; stored?: Map<string, UserScoresTable> } = {},
  ): Promise<void> {
    const now = this.clock.now();
    const at = now.toISOString();
    const keys = [...new Set(users.map((u) => (typeof u === 'string' ? u : u.key)))].sort();
    const info = new Map(users.filter((u): u is AlertUser => typeof u !== 'string').map((u) => [u.key, u]));
    // Locked before the evidence is read: a concurrent rescore of these users has committed or waits.
    const stored = opts.stored ?? (await this.rows.lock(trx, keys, at));
    const { impact: impacts, roles } = await this.impacts(keys, stored, opts.refreshRoles ?? true);
    const scores = opts.scores ?? (await this.compute(trx, keys, impacts, now));
    // Ranked as if after the write: users scored together see each other's new scores.
    const rank = opts.percentile ?? (await this.rows.ranks(trx, new Map(keys.map((k) => [k, scores.get(k)!.scoreCenti])), stored));
    const writes: ScoreWrite[] = [];
    const history: ScoreHistoryTable[] = [];
    const moves: Array<{ k: string; s: UserScore; prev: UserScoresTable | undefined; state: RiskyState; next: { state: RiskyState; fire: boolean }; pct: number; why: ReturnType<typeof explain> }> = [];
    for (const k of keys) {
      const s = scores.get(k)!;
      const prev = stored.get(k);
      const u = info.get(k);
      const values = {
        display_name: u?.displayName ?? prev?.display_name ?? (u && u.resolution !== 'resolved' ? u.raw : null),
        upn: u?.upn ?? prev?.upn ?? null,
        aad_object_id: u?.aadObjectId ?? prev?.aad_object_id ?? null,
        sam: u?.sam ?? prev?.sam ?? null,
        domain: u?.domain ?? prev?.domain ?? null,
        resolution: u?.resolution ?? prev?.resolution ?? 'unresolved',
        note: u?.note ?? prev?.note ?? null,
        impact_centi: impacts.get(k) ?? 100,
        roles: roles.get(k) ?? prev?.roles ?? '[]',
        score_centi: s.scoreCenti,
        onprem_centi: s.onpremCenti,
        cloud_centi: s.cloudCenti,
        alert_count: s.alertCount,
        threat_score: s.threatScore ?? prev?.threat_score ?? null,
        tactics: JSON.stringify(s.tactics),
        chain: s.chain ? JSON.stringify(s.chain) : null,
      };
      const pct = rank(s.scoreCenti);
      const state: RiskyState = prev?.risky_state ?? 'none';
      const why = explain(s, this.risky);
      const next = nextRiskyState({ state, dismissedTypes: prev?.dismissed_types ? parseList(prev.dismissed_types) : null }, { ...s, types: typesOf(s) }, cause, this.risky);
      const reasons = next.state !== 'none' ? JSON.stringify(why.reasons) : prev?.reasons ?? '[]';
      // The hourly sweep rescores everyone: write only what moved (scored_at = when the score last changed).
      const moved = !prev || !unchanged(prev, values);
      if (moved || prev.percentile !== pct || prev.reasons !== reasons) writes.push({ user_key: k, ...values, percentile: pct, reasons, scored_at: moved ? at : prev.scored_at });
      if (!prev || prev.score_centi !== s.scoreCenti) history.push({ user_key: k, at, score_centi: s.scoreCenti, percentile: pct, cause });
      if (next.fire || next.state !== state) moves.push({ k, s, prev, state, next, pct, why });
    }
    await this.rows.write(trx, writes);
    await this.rows.history(trx, history);
    for (const { k, s, prev, state, next, pct, why } of moves) {
      // Guarded by the state we read: of two instances racing on one user, only one moves it (and notifies).
      const upd = await trx.updateTable('user_scores').set({ risky_state: next.state, risky_since: next.state === 'risky' ? at : null }).where('user_key', '=', k).where('risky_state', '=', state).executeTakeFirst();
      if (!next.fire || Number(upd.numUpdatedRows ?? 0n) === 0) continue;
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
      // Locked (PostgreSQL) before the evidence is read, as a rescore does.
      const stored = await this.rows.lock(trx, keys, now.toISOString());
      const scores = await this.compute(trx, keys, new Map(keys.map((k) => [k, stored.get(k)?.impact_centi ?? 100])), now);
      const all = [...scores.values()].map((s) => s.scoreCenti);
      // Rank against the complete new set (not half-updated stored scores); roles come from the last event.
      await this.rescore(trx, keys, 'sweep', { percentile: (c) => percentileOf(c, all), refreshRoles: false, scores, stored });
      return { users: keys.length };
    });
  }
}

const SCORE_FIELDS = ['display_name', 'upn', 'aad_object_id', 'sam', 'domain', 'resolution', 'note', 'impact_centi', 'roles', 'score_centi', 'onprem_centi', 'cloud_centi', 'alert_count', 'threat_score', 'tactics', 'chain'] as const;
function unchanged(prev: UserScoresTable, next: Pick<UserScoresTable, (typeof SCORE_FIELDS)[number]>): boolean {
  return SCORE_FIELDS.every((f) => (prev[f] ?? null) === (next[f] ?? null));
}

