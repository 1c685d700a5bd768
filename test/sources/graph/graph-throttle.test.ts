import { makeMessage, USERS, makeAction } from '../../helpers/activities';
import { cardText } from '../../helpers/cards';
import { graphTime, makeGraphAlert, makeSensor } from '../../fakes/graph-security';
import { startGraphRig, type GraphRig } from './graph-helpers';

const T0 = Date.parse('2026-03-02T08:00:00.000Z');
const alerts = (n: number) => Array.from({ length: n }, (_, i) => makeGraphAlert({ id: `t${i}`, lastUpdateDateTime: graphTime(T0 + i * 10), createdDateTime: graphTime(T0 + i * 10) }));

describe('Graph throttling: Retry-After holds for every security call of the instance', () => {
  let rig: GraphRig;
  afterEach(async () => {
    await rig?.close();
  });
  const enable = () => rig.t.post(makeAction('integration.enable', {}, USERS.globalAdmin, rig.t.connector.url));

  test('a 429 with Retry-After on one call makes the others wait too; a person is told how long instead of waiting', async () => {
    rig = await startGraphRig({ alerts: alerts(150) });
    rig.fake.sensors = [makeSensor()];
    await enable();
    // `health` (interactive) meets a 429 asking for 120 s: it answers at once with the wait.
    rig.clock.advance(31_000); // past the 30 s health cache the enable click's status card filled
    rig.fake.failNext(1, { status: 429, retryAfter: '120', match: (r) => r.path.endsWith('/sensors') });
    await rig.t.post(makeMessage('health', USERS.securityReader, rig.t.connector.url));
    const first = cardText(rig.t.connector.cards().at(-1));
    expect(first).toMatch(/Microsoft Graph asked Hybridwatch to slow down \(HTTP 429\)|throttling Hybridwatch/);
    expect(first).toMatch(/Try again in 120 seconds/);
    const callsBefore = rig.fake.calls.length;
    const blockedAt = rig.clock.now().getTime();

    // A card action during the block never reaches Graph: same answer, no request.
    rig.t.connector.clear();
    rig.clock.advance(31_000);
    await rig.t.post(makeMessage('health', USERS.securityReader, rig.t.connector.url));
    expect(cardText(rig.t.connector.cards().at(-1))).toMatch(/Try again in 89 seconds/);
    expect(rig.fake.calls.length).toBe(callsBefore);

    // The background poll waits out the block, then reads every page.
    const r = await rig.graph().pollOnce();
    expect(r.error).toBeUndefined();
    expect(r.new).toBe(150);
    const polled = rig.fake.alertCalls();
    expect(polled[0].at).toBeGreaterThanOrEqual(blockedAt + 120_000);
  });

  test('a 429 storm without Retry-After backs off exponentially; 503 with Retry-After is honoured; the sweep completes', async () => {
    rig = await startGraphRig({ alerts: alerts(250) });
    await enable();
    rig.fake.passNext(1);
    rig.fake.failNext(5, { status: 429 });
    rig.fake.failNext(1, { status: 503, retryAfter: '2.5' });
    const slept = rig.clock.slept;
    const r = await rig.graph().pollOnce();
    expect(r.error).toBeUndefined();
    expect(r.new).toBe(250);
    const refused = rig.fake.calls.filter((c) => c.status === 429).map((c) => c.at);
    const gaps = refused.slice(1).map((t, i) => t - refused[i]);
    // 1 s, 2 s, 4 s, 8 s … each between half and full: every gap at least half of its cap and growing overall.
    gaps.forEach((g, i) => expect(g).toBeGreaterThanOrEqual(500 * 2 ** i));
    expect(gaps.at(-1)!).toBeGreaterThan(gaps[0]);
    const after503 = rig.fake.calls.find((c, i) => i > 0 && rig.fake.calls[i - 1].status === 503)!;
    const the503 = rig.fake.calls.find((c) => c.status === 503)!;
    expect(after503.at - the503.at).toBeGreaterThanOrEqual(2500);
    expect(rig.clock.slept - slept).toBeGreaterThanOrEqual(15_500 + 2_500);
    expect(rig.fake.maxInWindow()).toBeLessThanOrEqual(150);
  });

  test('a storm longer than the retries: the poll reports it (status names the fix), and the next poll resumes', async () => {
    rig = await startGraphRig({ alerts: alerts(250) });
    await enable();
    rig.fake.passNext(1);
    rig.fake.failNext(8, { status: 429, retryAfter: '1' });
    const r1 = await rig.graph().pollOnce();
    expect(r1.error?.status).toBe(429);
    expect(r1.new).toBe(100);
    await rig.t.post(makeMessage('status', USERS.securityReader, rig.t.connector.url));
    expect(cardText(rig.t.connector.cards().at(-1))).toMatch(/Defender XDR error: Microsoft Graph is throttling Hybridwatch/);
    const r2 = await rig.graph().pollOnce();
    expect(r2).toMatchObject({ new: 150, caughtUp: true });
  });
});
