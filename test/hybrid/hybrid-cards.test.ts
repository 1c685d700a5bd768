import { alertsCard } from '../../cards/alerts-card';
import { MAX_CARD_BYTES, sizeOf } from '../../cards/card';
import { riskyCard, type RiskyRow } from '../../cards/risky-card';
import { userCard, type UserProfileData } from '../../cards/user-card';
import { cardProblems, cardText, expectInert } from '../helpers/cards';

const EVIL = '[x](https://evil.example) **b** <at>me</at> \u202e' + 'é'.repeat(400);
const NOW = '2026-03-02T09:00:00.000Z';

const row = (i: number): RiskyRow => ({ key: `onprem:${EVIL}${i}`, displayName: EVIL, upn: EVIL, onPremAccount: EVIL, resolution: 'ambiguous', score: 123.456, percentile: 99, onpremScore: 100, cloudScore: 23.456, alertCount: 12, threatScore: 88, qualifies: true, state: i % 2 ? 'risky' : 'dismissed' });

const profile = (): UserProfileData => {
  const item = (i: number) => ({ id: `atp:${i}`, title: EVIL, severity: 'high', status: 'open', firstSeen: NOW, lastSeen: NOW, triggerCount: 40, points: 12.5 });
  return {
    key: `onprem:${EVIL}`,
    displayName: EVIL,
    upn: EVIL,
    onPremAccount: EVIL,
    resolution: 'ambiguous',
    note: EVIL,
    roles: ['Global Administrator'],
    impact: 2,
    score: 250,
    percentile: 100,
    onpremScore: 150,
    cloudScore: 100,
    threatScore: 74,
    qualifies: true,
    state: 'risky',
    riskySince: NOW,
    dismissed: null,
    onprem: Array.from({ length: 10 }, (_, i) => item(i)),
    cloud: Array.from({ length: 10 }, (_, i) => item(i + 10)),
    history: Array.from({ length: 8 }, () => ({ at: NOW, score: 250, percentile: 100 })),
    openAlerts: 20,
    thresholds: { percentile: 90, minScore: 20 },
    windowDays: 7,
    now: NOW,
    interactive: true,
    notice: EVIL,
  };
};

describe('hybrid cards (pure builders): valid, bounded, untrusted text inert', () => {
  test.each([
    ['risky', () => riskyCard({ rows: Array.from({ length: 10 }, (_, i) => row(i)), scoredUsers: 500, thresholds: { percentile: 90, minScore: 20 }, windowDays: 7, now: NOW })],
    ['risky (empty)', () => riskyCard({ rows: [], scoredUsers: 0, thresholds: { percentile: 90, minScore: 20 }, windowDays: 7, now: NOW })],
    ['user', () => userCard(profile())],
    ['alerts', () => alertsCard({ items: Array.from({ length: 10 }, (_, i) => ({ id: `a${i}`, title: EVIL, severity: 'high', source: 'onprem' as const, users: [EVIL, EVIL, EVIL, EVIL], lastSeen: NOW, triggerCount: 3, hybridChain: true, otherCount: 4 })), openTotal: 99, now: NOW })],
    ['alerts (empty)', () => alertsCard({ items: [], openTotal: 0, now: NOW })],
  ])('%s', (_name, build) => {
    const m = build();
    expect(cardProblems(m.card)).toEqual([]);
    expect(sizeOf(m.card)).toBeLessThan(MAX_CARD_BYTES);
    expect(m.summary.length).toBeGreaterThan(0);
    expectInert(m.card, 'evil.example');
    expectInert(m.card, '<at>me</at>');
    expect(cardText(m.card).includes('\u202e')).toBe(false); // shown text; ids in button data stay exact
  });

  test('the Dismiss button carries only the user key, and only for a risky user on an interactive card', () => {
    const c = userCard(profile()).card;
    expect(c.actions).toEqual([{ type: 'Action.Execute', title: 'Dismiss', verb: 'user.dismiss', data: { userKey: `onprem:${EVIL}` } }]);
    expect(userCard({ ...profile(), interactive: false }).card.actions).toBeUndefined();
    expect(userCard({ ...profile(), state: 'dismissed', dismissed: { byName: 'Megan', at: NOW } }).card.actions).toBeUndefined();
  });
});
