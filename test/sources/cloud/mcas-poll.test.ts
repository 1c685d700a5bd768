import { makeMcasAlert } from '../../fakes/mcas';
import { makeMessage, USERS } from '../../helpers/activities';
import { cardText, expectValidCard } from '../../helpers/cards';
import { startTestApp } from '../../helpers/test-app';
import type { CloudFeature } from '../../../bot/sources/cloud/cloud-feature';
import { hex24, startCloudRig, type CloudRig } from './cloud-helpers';

const T0 = Date.parse('2026-03-01T12:00:00.000Z');

/** n alerts; `ts(i)` gives alert i's offset in ms from T0 (equal offsets = equal timestamps). */
const alerts = (n: number, ts: (i: number) => number, prefix = 'a') =>
  Array.from({ length: n }, (_, i) => makeMcasAlert({ _id: hex24(i, prefix), timestamp: T0 + ts(i), title: `Alert ${prefix}${i}` }));

async function ledgerCloudIds(rig: CloudRig): Promise<string[]> {
  const rows = await rig.t.app.store.db.selectFrom('alerts').select(['cloud_id', 'trigger_count']).where('cloud_id', 'is not', null).execute();
  expect(rows.every((r) => Number(r.trigger_count) === 1)).toBe(true);
  return rows.map((r) => r.cloud_id!).sort();
}

