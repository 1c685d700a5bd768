import { McasError } from '../../../bot/errors';
import { makeMcasAlert } from '../../fakes/mcas';
import { makeAction, USERS } from '../../helpers/activities';
import { hex24, startCloudRig, type CloudRig } from './cloud-helpers';

const T0 = Date.parse('2026-03-01T00:00:00.000Z');

/**
 * Issue 4 "done when": 1,000 alerts against the fake, restarts and 429 storms in between → all 1,000 in
 * the ledger exactly once, never more than 30 requests in any minute (from the fake's own log, on the
 * shared fake clock), and closing an alert closes it on the server.
 */
describe('Cloud App Security: 1,000 alerts, restarts, 429s, the 30/min budget, close', () => {
  let rig: CloudRig;
  afterEach(async () => {
    await rig?.close();
  });

  test('all 1,000 exactly once; the request rate never exceeded 30/min; close reaches the server', async () => {
    // Ties every 7th alert with its neighbour, and a block of 150 sharing one millisecond.
    const all = Array.from({ length: 1000 }, (_, i) => {
      const off = i >= 400 && i < 550 ? 400 : i % 7 === 0 ? i + 1 : i;
      return makeMcasAlert({ _id: hex24(i), timestamp: T0 + off, title: `Alert ${i}` });
    });
    rig = await startCloudRig({ alerts: all.slice(0, 600) });
    const poll = () => rig.cloud().pollOnce();

    // Poll 1: three pages, then a 429 storm longer than one poll's retries.
    rig.fake.passNext(3);
    rig.fake.failNext(8, { status: 429, retryAfter: '15' });
    const p1 = await poll();
    expect(p1.error?.status).toBe(429);
    await rig.t.restart();

    // Poll 2: a short storm it rides out, and half-way a server error burst.
    rig.fake.failNext(3, { status: 429, retryAfter: '7' });
    rig.fake.passNext(2);
    rig.fake.failNext(2, { status: 502 });
    expect((await poll()).error).toBeUndefined();

    // New alerts arrive (some at the cursor's millisecond), more restarts and tight polling that
    // would blow the budget without the bucket: ~40 list calls back to back.
    rig.fake.alerts.push(...all.slice(600));
    await rig.t.restart();
    for (let i = 0; i < 12; i++) expect((await poll()).error).toBeUndefined();
    await rig.t.restart();
    for (let i = 0; i < 25; i++) await poll();

    const rows = await rig.t.app.store.db.selectFrom('alerts').select(['cloud_id', 'trigger_count']).where('source', '=', 'cloud').execute();
    expect(rows).toHaveLength(1000);
    expect(new Set(rows.map((r) => r.cloud_id)).size).toBe(1000);
    expect(rows.every((r) => Number(r.trigger_count) === 1)).toBe(true);
    expect(rows.map((r) => r.cloud_id).sort()).toEqual(all.map((a) => a._id).sort());

    // Budget: the throttle never had to refuse us, and no rolling minute saw more than 30.
    expect(rig.fake.log.length).toBeGreaterThan(60);
    expect(rig.fake.log.filter((e) => e.refused === 'rate')).toHaveLength(0);
    expect(rig.fake.maxInWindow()).toBeLessThanOrEqual(30);
    expect(rig.fake.maxInWindow()).toBe(30); // the budget was actually used up, so the limit was exercised

    // Close: from the card (alert.close, Security Operator) and through services.cloudActions.
    const target = all[123]._id;
    const res = await rig.t.post(makeAction('alert.close', { alertId: `mcas:${target}`, resolution: 'benign' }, USERS.securityOperator, rig.t.connector.url));
    expect(res.status).toBe(200);
    expect(rig.fake.closures).toEqual([{ id: target, kind: 'close_benign', reasonId: 4, comment: expect.stringContaining(`Closed as benign from Microsoft Teams by ${USERS.securityOperator.name}`) }]);
    expect(rig.fake.alerts.find((a) => a._id === target).resolutionStatusValue).toBe(4);
    expect(await rig.t.app.services.ledger.get(`mcas:${target}`)).toMatchObject({ status: 'closed', closed_by_name: USERS.securityOperator.name, resolution: 'benign' });

    const actions = rig.t.app.services.cloudActions!;
    const actor = { id: USERS.securityAdmin.aadObjectId, name: USERS.securityAdmin.name };
    expect(await actions.close({ cloud_id: all[5]._id }, 'truePositive', actor)).toEqual({ cloudId: all[5]._id, resolution: 'truePositive', closed: 1, alertsNotFound: [] });
    expect(await actions.close({ cloud_id: all[6]._id }, 'falsePositive', actor)).toMatchObject({ closed: 1 });
    expect(rig.fake.closures.slice(1).map((c) => [c.kind, c.reasonId])).toEqual([['close_true_positive', undefined], ['close_false_positive', 3]]);
    expect(await actions.close({ cloud_id: 'f'.repeat(24) }, 'benign', actor)).toEqual({ cloudId: 'f'.repeat(24), resolution: 'benign', closed: 0, alertsNotFound: ['f'.repeat(24)] });
    await expect(actions.close({ cloud_id: null }, 'benign', actor)).rejects.toThrow(/did not come from Cloud App Security/);
    expect(rig.fake.maxInWindow()).toBeLessThanOrEqual(30);
  }, 180_000); // ~1,000 ledger writes with every listener (scoring, outbox) attached; PostgreSQL is slower

  test('close with a bad token: a typed McasError naming the fix', async () => {
    rig = await startCloudRig({ token: 'not-the-token' });
    const err = await rig.t.app.services.cloudActions!.close({ cloud_id: hex24(1) }, 'benign', { id: 'x', name: 'Megan' }).catch((e) => e);
    expect(err).toBeInstanceOf(McasError);
    expect(err.status).toBe(401);
    expect(err.fix).toMatch(/token invalid or lacks Investigation permissions/);
  });
});
