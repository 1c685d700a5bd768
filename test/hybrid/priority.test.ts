import fc from 'fast-check';
import { rarityFrom, robustUsers, habitOf } from '../../bot/hybrid/baseline';
import { chainOf, CHAIN_HOURS } from '../../bot/hybrid/chain';
import { impactOf, percentileFromCounts, percentileOf, scoreUser, type ScoredAlertInput } from '../../bot/hybrid/priority';
import { nextRiskyState, qualifiesAsRisky, staysRisky, topReasons, type RiskyState } from '../../bot/hybrid/risky';
import type { Tactic } from '../../bot/hybrid/tactics';

const T0 = Date.parse('2026-03-02T08:00:00.000Z');
const at = (hours: number) => new Date(T0 + hours * 3_600_000).toISOString();
const alert = (o: Partial<ScoredAlertInput> & { alertId: string }, hours = 0): ScoredAlertInput => ({
  environment: 'onprem',
  severity: 'medium',
  type: '2023',
  title: 't',
  firstSeen: at(hours),
  seenAt: at(hours),
  tactics: ['CredentialAccess'],
  rarity: 1,
  ...o,
});
const CFG = { minScore: 20, rearmScore: 10 };

// Arbitrary alerts: a few detection types (each with its own environment and tactics, as the catalogs
// give them), any severity and rarity, within a week.
const sev = fc.constantFrom('informational', 'low', 'medium', 'high') as fc.Arbitrary<ScoredAlertInput['severity']>;
const KINDS: Record<string, { environment: 'onprem' | 'cloud'; tactics: Tactic[] }> = {
  '2003': { environment: 'onprem', tactics: ['Discovery'] },
  '2038': { environment: 'onprem', tactics: ['Discovery', 'CredentialAccess'] },
  '2017': { environment: 'onprem', tactics: ['LateralMovement'] },
  '2023': { environment: 'onprem', tactics: ['CredentialAccess'] },
  '2033': { environment: 'onprem', tactics: ['LateralMovement'] },
  new: { environment: 'onprem', tactics: [] },
  it: { environment: 'cloud', tactics: ['InitialAccess'] },
  dl: { environment: 'cloud', tactics: ['Exfiltration'] },
  odd: { environment: 'cloud', tactics: [] },
};
const anAlert = fc.record({
  alertId: fc.string({ minLength: 1, maxLength: 6 }),
  severity: sev,
  type: fc.constantFrom(...Object.keys(KINDS)),
  hours: fc.integer({ min: 0, max: 160 }),
  rarity: fc.double({ min: 0.1, max: 1, noNaN: true }),
});
const toInput = ({ hours, ...a }: { hours: number; alertId: string; severity: ScoredAlertInput['severity']; type: string; rarity: number }): ScoredAlertInput => ({ ...a, ...KINDS[a.type], title: 't', firstSeen: at(hours), seenAt: at(hours) });
const uniq = (xs: ScoredAlertInput[]) => xs.filter((a, i) => xs.findIndex((b) => b.alertId === a.alertId) === i);

