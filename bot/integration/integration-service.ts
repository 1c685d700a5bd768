import type { Kysely } from 'kysely';
import type { Clock } from '../clock';
import { HOUR_MS } from '../clock';
import type { Actor, EventHooks, Trx } from '../events';
import type { IntegrationTable, Schema } from '../store/schema';
import { audit } from './audit';
import { withTransientRetry } from '../store/transient';

export interface IntegrationState {
  state: IntegrationTable['state'];
  since: string;
  byId: string | null;
  byName: string | null;
  enabledAt: string | null;
  activatedAt: string | null;
  lastOnPremAt: string | null;
  lastCloudAt: string | null;
  ignoredCount: number;
  nodataWarnedAt: string | null;
}

/** The seed: "It may take up to 12 hours until the integration takes effect." */
export const NO_DATA_WARNING_MS = 12 * HOUR_MS;

export type Transition = { changed: boolean; from: IntegrationState['state']; state: IntegrationState };
export type OnPremOutcome = 'ignored' | 'accepted' | 'activated';

const ROW = 'atp';

/**
 * disabled → pending (enable) → active (first on-prem event) → disabled (disable).
 * Every transition is a compare-and-set on the current state, so a second click, a Teams retry or
 * another instance racing us changes nothing twice.
 */
export class IntegrationService {
  constructor(private readonly db: Kysely<Schema>, private readonly clock: Clock, private readonly events: EventHooks) {}

  async init(): Promise<void> {
    await this.db
      .insertInto('integration')
      .values({ id: ROW, state: 'disabled', since: this.clock.now().toISOString(), by_id: null, by_name: null, enabled_at: null, activated_at: null, last_onprem_at: null, last_cloud_at: null, ignored_count: 0, nodata_warned_at: null })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
  }

  async get(db: Kysely<Schema> | Trx = this.db): Promise<IntegrationState> {
    const row = await db.selectFrom('integration').selectAll().where('id', '=', ROW).executeTakeFirst();
    if (!row) {
      await this.init();
      return this.get(db);
    }
    return toState(row);
  }

  enable(actor: Actor): Promise<Transition> {
    return this.transition(actor, 'integration.enable', ['disabled'], 'pending');
  }

  disable(actor: Actor): Promise<Transition> {
    return this.transition(actor, 'integration.disable', ['pending', 'active'], 'disabled');
  }

  async recordDenied(actor: Actor, action: string, detail: Record<string, unknown>): Promise<void> {
    const s = await this.get();
    await audit(this.db, { actor, action, outcome: 'denied', from: s.state, to: s.state, detail, at: this.clock.now() });
  }

  private async transition(actor: Actor, action: string, from: IntegrationState['state'][], to: IntegrationState['state']): Promise<Transition> {
    const now = this.clock.now().toISOString();
    return withTransientRetry(() => this.db.transaction().execute(async (trx) => {
      const before = await this.get(trx);
      if (!from.includes(before.state)) {
        await audit(trx, { actor, action, outcome: 'noop', from: before.state, to: before.state, detail: { reason: `already ${before.state}` }, at: this.clock.now() });
        return { changed: false, from: before.state, state: before };
      }
      const res = await trx
        .updateTable('integration')
        .set({
          state: to,
          since: now,
          by_id: actor.id,
          by_name: actor.name,
          ...(to === 'pending' ? { enabled_at: now, activated_at: null, nodata_warned_at: null } : {}),
        })
        .where('id', '=', ROW)
        .where('state', '=', before.state)
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) === 0) {
        const current = await this.get(trx);
        return { changed: false, from: current.state, state: current };
      }
      await audit(trx, { actor, action, outcome: 'ok', from: before.state, to, detail: {}, at: this.clock.now() });
      await this.events.emit(trx, { type: 'integration.changed', from: before.state, to, actor, at: now });
      return { changed: true, from: before.state, state: await this.get(trx) };
    }));
  }

  /**
   * The on-prem source calls this for every event, inside its own transaction. While disabled the
   * event is counted and must not be stored; the first one while pending turns the integration active.
   */
  async onOnPremEvent(trx: Trx, at: Date = this.clock.now()): Promise<OnPremOutcome> {
    const now = at.toISOString();
    const s = await this.get(trx);
    if (s.state === 'disabled') {
      await trx.updateTable('integration').set((eb) => ({ ignored_count: eb('ignored_count', '+', 1) })).where('id', '=', ROW).execute();
      return 'ignored';
    }
    if (s.state === 'pending') {
      const res = await trx
        .updateTable('integration')
        .set({ state: 'active', since: now, activated_at: now, last_onprem_at: now })
        .where('id', '=', ROW)
        .where('state', '=', 'pending')
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) > 0) {
        await audit(trx, { actor: SYSTEM, action: 'integration.activate', outcome: 'ok', from: 'pending', to: 'active', detail: { reason: 'first on-premises event after enabling' }, at });
        await this.events.emit(trx, { type: 'integration.changed', from: 'pending', to: 'active', actor: null, at: now });
        return 'activated';
      }
    }
    // One row every batch of every instance would touch: write it at most once a second so
    // concurrent ingest transactions do not queue behind its row lock.
    const stale = new Date(at.getTime() - 1000).toISOString();
    await trx
      .updateTable('integration')
      .set({ last_onprem_at: now })
      .where('id', '=', ROW)
      .where((eb) => eb.or([eb('last_onprem_at', 'is', null), eb('last_onprem_at', '<', stale)]))
      .execute();
    return 'accepted';
  }

  /** The cloud source calls this after each successful poll or push. */
  async onCloudData(db: Kysely<Schema> | Trx = this.db, at: Date = this.clock.now()): Promise<void> {
    await db.updateTable('integration').set({ last_cloud_at: at.toISOString() }).where('id', '=', ROW).execute();
  }

  /** Emits `integration.nodata` once per enable when 12 h pass in pending; call it from a timer. */
  async checkNoData(): Promise<boolean> {
    const now = this.clock.now();
    return this.db.transaction().execute(async (trx) => {
      const s = await this.get(trx);
      if (!noDataWarning(s, now) || s.nodataWarnedAt) return false;
      const res = await trx.updateTable('integration').set({ nodata_warned_at: now.toISOString() }).where('id', '=', ROW).where('nodata_warned_at', 'is', null).executeTakeFirst();
      if (Number(res.numUpdatedRows) === 0) return false;
      await this.events.emit(trx, { type: 'integration.nodata', enabledAt: s.enabledAt!, at: now.toISOString() });
      return true;
    });
  }
}

export const SYSTEM: Actor = { id: 'system', name: 'Hybridwatch' };

/** Pending for 12 hours or more with no on-prem event: the admin should check the sensors and syslog. */
export function noDataWarning(s: IntegrationState, now: Date): boolean {
  return s.state === 'pending' && !!s.enabledAt && now.getTime() - new Date(s.enabledAt).getTime() >= NO_DATA_WARNING_MS;
}

function toState(r: IntegrationTable): IntegrationState {
  return {
    state: r.state,
    since: r.since,
    byId: r.by_id,
    byName: r.by_name,
    enabledAt: r.enabled_at,
    activatedAt: r.activated_at,
    lastOnPremAt: r.last_onprem_at,
    lastCloudAt: r.last_cloud_at,
    ignoredCount: Number(r.ignored_count),
    nodataWarnedAt: r.nodata_warned_at,
  };
}