describe('Cloud App Security poller against the fake API (real app, real HTTP)', () => {
  let rig: CloudRig;
  afterEach(async () => {
    await rig?.close();
  });

  test('paging: equal timestamps across page and poll boundaries are neither lost nor repeated', async () => {
    // 250 alerts; 90..115 share one millisecond (spans the 100 boundary), 190..260 another (spans 200 and the end).
    const ts = (i: number) => (i >= 90 && i <= 115 ? 90 : i >= 190 ? 190 : i);
    rig = await startCloudRig({ alerts: alerts(250, ts) });
    const events: string[] = [];
    rig.t.app.services.events.on(async (_trx, e) => void events.push(e.type));

    const r1 = await rig.cloud().pollOnce();
    expect(r1.error).toBeUndefined();
    expect(r1.new).toBe(250);
    expect(r1.rejected).toEqual([]);
    expect(await ledgerCloudIds(rig)).toEqual(rig.fake.alerts.map((a) => a._id).sort());

    // Every list call: the documented body, limit ≤ 100, date gte cursor, ascending.
    for (const req of rig.fake.alertRequests()) {
      expect(req.body).toMatchObject({ sortField: 'date', sortDirection: 'asc', limit: 100 });
      expect(typeof req.body.filters.date.gte).toBe('number');
    }

    // More alerts at the very millisecond the cursor stopped at, plus later ones: only those are new.
    rig.fake.alerts.push(...alerts(30, (i) => (i < 20 ? 190 : 1000 + i), 'b'));
    const r2 = await rig.cloud().pollOnce();
    expect(r2.error).toBeUndefined();
    expect(r2.new).toBe(30);
    expect(r2.duplicates).toBe(0);
    expect(await ledgerCloudIds(rig)).toHaveLength(280);

    // Nothing new: one request, nothing recorded.
    const before = rig.fake.alertRequests().length;
    const r3 = await rig.cloud().pollOnce();
    expect(r3).toMatchObject({ new: 0, updated: 0, duplicates: 0 });
    expect(rig.fake.alertRequests().length - before).toBe(1);
    expect(events.filter((e) => e === 'alert.new')).toHaveLength(280);
    expect(events).not.toContain('alert.updated');
  });

  test('restart in the middle of a poll resumes from the durable cursor', async () => {
    rig = await startCloudRig({ alerts: alerts(450, (i) => (i >= 195 && i <= 205 ? 195 : i)) });
    // Two pages succeed, then the server fails for longer than one poll retries.
    rig.fake.passNext(2);
    rig.fake.failNext(8, { status: 500 });
    const r1 = await rig.cloud().pollOnce();
    expect(r1.error?.status).toBe(500);
    // Page 2 re-reads the cursor's millisecond (alert 99) as overlap: 100 + 99 new.
    expect(r1.new).toBe(199);
    await rig.t.restart();

    const r2 = await rig.cloud().pollOnce();
    expect(r2.error).toBeUndefined();
    expect(r2.new).toBe(251);
    expect(await ledgerCloudIds(rig)).toEqual(rig.fake.alerts.map((a) => a._id).sort());
    // The first request after the restart starts at the cursor, not from the beginning.
    const afterRestart = rig.fake.alertRequests().filter((e) => e.status === 200).slice(2)[0];
    expect(afterRestart.body.filters.date.gte).toBe(T0 + 195); // the tie group 195..205 straddles the failure
  });

  test('restart while a page request is in flight: the page is dropped, then read again exactly once', async () => {
    rig = await startCloudRig({ alerts: alerts(300, (i) => (i >= 95 ? Math.min(i, 105) : i)) });
    rig.fake.passNext(1);
    rig.fake.script.push({ status: 200, pass: true, delayMs: 400 });
    const inflight = rig.cloud().pollOnce();
    for (let i = 0; i < 500 && rig.fake.alertRequests().length < 1; i++) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 50)); // page 2 is now held by the server
    await rig.t.restart();
    const first = await inflight;
    expect(first.error).toBeUndefined();
    expect(first.new).toBe(100);
    const r2 = await rig.cloud().pollOnce();
    expect(r2.error).toBeUndefined();
    expect(r2.new).toBe(200);
    expect(await ledgerCloudIds(rig)).toEqual(rig.fake.alerts.map((a) => a._id).sort());
  });

  test('two instances on one database: only the poll-lease holder polls; the other takes over after stop', async () => {
    rig = await startCloudRig({ alerts: alerts(120, (i) => i) });
    const second = await startTestApp({ clock: rig.clock, db: rig.t.db, env: rig.t.env });
    const secondCloud = second.app.features.find((f) => f.name === 'cloud') as CloudFeature;
    try {
      expect((await rig.cloud().pollOnce()).new).toBe(120);
      const before = rig.fake.log.length;
      expect(await secondCloud.pollOnce()).toMatchObject({ skipped: true, pages: 0 });
      expect(rig.fake.log.length).toBe(before);
      rig.fake.alerts.push(...alerts(5, (i) => 500 + i, 'b'));
      await rig.t.app.stop(); // releases the lease
      const taken = await secondCloud.pollOnce();
      expect(taken.skipped).toBeUndefined();
      expect(taken.new).toBe(5);
    } finally {
      await second.close();
      await rig.t.restart(); // so the rig's own close() has a running app to stop
    }
  });

  test('a 429 storm: backs off honouring Retry-After, then finishes; the budget is never exceeded', async () => {
    rig = await startCloudRig({ alerts: alerts(300, (i) => i) });
    rig.fake.passNext(1);
    rig.fake.failNext(5, { status: 429, retryAfter: '20' });
    rig.fake.failNext(2, { status: 503, retryAfter: new Date(rig.clock.now().getTime() + 60_000).toUTCString() });
    const r = await rig.cloud().pollOnce();
    expect(r.error).toBeUndefined();
    expect(await ledgerCloudIds(rig)).toHaveLength(300);
    const log = rig.fake.log;
    const i429 = log.findIndex((e) => e.status === 429);
    for (let i = i429; i < i429 + 5; i++) expect(log[i + 1].at - log[i].at).toBeGreaterThanOrEqual(20_000);
    expect(log.filter((e) => e.refused === 'rate')).toHaveLength(0);
    expect(rig.fake.maxInWindow()).toBeLessThanOrEqual(30);
    const metrics = await (await fetch(`${rig.t.url}/metrics`)).text();
    expect(metrics).toMatch(/hybridwatch_mcas_throttled_total 5/);
  });

  test('network errors back off and recover', async () => {
    rig = await startCloudRig({ alerts: alerts(120, (i) => i) });
    rig.fake.failNext(3, { status: 0, drop: true });
    const r = await rig.cloud().pollOnce();
    expect(r.error).toBeUndefined();
    expect(await ledgerCloudIds(rig)).toHaveLength(120);
    expect(rig.clock.slept).toBeGreaterThan(0);
  });

  test('401: the poll fails with the fix, and the status card shows it', async () => {
    rig = await startCloudRig({ token: 'wrong', alerts: alerts(5, (i) => i) });
    const r = await rig.cloud().pollOnce();
    expect(r.error?.status).toBe(401);
    expect(rig.fake.log).toHaveLength(1); // no retries for an auth failure
    rig.t.connector.clear();
    const res = await rig.t.post(makeMessage('status', USERS.securityReader, rig.t.connector.url));
    expect(res.status).toBe(200);
    const card = rig.t.connector.cards()[0];
    expectValidCard(card);
    const text = cardText(card);
    expect(text).toMatch(/token invalid or lacks Investigation permissions/);
    expect(text).toMatch(/HTTP 401/);
    expect(text).not.toContain('wrong');
  });

  test('status card after a good poll: last poll and alerts received', async () => {
    rig = await startCloudRig({ alerts: alerts(7, (i) => i) });
    await rig.cloud().pollOnce();
    rig.t.connector.clear();
    await rig.t.post(makeMessage('status', USERS.securityReader, rig.t.connector.url));
    const text = cardText(rig.t.connector.cards()[0]);
    expect(text).toMatch(/last poll .*7 alerts received/);
    expect(text).not.toMatch(/Cloud source error/);
    expect((await rig.t.app.services.integration.get()).lastCloudAt).toBe(rig.clock.now().toISOString());
  });

  test('malformed alert objects are rejected with a reason; the rest of the page is kept', async () => {
    const good = alerts(6, (i) => i * 10);
    const bad = [
      null,
      [1, 2],
      'alert',
      { ...makeMcasAlert({ _id: hex24(100, 'c'), timestamp: T0 + 15 }), severityValue: 7 },
      { ...makeMcasAlert({ _id: hex24(101, 'c'), timestamp: T0 + 25 }), title: '' },
      { ...makeMcasAlert({ timestamp: T0 + 35 }), _id: undefined },
      { ...makeMcasAlert({ _id: hex24(102, 'c') }), timestamp: '2026-03-01' },
      { ...makeMcasAlert({ _id: hex24(103, 'c'), timestamp: T0 + 45 }), entities: 'nope' },
    ];
    rig = await startCloudRig({ alerts: [...good.slice(0, 3), ...bad, ...good.slice(3)] });
    const r = await rig.cloud().pollOnce();
    expect(r.new).toBe(6);
    expect(r.rejected.map((x) => x.reason)).toEqual([
      expect.stringMatching(/severityValue/),
      expect.stringMatching(/title/),
      expect.stringMatching(/_id/),
      expect.stringMatching(/entities/),
    ]);
    // (null, arrays, strings and the string timestamp never match `date gte`, so the server never returns
    // them.) What came back bad was reported once: the cursor moved past it.
    const again = await rig.cloud().pollOnce();
    expect(again.rejected).toEqual([]);
    expect(await ledgerCloudIds(rig)).toHaveLength(6);
  });
});