describe('investigation priority: the README worked example', () => {
  test('recon → brute force ×2 → pass-the-hash on-prem, impossible travel and a mass download in the cloud → 63.28, a full chain', () => {
    const s = scoreUser(
      [
        alert({ alertId: 'recon', type: '2038', tactics: ['Discovery', 'CredentialAccess'], rarity: 0.3 }, 0),
        alert({ alertId: 'bf1', type: '2023', rarity: 0.2 }, 1),
        alert({ alertId: 'bf2', type: '2023', rarity: 0.2 }, 1.5),
        alert({ alertId: 'pth', type: '2017', severity: 'high', tactics: ['LateralMovement'], rarity: 0.9 }, 2),
        alert({ alertId: 'it', environment: 'cloud', type: 'it', tactics: ['InitialAccess'], rarity: 0.4 }, 5),
        alert({ alertId: 'dl', environment: 'cloud', type: 'dl', tactics: ['Exfiltration'], rarity: 0.7 }, 6),
      ],
      1,
    );
    // Types: recon 5×0.3 = 1.5 · brute force 5×0.2 × (1 + ¼) = 1.25 · pass-the-hash 10×0.9 = 9 · travel 5×0.4 = 2 · download 5×0.7 = 3.5.
    // Tactics holding ≥ 2 points: lateral movement, exfiltration, initial access → breadth 1.5 → 17.25 × 1.5 = 25.875.
    // Chain: brute force is too common (rarity 0.2 < 0.3) to start one; pass-the-hash (1 × 1) → download (0.85 × (0.6 + 0.4 × 0.7) = 0.748): 50 × 0.748 = 37.4.
    expect(s.scoreCenti).toBe(6328);
    expect(s.breadth).toBe(3);
    expect(s.chain).toMatchObject({ onprem: { alertId: 'pth', tactic: 'LateralMovement' }, cloud: { alertId: 'dl', tactic: 'Exfiltration' }, hours: 4, strength: 0.748 });
    expect(s.fullChain).toBe(true);
    expect(s.tactics).toEqual(['LateralMovement', 'Exfiltration', 'InitialAccess', 'Discovery', 'CredentialAccess']);
    expect(s.contributions.map((c) => [c.alertId, c.centi])).toEqual([['pth', 3220], ['dl', 2395], ['it', 300], ['recon', 225], ['bf1', 150], ['bf2', 38]]);
    expect(s.onpremCenti + s.cloudCenti).toBe(s.scoreCenti);
    expect(qualifiesAsRisky(s, CFG)).toBe(true);
  });

  test('the README’s shortest hybrid chain and its chance-noise look-alike', () => {
    const pth = alert({ alertId: 'pth', type: '2017', severity: 'high', tactics: ['LateralMovement'], rarity: 0.9 }, 2);
    const it = alert({ alertId: 'it', environment: 'cloud', type: 'it', tactics: ['InitialAccess'], rarity: 0.4 }, 5);
    expect(scoreUser([pth, it], 1)).toMatchObject({ scoreCenti: 4605, chain: { strength: 0.646 } });
    const smb = alert({ alertId: 'smb', type: '2033', tactics: ['LateralMovement'], rarity: 0.1 }, 2);
    const ic = alert({ alertId: 'ic', environment: 'cloud', type: 'ic', severity: 'low', tactics: ['InitialAccess'], rarity: 0.15 }, 5);
    expect(scoreUser([smb, ic], 1)).toMatchObject({ scoreCenti: 80, chain: null });
  });

  test('impact by role, and the percentile (context only)', () => {
    expect(impactOf([])).toBe(1);
    expect(impactOf(['Security Administrator', 'Security Reader'])).toBe(1.5);
    expect(impactOf(['Global Administrator'])).toBe(2);
    const one = [alert({ alertId: 'a', severity: 'high' }), alert({ alertId: 'b', type: '2003', tactics: ['Discovery'] })];
    expect(scoreUser(one, 2).scoreCenti).toBe(2 * scoreUser(one, 1).scoreCenti);
    expect(percentileOf(300, [100, 200, 300, 400])).toBe(75);
    expect(percentileOf(0, [100])).toBe(0);
    expect(percentileFromCounts(3, 4)).toBe(75);
  });
});

