import { alertsCard } from '../../cards/alerts-card';
import { MAX_CARD_BYTES, sizeOf } from '../../cards/card';
import { riskyCard, type RiskyRow } from '../../cards/risky-card';
import { riskyUserCard, type ReasonGroupView } from '../../cards/risky-user-card';
import { userCard, type UserProfileData } from '../../cards/user-card';
import { cardProblems, cardText, expectInert } from '../helpers/cards';

const EVIL = '[x](https://evil.example) **b** <at>me</at> \u202e' + 'é'.repeat(400);
const NOW = '2026-03-02T09:00:00.000Z';

const CHAIN = { onprem: EVIL, cloud: EVIL, hours: 2.46, full: true };
const TACTICS = ['Lateral movement', 'Initial access', 'Credential access', 'Discovery', 'Exfiltration'];
const groups = (): ReasonGroupView[] => TACTICS.map((tactic, g) => ({ tactic, reasons: Array.from({ length: 4 }, (_, i) => ({ source: i % 2 ? 'cloud' : 'onprem', text: `high: ${EVIL} ${g}.${i}` })) }));
const row = (i: number): RiskyRow => ({ key: `onprem:${EVIL}${i}`, displayName: EVIL, upn: EVIL, onPremAccount: EVIL, resolution: 'ambiguous', score: 123.456, percentile: 99, onpremScore: 100, cloudScore: 23.456, alertCount: 12, threatScore: 88, qualifies: true, state: i % 2 ? 'risky' : 'dismissed', tactics: TACTICS, chain: CHAIN });

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
    thresholds: { minScore: 20, rearmScore: 10 },
    windowDays: 7,
    now: NOW,
    interactive: true,
    notice: EVIL,
    tactics: TACTICS,
    chain: CHAIN,
    groups: groups(),
  };
};
const riskyUser = () => riskyUserCard({ userKey: `onprem:${EVIL}`, displayName: EVIL, upn: EVIL, onPremAccount: EVIL, score: 63.28, percentile: 99, reasons: [], tactics: TACTICS, chain: CHAIN, groups: groups(), at: NOW, interactive: true });

describe('hybrid cards (pure builders): valid, bounded, untrusted text inert', () => {
  test.each([
    ['risky', () => riskyCard({ rows: Array.from({ length: 10 }, (_, i) => row(i)), scoredUsers: 500, thresholds: { minScore: 20, rearmScore: 10 }, windowDays: 7, now: NOW })],
    ['risky (empty)', () => riskyCard({ rows: [], scoredUsers: 0, thresholds: { minScore: 20, rearmScore: 10 }, windowDays: 7, now: NOW })],
    ['user', () => userCard(profile())],
    ['risky user', riskyUser],
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

  test('the risky-user card explains the user by tactics, the chain it saw and the reasons grouped by tactic (at most 8)', () => {
    const text = cardText(riskyUserCard({ userKey: 'aad:1', displayName: 'John Doe', score: 63.28, percentile: 100, reasons: [], tactics: ['Lateral movement', 'Exfiltration'], chain: { onprem: 'Suspected identity theft (pass-the-hash)', cloud: 'Mass download by a single user', hours: 4, full: true }, groups: groups(), at: NOW, interactive: false }).card);
    expect(text).toContain('Risky user · hybrid investigation priority');
    expect(text).toContain('Tactics: Lateral movement · Exfiltration');
    expect(text).toContain('Hybrid chain: ⛓ Suspected identity theft (pass-the-hash) → Mass download by a single user, 4 h later · full attack chain');
    expect(text).toMatch(/\*\*Why\*\*\nLateral movement\nOn-premises: high: [\s\S]*\nInitial access\n/);
    expect(text).not.toContain('\nCredential access\n'); // 8 reasons shown: two tactics' worth
    expect(text).toContain('and 12 more reasons');
    // Minutes when the cloud alert came within the hour.
    expect(cardText(riskyUserCard({ userKey: 'k', score: 30, percentile: 90, reasons: [], chain: { onprem: 'a', cloud: 'b', hours: 0.25, full: false }, at: NOW, interactive: false }).card)).toContain('Hybrid chain: ⛓ a → b, 15 min later');
  });

  test('the Dismiss button carries only the user key, and only for a risky user on an interactive card', () => {
    const c = userCard(profile()).card;
    expect(c.actions).toEqual([{ type: 'Action.Execute', title: 'Dismiss', verb: 'user.dismiss', data: { userKey: `onprem:${EVIL}` } }]);
    expect(userCard({ ...profile(), interactive: false }).card.actions).toBeUndefined();
    expect(userCard({ ...profile(), state: 'dismissed', dismissed: { byName: 'Megan', at: NOW } }).card.actions).toBeUndefined();
  });
});
