import { RateLimiter } from '../../bot/server/rate-limiter';

describe('RateLimiter', () => {
  test('burst, then one token per 1/rate seconds, per client', () => {
    let now = 0;
    const l = new RateLimiter(10, 3, () => now);
    expect([l.take('a'), l.take('a'), l.take('a')]).toEqual([0, 0, 0]);
    expect(l.take('a')).toBe(100);
    expect(l.take('b')).toBe(0); // other clients unaffected
    now += 100;
    expect(l.take('a')).toBe(0);
    expect(l.take('a')).toBeGreaterThan(0);
  });

  test('memory stays bounded', () => {
    const l = new RateLimiter(1, 1, () => 0, 100);
    for (let i = 0; i < 10_000; i++) l.take(`client-${i}`);
    expect((l as any).buckets.size).toBeLessThanOrEqual(100);
  });
});