describe('investigation priority: properties', () => {
  test('diminishing repeats: one detection type is worth at most 1.5 × its first alert, however many, and never makes a user risky', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), sev, fc.double({ min: 0.1, max: 1, noNaN: true }), fc.constantFrom(1, 1.25, 1.5, 2), fc.constantFrom('onprem', 'cloud'), (n, severity, rarity, impact, environment) => {
        const one = scoreUser([alert({ alertId: 'x0', severity, rarity, environment: environment as 'onprem' })], impact).scoreCenti;
        const many = scoreUser(Array.from({ length: n }, (_, i) => alert({ alertId: `x${i}`, severity, rarity, environment: environment as 'onprem' }, i % 150)), impact);
        expect(many.scoreCenti).toBeLessThanOrEqual(Math.round(one * 1.5) + 1);
        expect(many.typeCount).toBe(1);
        expect(qualifiesAsRisky(many, { minScore: 0, rearmScore: 0 })).toBe(false);
      }),
    );
    // 1, then a quarter, an eighth...: 2 alerts → 1.25×, 3 → 1.375×.
    const s = (n: number) => scoreUser(Array.from({ length: n }, (_, i) => alert({ alertId: `r${i}` }, i)), 1).scoreCenti;
    expect([s(1), s(2), s(3)]).toEqual([500, 625, 688]);
  });

  test('monotone in evidence: one more alert never lowers the score (property)', () => {
    fc.assert(
      fc.property(fc.array(anAlert, { maxLength: 25 }), anAlert, fc.constantFrom(1, 1.25, 2), (xs, extra, impact) => {
        const base = uniq(xs.map(toInput));
        const more = uniq([...base, toInput({ ...extra, alertId: `${extra.alertId}+new` })]);
        expect(scoreUser(more, impact).scoreCenti).toBeGreaterThanOrEqual(scoreUser(base, impact).scoreCenti);
      }),
      { numRuns: 300 },
    );
  });

  test('deterministic and order-independent; the split adds up (property)', () => {
    fc.assert(
      fc.property(fc.array(anAlert, { maxLength: 30 }), (xs) => {
        const list = uniq(xs.map(toInput));
        const a = scoreUser(list, 1.25);
        const b = scoreUser([...list].reverse(), 1.25);
        expect(b.scoreCenti).toBe(a.scoreCenti);
        expect(b.chain).toEqual(a.chain);
        expect(a.onpremCenti + a.cloudCenti).toBe(a.scoreCenti);
        expect(a.contributions.reduce((s, c) => s + c.centi, 0)).toBe(a.scoreCenti);
        expect(Number.isInteger(a.scoreCenti) && a.scoreCenti >= 0).toBe(true);
      }),
    );
  });

  test('breadth across tactics raises priority; more types of one tactic add less', () => {
    const pth = alert({ alertId: 'pth', type: '2017', tactics: ['LateralMovement'], severity: 'high' });
    const ptt = alert({ alertId: 'ptt', type: '2018', tactics: ['LateralMovement'], severity: 'high' });
    const dl = alert({ alertId: 'dl', type: 'dl', environment: 'cloud', tactics: ['Exfiltration'], severity: 'high' }, 100);
    const sameTactic = scoreUser([pth, ptt], 1).scoreCenti; // 10 + 10 × ½
    const twoTactics = scoreUser([pth, dl], 1).scoreCenti; // (10 + 10) × 1.25, no chain (100 h apart)
    expect(sameTactic).toBe(1500);
    expect(twoTactics).toBe(2500);
  });

  test(`the hybrid chain: an on-prem credential-access or lateral-movement alert, then a cloud alert within ${CHAIN_HOURS} h, weighs heavily`, () => {
    const pth = alert({ alertId: 'pth', type: '2017', tactics: ['LateralMovement'], severity: 'high' }, 0);
    const cloud = (hours: number) => alert({ alertId: `it${hours}`, type: 'it', environment: 'cloud', tactics: ['InitialAccess'], severity: 'medium', rarity: 0.2 }, hours);
    const chained = scoreUser([pth, cloud(20)], 1);
    const late = scoreUser([pth, cloud(CHAIN_HOURS + 1)], 1);
    const before = scoreUser([pth, cloud(-5)], 1);
    expect(chained.chain).toMatchObject({ onprem: { alertId: 'pth' }, cloud: { alertId: 'it20' }, hours: 20 });
    expect(late.chain).toBeNull();
    expect(before.chain).toBeNull(); // the cloud alert came first: not the on-prem → cloud chain
    expect(chained.scoreCenti - late.scoreCenti).toBe(chained.chainCenti);
    expect(chained.chainCenti).toBeGreaterThanOrEqual(1500);
    expect(qualifiesAsRisky(chained, CFG)).toBe(true); // the two-step hybrid chain
    expect(qualifiesAsRisky(late, CFG)).toBe(false);
    // A discovery alert does not start a chain, whatever its severity.
    expect(chainOf([alert({ alertId: 'r', type: '2003', tactics: ['Discovery'], severity: 'high' }), cloud(1)])).toBeNull();
  });

  test('chance coincidences of COMMON noise stay weak: the chain depends on how rare and severe its ends are', () => {
    const it = alert({ alertId: 'it', type: 'it', environment: 'cloud', tactics: ['InitialAccess'], severity: 'low', rarity: 0.15 }, 3);
    const smbBf = alert({ alertId: 'smb', type: '2033', tactics: ['LateralMovement'], rarity: 0.15 }, 0); // seen for most users: common
    const noise = scoreUser([smbBf, it], 1);
    expect(noise.chain).toBeNull();
    expect(qualifiesAsRisky(noise, CFG)).toBe(false);
    fc.assert(
      fc.property(fc.double({ min: 0.1, max: 1, noNaN: true }), fc.double({ min: 0.1, max: 1, noNaN: true }), sev, sev, (ra, rb, sa, sb) => {
        const s = (r1: number, r2: number) => chainOf([alert({ alertId: 'a', type: '2017', tactics: ['LateralMovement'], rarity: r1, severity: sa }), alert({ alertId: 'b', type: 'it', environment: 'cloud', tactics: ['InitialAccess'], rarity: r2, severity: sb }, 2)])?.strength ?? 0;
        const [lo, hi] = ra < rb ? [ra, rb] : [rb, ra];
        expect(s(hi, rb)).toBeGreaterThanOrEqual(s(lo, rb)); // rarer on-prem end, stronger chain
        expect(s(ra, hi)).toBeGreaterThanOrEqual(s(ra, lo)); // rarer cloud end, stronger chain
      }),
    );
  });

  test('a full chain always qualifies, whatever RISKY_MIN_SCORE says; percentile plays no part', () => {
    const s = scoreUser(
      [
        alert({ alertId: 'recon', type: '2003', tactics: ['Discovery'], rarity: 0.1 }, 0),
        alert({ alertId: 'pth', type: '2017', tactics: ['LateralMovement'], severity: 'medium', rarity: 0.7 }, 1),
        alert({ alertId: 'it', type: 'it', environment: 'cloud', tactics: ['InitialAccess'], severity: 'low', rarity: 0.1 }, 10),
      ],
      1,
    );
    expect(s.fullChain).toBe(true);
    expect(qualifiesAsRisky(s, { minScore: 1_000_000, rearmScore: 1_000_000 })).toBe(true);
  });

  test('one step, however loud, is not a sequence: a single high alert plus common noise of the same tactic does not qualify', () => {
    const s = scoreUser([alert({ alertId: 'dc', type: '2006', severity: 'high', tactics: ['CredentialAccess'] }), alert({ alertId: 'bf', type: '2023', rarity: 0.1 })], 2);
    expect(s.scoreCenti).toBeGreaterThan(2000);
    expect(qualifiesAsRisky(s, CFG)).toBe(false);
  });

  test('reasons: one per detection type with its tactic, both environments shown', () => {
    const many = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => alert({ alertId: `op${i}`, type: `t${i}`, severity: 'high', tactics: ['LateralMovement'] }, 100));
    const s = scoreUser([...many, alert({ alertId: 'cl', type: 'c', environment: 'cloud', severity: 'low', tactics: ['Exfiltration'] })], 1);
    const r = topReasons(s, 5);
    expect(r).toHaveLength(5);
    expect(r.map((x) => x.environment)).toContain('cloud');
    expect(r.find((x) => x.environment === 'cloud')).toMatchObject({ tactic: 'Exfiltration', type: 'c', count: 1 });
  });
});

