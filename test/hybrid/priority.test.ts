import fc from 'fast-check';
import {
  contributionCenti,
  impactOf,
  percentileOf,
  percentileFromCounts,
  qualifiesAsRisky,
  rarityOf,
  scoreUser,
  topReasons,
  type ScoredAlertInput,
} from '../../bot/hybrid/priority';

const alert = (o: Partial<ScoredAlertInput>): ScoredAlertInput => ({
  alertId: 'a1',
  environment: 'onprem',
  severity: 'medium',
  type: '2023',
  title: 't',
  seenAt: '2026-03-02T09:00:00.000Z',
  usersWithType: 1,
  ...o,
});

describe('investigation priority: the README formula, worked examples', () => {
  test('weights: severity, impact by role, rarity', () => {
    expect(impactOf([])).toBe(1);
    expect(impactOf(['Security Reader'])).toBe(1.25);
    expect(impactOf(['Security Administrator', 'Security Reader'])).toBe(1.5);
    expect(impactOf(['Global Administrator'])).toBe(2);
    expect(rarityOf(1)).toBe(1);
    expect(rarityOf(10)).toBe(0.5);
    expect(rarityOf(100)).toBeCloseTo(1 / 3, 10);
    expect(rarityOf(0)).toBe(1);
  });

  test('example 1: brute force (medium) + pass-the-hash (high) on-prem, impossible travel (high) in the cloud, no role, each type only this user → 25.00', () => {
    const s = scoreUser(
      [
        alert({ alertId: 'bf', severity: 'medium', type: '2023' }),
        alert({ alertId: 'pth', severity: 'high', type: '2017' }),
        alert({ alertId: 'it', environment: 'cloud', severity: 'high', type: 'impossible-travel', threatScore: 74 }),
      ],
      1,
    );
    // 5×1×1 + 10×1×1 + 10×1×1
    expect(s.scoreCenti).toBe(2500);
    expect(s.onpremCenti).toBe(1500);
    expect(s.cloudCenti).toBe(1000);
    expect(s.threatScore).toBe(74);
    expect(s.contributions.map((c) => c.alertId)).toEqual(['it', 'pth', 'bf']); // ties: newest, then id
  });

  test('example 2: a Global Administrator with pass-the-hash whose type 10 users have → 10 × 2 × ½ = 10.00', () => {
    expect(contributionCenti('high', 2, 10)).toBe(1000);
  });

  test('example 3: low-severity noise seen for 100 users, no role → 2 × 1 × ⅓ = 0.67', () => {
    expect(contributionCenti('low', 1, 100)).toBe(67);
  });

  test('example 4: medium, Security Administrator, type seen for 3 users → 5 × 1.5 / (1 + log10 3) = 5.08', () => {
    expect(contributionCenti('medium', 1.5, 3)).toBe(508);
  });

  test('an alert counts once however often it is listed (score per alert, not per trigger)', () => {
    const a = alert({ alertId: 'x', severity: 'high' });
    expect(scoreUser([a, a, a], 1).scoreCenti).toBe(1000);
  });

  test('percentile: share of scored users at or below, whole percent, rounded down', () => {
    expect(percentileOf(300, [100, 200, 300, 400])).toBe(75);
    expect(percentileOf(400, [100, 200, 300, 400, 0, 0])).toBe(100); // unscored users do not count
    expect(percentileOf(0, [100])).toBe(0);
    expect(percentileOf(500, [500])).toBe(100);
    expect(percentileFromCounts(3, 4)).toBe(75);
    expect(percentileFromCounts(0, 0)).toBe(0);
  });

  test('risky needs both thresholds', () => {
    const cfg = { percentile: 90, minScore: 20 };
    expect(qualifiesAsRisky(2500, 100, cfg)).toBe(true);
    expect(qualifiesAsRisky(1999, 100, cfg)).toBe(false);
    expect(qualifiesAsRisky(2500, 89, cfg)).toBe(false);
    expect(qualifiesAsRisky(0, 100, { percentile: 90, minScore: 0 })).toBe(false);
  });

  test('reasons always show both environments when both contributed', () => {
    const many = [1, 2, 3, 4, 5, 6].map((i) => alert({ alertId: `op${i}`, severity: 'high', type: `t${i}` }));
    const s = scoreUser([...many, alert({ alertId: 'cl', environment: 'cloud', severity: 'low', type: 'c' })], 1);
    const r = topReasons(s.contributions, 5);
    expect(r).toHaveLength(5);
    expect(r.map((x) => x.environment)).toContain('cloud');
    expect(r.filter((x) => x.environment === 'onprem')).toHaveLength(4);
  });

  test('deterministic and order-independent (property)', () => {
    const sev = fc.constantFrom('informational', 'low', 'medium', 'high') as fc.Arbitrary<ScoredAlertInput['severity']>;
    const arb = fc.array(
      fc.record({ alertId: fc.string({ minLength: 1, maxLength: 6 }), environment: fc.constantFrom('onprem', 'cloud') as fc.Arbitrary<'onprem' | 'cloud'>, severity: sev, type: fc.string({ maxLength: 4 }), title: fc.string({ maxLength: 10 }), seenAt: fc.constant('2026-03-02T09:00:00.000Z'), usersWithType: fc.integer({ min: 1, max: 10_000 }) }),
      { maxLength: 40 },
    );
    fc.assert(
      fc.property(arb, fc.constantFrom(1, 1.25, 1.5, 2), (alerts, impact) => {
        const uniq = alerts.filter((a, i) => alerts.findIndex((b) => b.alertId === a.alertId) === i);
        const a = scoreUser(uniq, impact);
        const b = scoreUser([...uniq].reverse(), impact);
        expect(b.scoreCenti).toBe(a.scoreCenti);
        expect(a.scoreCenti).toBe(a.onpremCenti + a.cloudCenti);
        expect(Number.isInteger(a.scoreCenti)).toBe(true);
        expect(a.scoreCenti).toBeGreaterThanOrEqual(0);
      }),
    );
  });
});
