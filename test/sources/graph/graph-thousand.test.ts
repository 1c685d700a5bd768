import { makeAction, USERS } from '../../helpers/activities';
import { graphTime, makeGraphAlert } from '../../fakes/graph-security';
import { startGraphRig, type GraphRig } from './graph-helpers';

/**
 * Issue 12: 1,000 alerts over many pages with restarts and 429 storms → each exactly once in the ledger,
 * portal edits in between are changes (not new alerts), and the instance never sends more than its
 * per-minute budget (counted by the fake on the shared fake clock).
 */
describe('alerts_v2: 1,000 alerts, restarts, 429 storms → each exactly once', () => {
  let rig: GraphRig;
  afterEach(async () => {
    await rig?.close();
  });

  test('all 1,000 exactly once; edits are changes; ≤ 150 calls a minute', async () => {
    const base = Date.parse('2026-03-02T08:00:00.000Z');
    // Ties: every 7th alert shares its neighbour's timestamp, and a block of 120 shares one.
    const make = (i: number, at: number) => {
      const t = graphTime(at);
      return makeGraphAlert({ id: `k${String(i).padStart(4, '0')}`, title: `Alert ${i}`, serviceSource: i % 3 === 0 ? 'microsoftDefenderForCloudApps' : 'microsoftDefenderForIdentity', createdDateTime: t, lastUpdateDateTime: t, firstActivityDateTime: t, lastActivityDateTime: t });
    };
    const first = Array.from({ length: 600 }, (_, i) => make(i, base + (i >= 300 && i < 420 ? 300 : i % 7 === 0 ? i + 1 : i) * 1000));
    rig = await startGraphRig({ alerts: first });
    rig.fake.maxTop = 50;
    await rig.t.post(makeAction('integration.enable', {}, USERS.globalAdmin, rig.t.connector.url));
    const poll = () => rig.graph().pollOnce();

    // Poll 1: three pages, then a 429 storm longer than one poll's retries; restart.
    rig.fake.passNext(3);
    rig.fake.failNext(8, { status: 429, retryAfter: '15' });
    expect((await poll()).error?.status).toBe(429);
    await rig.t.restart();

    // Poll 2: a storm it rides out (Retry-After, then none: exponential backoff), and server errors.
    rig.fake.failNext(3, { status: 429, retryAfter: '7' });
    rig.fake.passNext(2);
    rig.fake.failNext(3, { status: 429 });
    rig.fake.failNext(2, { status: 503, retryAfter: '3' });
    expect((await poll()).error).toBeUndefined();

    // The portal works some alerts meanwhile; new alerts arrive (ties among them); Graph stops sending nextLinks.
    rig.clock.advance(2 * 60_000);
    for (const i of [5, 305, 599]) rig.fake.edit(`k${String(i).padStart(4, '0')}`, { status: 'inProgress', assignedTo: 'megan@contoso.com' });
    const later = rig.clock.now().getTime();
    rig.fake.alerts.push(...Array.from({ length: 400 }, (_, k) => make(600 + k, later + Math.floor(k / 3) * 10)));
    rig.fake.nextLinks = false;
    await rig.t.restart();
    rig.fake.passNext(4);
    rig.fake.failNext(8, { status: 503 });
    expect((await poll()).error?.status).toBe(503);
    await rig.t.restart();
    rig.fake.nextLinks = true;
    for (let i = 0; i < 3; i++) {
      rig.clock.advance(60_000);
      expect((await poll()).error).toBeUndefined();
    }

    const rows = await rig.t.app.store.db.selectFrom('alerts').select(['graph_id', 'trigger_count', 'assigned_to_name']).where('graph_id', 'is not', null).execute();
    expect(rows).toHaveLength(1000);
    expect(new Set(rows.map((r) => r.graph_id)).size).toBe(1000);
    expect(rows.every((r) => Number(r.trigger_count) === 1)).toBe(true);
    expect(rows.map((r) => r.graph_id).sort()).toEqual(rig.fake.alerts.map((a) => a.id).sort());
    expect(rows.filter((r) => r.assigned_to_name === 'megan@contoso.com')).toHaveLength(3);
    const graphRows = await rig.t.app.store.db.selectFrom('graph_alerts').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(graphRows.n)).toBe(1000);
    expect(rig.fake.calls.filter((c) => c.status === 429).length).toBeGreaterThanOrEqual(14);
    expect(rig.fake.maxInWindow()).toBeLessThanOrEqual(150);
  }, 180_000);
});