describe('organisation baseline: rarity robust to a campaign', () => {
  test('a one-day spray counts the same however many users it hits: past the day cap, more victims change nothing (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 29, maxLength: 29 }), fc.integer({ min: 101, max: 100_000 }), fc.integer({ min: 101, max: 100_000 }), (days, n, m) => {
        expect(robustUsers([...days, n])).toBe(robustUsers([...days, m]));
        expect(robustUsers([...days, n])).toBeGreaterThanOrEqual(robustUsers([...days, 0]));
      }),
    );
    // A type nobody had, then 500 users in one day: still rare (capped at 1 that day).
    expect(rarityFrom(robustUsers([500]), 5000)).toBe(1);
  });

  test('rarity falls as more users have the type, never below the floor; a habit fades a user’s own repeats', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 1, max: 10_000 }), (a, b, org) => {
        const [lo, hi] = a < b ? [a, b] : [b, a];
        expect(rarityFrom(hi, org)).toBeLessThanOrEqual(rarityFrom(lo, org));
        expect(rarityFrom(hi, org)).toBeGreaterThanOrEqual(0.1);
      }),
    );
    expect(rarityFrom(0, 5000)).toBe(1);
    expect(rarityFrom(5, 5000)).toBe(1); // 1 in 1,000
    expect(rarityFrom(50, 5000)).toBeCloseTo(2 / 3, 5); // 1 in 100
    expect(rarityFrom(1, 10)).toBeCloseTo(2 / 3, 5); // the organisation counts as at least 100 users
    expect(rarityFrom(0, 5000, 3)).toBe(0.5); // a young baseline (3 days of data) is still learning
    expect([habitOf(0), habitOf(3), habitOf(30)]).toEqual([1, 0.5, 1 / 11]);
  });
});

