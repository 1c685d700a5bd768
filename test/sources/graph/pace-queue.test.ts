import { PaceQueue } from '../../../bot/sources/graph/pace-queue';
import { GraphSecurityError } from '../../../bot/errors';
import { SleepyClock } from '../cloud/cloud-helpers';
import { FakeClock } from '../../../bot/clock';

/** The connector's per-family pace (Entra ID Protection: about one request a second per tenant). */
describe('PaceQueue', () => {
  test('callers go one per interval, in arrival order; a caller that cannot wait that long fails at once without taking a slot', async () => {
    const clock = new FakeClock('2026-03-02T09:00:00.000Z');
    const slept: number[] = [];
    const q = new PaceQueue(clock, async (ms) => void slept.push(ms), 1_000, 'Entra ID Protection');
    // Three callers at the same moment: each takes the next slot (the first goes at once).
    await Promise.all([q.turn(5_000), q.turn(5_000), q.turn(5_000)]);
    expect(slept).toEqual([1_000, 2_000]);
    expect(q.waitMs()).toBe(3_000);
    await expect(q.turn(2_500)).rejects.toThrow(GraphSecurityError);
    await expect(q.turn(2_500)).rejects.toMatchObject({ status: 429, problem: 'throttled', fix: expect.stringMatching(/^Try again in 3 seconds; Hybridwatch paces its calls to Entra ID Protection/) });
    expect(q.waitMs()).toBe(3_000); // the refused callers took no slot
    clock.advance(3_000);
    await q.turn(0);
    expect(slept).toEqual([1_000, 2_000]);
  });

  test('block (a 429 without Retry-After) pushes every later slot back; a longer block already in place stays', async () => {
    const clock = new SleepyClock('2026-03-02T09:00:00.000Z');
    const q = new PaceQueue(clock, (ms) => clock.sleep(ms), 1_000, 'Entra ID Protection');
    q.block(4_000);
    q.block(1_000);
    expect(q.waitMs()).toBe(4_000);
    const t0 = clock.now().getTime();
    await q.turn(5_000);
    expect(clock.now().getTime() - t0).toBe(4_000);
    expect(q.waitMs()).toBe(1_000);
  });
});
