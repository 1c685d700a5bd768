import { FakeClock } from '../../bot/clock';
import { EventHooks, type HybridEvent } from '../../bot/events';
import { Ledger } from '../../bot/hybrid/ledger';
import type { NormalizedAlert } from '../../bot/hybrid/alert';
import { openStore, type Store } from '../../bot/store/store';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { makeAlert, retrigger } from '../helpers/alerts';

/** recordManyIn must mean exactly what recordIn one by one means: outcomes, rows and events. */
describe('Ledger.recordManyIn (batched) ≡ recordIn one by one', () => {
  const dbs: TestDatabase[] = [];
  const stores: Store[] = [];
  afterAll(async () => {
    for (const s of stores) await s.close();
    for (const d of dbs) await d.drop();
  });

  async function ledger() {
    const db = await createTestDatabase();
    dbs.push(db);
    const store = await openStore({ databaseUrl: db.databaseUrl, dataDir: db.dataDir });
    stores.push(store);
    const events = new EventHooks();
    const seen: string[] = [];
    events.on(async (_trx, e: HybridEvent) => {
      if (e.type === 'alert.new' || e.type === 'alert.updated') seen.push(`${e.type} ${e.alert.id} x${e.alert.trigger_count}`);
    });
    return { store, seen, events, ledger: new Ledger(store.db, new FakeClock(), events) };
  }

  test('new, duplicates and re-triggers inside one batch and against existing rows', async () => {
    const a = makeAlert();
    const b = makeAlert({ source: 'cloud', sourceId: 'c0ffee0000000000000000aa' });
    const c = makeAlert();
    const earlier = makeAlert();
    const batch: NormalizedAlert[] = [
      a,
      b,
      a, // same bytes again: duplicate
      retrigger(a, { seenAt: '2026-03-02T09:05:00.000Z', cnt: 9 }), // re-trigger of an alert new in this batch
      retrigger(earlier, { seenAt: '2026-03-02T10:00:00.000Z' }), // re-trigger of an existing row
      earlier, // old bytes, not the last: a change
      c,
    ];
    const one = await ledger();
    const many = await ledger();
    for (const l of [one, many]) await l.ledger.record(earlier);

    const seq = await one.store.db.transaction().execute(async (trx) => {
      const out = [];
      for (const x of batch) out.push((await one.ledger.recordIn(trx, x)).outcome);
      return out;
    });
    const batched = await many.store.db.transaction().execute(async (trx) => (await many.ledger.recordManyIn(trx, batch)).map((r) => r.outcome));
    expect(batched).toEqual(seq);
    expect(batched).toEqual(['new', 'new', 'duplicate', 'updated', 'updated', 'updated', 'new']);
    expect(many.seen).toEqual(one.seen);

    const rows = async (s: Store) => (await s.db.selectFrom('alerts').select(['id', 'trigger_count', 'cnt', 'last_seen', 'first_seen', 'last_hash', 'hosts', 'severity', 'description', 'threat_score', 'tactics', 'updated_at']).orderBy('id').execute()).map((r) => ({ ...r, trigger_count: Number(r.trigger_count) }));
    expect(await rows(many.store)).toEqual(await rows(one.store));
  });

  test('an id another writer inserted meanwhile is treated as existing, not lost or doubled', async () => {
    const l = await ledger();
    const x = makeAlert();
    const y = makeAlert();
    const out = await l.store.db.transaction().execute(async (trx) => {
      // The other writer's row appears after our lookup would have run: simulate by inserting first.
      await l.ledger.recordIn(trx, x);
      return (await l.ledger.recordManyIn(trx, [x, y, retrigger(x)])).map((r) => r.outcome);
    });
    expect(out).toEqual(['duplicate', 'new', 'updated']);
    expect(Number((await l.store.db.selectFrom('alerts').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n)).toBe(2);
  });

  test('a batch goes to batch listeners in one call, in message order; an alert new and re-triggered in one batch: new before updated', async () => {
    const l = await ledger();
    const calls: string[][] = [];
    const name = (e: HybridEvent) => (e.type === 'alert.new' || e.type === 'alert.updated' ? `${e.type} ${e.alert.id}` : e.type);
    l.events.on(
      async (_trx, e) => void calls.push([name(e)]),
      async (_trx, es) => void calls.push(es.map(name)),
    );
    const a = makeAlert();
    const b = makeAlert();
    const c = makeAlert();
    const d = makeAlert();
    await l.store.db.transaction().execute((trx) => l.ledger.recordManyIn(trx, [a, b, retrigger(a, { cnt: 5 }), c, d]));
    const id = (x: NormalizedAlert) => `atp:${x.sourceId}`;
    expect(calls).toEqual([[`alert.new ${id(a)}`, `alert.new ${id(b)}`, `alert.updated ${id(a)}`, `alert.new ${id(c)}`, `alert.new ${id(d)}`]]);
    // The plain listener saw the same order.
    expect(l.seen).toEqual([`alert.new ${id(a)} x1`, `alert.new ${id(b)} x1`, `alert.updated ${id(a)} x2`, `alert.new ${id(c)} x1`, `alert.new ${id(d)} x1`]);
  });
});