describe('risky without flapping (hysteresis)', () => {
  const ev = (score: number, opts: { types?: string[]; full?: boolean; breadth?: number } = {}) => ({ scoreCenti: score * 100, typeCount: (opts.types ?? ['a', 'b']).length, types: opts.types ?? ['a', 'b'], fullChain: !!opts.full, breadth: opts.breadth ?? 2, chain: null });

  test('crossing in fires once; held while the score stays above the re-arm line; re-armed only well below', () => {
    let st: RiskyState = 'none';
    const fires: number[] = [];
    [5, 25, 30, 18, 12, 24, 9, 15, 21].forEach((score, i) => {
      const n = nextRiskyState({ state: st, dismissedTypes: null }, ev(score), 'alert.new', CFG);
      if (n.fire) fires.push(score);
      st = n.state;
      if (i === 5) expect(st).toBe('risky'); // 12 and 24: still the same risky user, not re-announced
    });
    expect(fires).toEqual([25, 21]); // announced at 25; dropped at 9 (below the re-arm line 10); announced again at 21
  });

  test('no sequence of scores makes a user flap: each announcement is followed by a fall below the re-arm line before the next (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 60 }), { maxLength: 60 }), (scores) => {
        let st: RiskyState = 'none';
        let armed = true;
        for (const score of scores) {
          const n = nextRiskyState({ state: st, dismissedTypes: null }, ev(score), 'alert.new', CFG);
          if (n.fire) {
            expect(armed).toBe(true);
            armed = false;
          }
          if (score < CFG.rearmScore) armed = true;
          if (st === 'risky' && score >= CFG.rearmScore) expect(n.state).toBe('risky'); // never silently dropped
          st = n.state;
        }
      }),
    );
  });

  test('a dismissed user comes back only on a new detection type (genuinely new evidence), not on repeats or sweeps', () => {
    const d = { state: 'dismissed' as const, dismissedTypes: ['a', 'b'] };
    expect(nextRiskyState(d, ev(40), 'alert.new', CFG)).toEqual({ state: 'dismissed', fire: false }); // more of the same
    expect(nextRiskyState(d, ev(40, { types: ['a', 'b', 'c'] }), 'sweep', CFG)).toEqual({ state: 'dismissed', fire: false });
    expect(nextRiskyState(d, ev(40, { types: ['a', 'b', 'c'] }), 'alert.new', CFG)).toEqual({ state: 'risky', fire: true });
    expect(nextRiskyState(d, ev(5), 'sweep', CFG)).toEqual({ state: 'none', fire: false }); // re-armed below the line
  });

  test('a full chain holds whatever the score; one detection type never holds', () => {
    expect(staysRisky(ev(0, { full: true }), CFG)).toBe(true);
    expect(staysRisky(ev(99, { types: ['a'] }), CFG)).toBe(false);
  });
});
