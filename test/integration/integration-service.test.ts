import { FakeClock, HOUR_MS } from '../../bot/clock';
import { EventHooks, type HybridEvent } from '../../bot/events';
import { IntegrationService, noDataWarning } from '../../bot/integration/integration-service';
import { openStore, type Store } from '../../bot/store/store';
import { createTestDatabase, type TestDatabase } from '../helpers/db';

describe('integration state machine (real database)', () => {
  let db: TestDatabase;
  let store: Store;
  let clock: FakeClock;
  let events: EventHooks;
  let seen: HybridEvent[];
  let svc: IntegrationService;
  const admin = { id: 'admin-1', name: 'Alex Wilber' };

  beforeEach(async () => {
    db = await createTestDatabase();
    store = await openStore({ databaseUrl: db.databaseUrl, dataDir: db.dataDir });
    clock = new FakeClock('2026-03-02T09:00:00.000Z');
    events = new EventHooks();
    seen = [];
    events.on(async (_trx, e) => {
      seen.push(e);
    });
    svc = new IntegrationService(store.db, clock, events);
    await svc.init();
  });
  afterEach(async () => {
    await store.close();
    await db.drop();
  });

  const onPrem = () => store.db.transaction().execute((trx) => svc.onOnPremEvent(trx));

  test('disabled → pending → active → disabled, each transition audited and announced', async () => {
    expect((await svc.get()).state).toBe('disabled');
    expect((await svc.enable(admin)).changed).toBe(true);
    const pending = await svc.get();
    expect(pending).toMatchObject({ state: 'pending', byId: 'admin-1', byName: 'Alex Wilber', enabledAt: '2026-03-02T09:00:00.000Z' });

    clock.advance(60_000);
    expect(await onPrem()).toBe('activated');
    expect(await onPrem()).toBe('accepted');
    const active = await svc.get();
    expect(active.state).toBe('active');
    expect(active.activatedAt).toBe('2026-03-02T09:01:00.000Z');
    expect(active.lastOnPremAt).toBe('2026-03-02T09:01:00.000Z');

    expect((await svc.disable(admin)).changed).toBe(true);
    expect((await svc.get()).state).toBe('disabled');

    expect(seen.map((e) => (e.type === 'integration.changed' ? `${e.from}→${e.to}` : e.type))).toEqual(['disabled→pending', 'pending→active', 'active→disabled']);
    const audit = await store.db.selectFrom('audit_log').select(['action', 'from_state', 'to_state', 'outcome', 'actor_id']).orderBy('at').execute();
    expect(audit).toEqual([
      { action: 'integration.enable', from_state: 'disabled', to_state: 'pending', outcome: 'ok', actor_id: 'admin-1' },
      { action: 'integration.activate', from_state: 'pending', to_state: 'active', outcome: 'ok', actor_id: 'system' },
      { action: 'integration.disable', from_state: 'active', to_state: 'disabled', outcome: 'ok', actor_id: 'admin-1' },
    ]);
  });

  test('while disabled on-prem events are counted as ignored and do not activate', async () => {
    expect(await onPrem()).toBe('ignored');
    expect(await onPrem()).toBe('ignored');
    const s = await svc.get();
    expect(s.state).toBe('disabled');
    expect(s.ignoredCount).toBe(2);
    expect(s.lastOnPremAt).toBeNull();
  });

  test('enable twice (concurrently) transitions once; the second is a no-op', async () => {
    const results = await Promise.all([svc.enable(admin), svc.enable(admin), svc.enable(admin)]);
    expect(results.filter((r) => r.changed)).toHaveLength(1);
    expect(seen).toHaveLength(1);
  });

  test('disable while disabled changes nothing', async () => {
    const r = await svc.disable(admin);
    expect(r.changed).toBe(false);
    expect(seen).toHaveLength(0);
  });

  test('12-hour no-data warning from the injected clock, emitted once', async () => {
    await svc.enable(admin);
    clock.advance(12 * HOUR_MS - 1);
    expect(noDataWarning(await svc.get(), clock.now())).toBe(false);
    expect(await svc.checkNoData()).toBe(false);
    clock.advance(1);
    expect(noDataWarning(await svc.get(), clock.now())).toBe(true);
    expect(await svc.checkNoData()).toBe(true);
    expect(await svc.checkNoData()).toBe(false);
    expect(seen.filter((e) => e.type === 'integration.nodata')).toHaveLength(1);
    await onPrem();
    expect(noDataWarning(await svc.get(), clock.now())).toBe(false);
  });

  test('a listener failure rolls the transition back (nothing announced that did not happen)', async () => {
    events.on(async () => {
      throw new Error('outbox down');
    });
    await expect(svc.enable(admin)).rejects.toThrow('outbox down');
    expect((await svc.get()).state).toBe('disabled');
  });
});
