import { DAY_MS, HOUR_MS } from '../../bot/clock';
import type { NormalizedAlert } from '../../bot/hybrid/alert';
import { DETECTIONS, account, makeAlert, retrigger } from '../helpers/alerts';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { HYBRID_DIRECTORY, JDOE, JDOE_ID, captureRisky, hybrid } from './helpers';

/**
 * The organisation baseline and the chain through the real app (ledger → alert_users → scoring), on
 * SQLite and PostgreSQL: rarity from the 30 days before an alert's day, fixed with the alert, so a
 * campaign hitting more users never lowers a victim's score; a user's habit; rows from before 007.
 */
describe('baseline and chains through the ledger (real database)', () => {
  let t: TestApp;
  let risky: ReturnType<typeof captureRisky>;
  beforeEach(async () => {
    t = await startTestApp({ env: { DIRECTORY_FILE: HYBRID_DIRECTORY }, clock: undefined });
    risky = captureRisky(t.app);
  });
  afterEach(async () => {
    await t.close();
  });
  const now = () => t.clock.now().toISOString();
  const record = (a: NormalizedAlert) => t.app.services.ledger.record(a);
  const onprem = (who: string, d: Partial<NormalizedAlert>) => makeAlert({ ...d, users: [account(`CONTOSO\\${who}`)], seenAt: now(), start: now() });
  const cloud = (d: Partial<NormalizedAlert>) => makeAlert({ ...d, users: [account('jdoe@contoso.com', { upn: 'jdoe@contoso.com', aadObjectId: JDOE_ID })], seenAt: now(), start: now() });
  const smbBf = { source: 'onprem', type: '2033', typeName: 'AbnormalProtocolSecurityAlert', title: 'Suspected brute force attack (SMB)', severity: 'medium' } as const;
  const lowTravel = { ...DETECTIONS.impossibleTravel, severity: 'low' } as const;
  const rarityOf = async (alertId: string, user = JDOE) => Number((await t.app.store.db.selectFrom('alert_users').select('rarity_milli').where('alert_id', '=', alertId).where('user_key', '=', user).executeTakeFirstOrThrow()).rarity_milli);
  const scoreOf = async (user = JDOE) => Number((await t.app.store.db.selectFrom('user_scores').select('score_centi').where('user_key', '=', user).executeTakeFirstOrThrow()).score_centi);

  /** Ten days on which 20 of 60 users set off an SMB brute force: everyday noise in this tenant. */
  async function tenDaysOfNoise(): Promise<void> {
    for (let d = 0; d < 10; d++) {
      for (let i = 0; i < 20; i++) await record(onprem(`noise${(d * 20 + i) % 60}`, smbBf));
      t.clock.advance(DAY_MS);
    }
  }

  test('rarity comes from the days before, is fixed with the alert, and a campaign hitting more users never lowers a victim', async () => {
    await tenDaysOfNoise();
    const bf = await record(onprem('jdoe', smbBf));
    const pth = await record(onprem('jdoe', DETECTIONS.passTheHash));
    expect(await rarityOf(bf.alert.id)).toBe(100); // 200 user-days in 10 days, 600 a month for (at least) 100 users: as common as it gets
    expect(await rarityOf(pth.alert.id)).toBe(1000); // nobody had it in the baseline
    t.clock.advance(3 * HOUR_MS);
    await record(cloud(DETECTIONS.impossibleTravel));
    expect(risky.map((e) => e.userKey)).toEqual([JDOE]); // pass-the-hash → impossible travel: the two-step hybrid chain
    expect(risky[0].detail.chain).toMatchObject({ onprem: { type: '2017' }, hours: 3 });
    const before = await scoreOf();

    // The same campaign now hits 80 more users (the same day and the next): his evidence stands.
    for (let i = 0; i < 60; i++) await record(onprem(`victim${i}`, DETECTIONS.passTheHash));
    t.clock.advance(DAY_MS);
    for (let i = 60; i < 80; i++) await record(onprem(`victim${i}`, DETECTIONS.passTheHash));
    await hybrid(t.app).sweep();
    expect(await rarityOf(pth.alert.id)).toBe(1000);
    expect(await scoreOf()).toBe(before);
    const row = await t.app.store.db.selectFrom('user_scores').select(['risky_state', 'tactics', 'chain']).where('user_key', '=', JDOE).executeTakeFirstOrThrow();
    expect(row.risky_state).toBe('risky');
    expect(JSON.parse(row.tactics)).toEqual(['LateralMovement', 'InitialAccess']);
    expect(JSON.parse(row.chain!)).toMatchObject({ onprem: { title: 'Suspected identity theft (pass-the-hash)' }, cloud: { title: 'Impossible travel activity' } });
    expect(risky).toHaveLength(1); // never re-announced
  });

  test('a chance coincidence of common noise (an SMB brute force, then a low-severity cloud anomaly) is no chain and not risky', async () => {
    await tenDaysOfNoise();
    await record(onprem('jdoe', smbBf));
    t.clock.advance(5 * HOUR_MS);
    await record(cloud(lowTravel));
    const row = await t.app.store.db.selectFrom('user_scores').select(['risky_state', 'chain', 'score_centi']).where('user_key', '=', JDOE).executeTakeFirstOrThrow();
    expect(row.chain).toBeNull();
    expect(row.risky_state).toBe('none');
    expect(Number(row.score_centi)).toBeLessThan(500);
    expect(risky).toHaveLength(0);
  });

  test('what a user sets off every day is their habit: the rarity of their own repeat fades', async () => {
    for (let d = 0; d < 9; d++) {
      await record(onprem('jdoe', { source: 'onprem', type: '2025', typeName: 'AbnormalVpnSecurityAlert', title: 'Suspicious VPN connection', severity: 'medium' }));
      t.clock.advance(DAY_MS);
    }
    const tenth = await record(onprem('jdoe', { source: 'onprem', type: '2025', typeName: 'AbnormalVpnSecurityAlert', title: 'Suspicious VPN connection', severity: 'medium' }));
    // Organisation: 9 user-days in 9 days of data → 30 a month among (at least) 100 users → p 0.3 → rarity 0.174;
    // his habit: 9 of the last 30 days → 1 / (1 + 9/3) = 0.25. Together 0.044.
    expect(await rarityOf(tenth.alert.id)).toBe(44);
    // However many, one detection type never makes him risky.
    expect(risky).toHaveLength(0);
  });

  test('a re-trigger keeps the alert’s rarity; rows written before migration 007 (no tactics, no rarity) are classified and rated on read', async () => {
    await tenDaysOfNoise();
    const pth = await record(onprem('jdoe', DETECTIONS.passTheHash));
    const first = await rarityOf(pth.alert.id);
    t.clock.advance(HOUR_MS);
    await record(retrigger(onprem('jdoe', DETECTIONS.passTheHash), { sourceId: pth.alert.onprem_id!, seenAt: now() }));
    expect(await rarityOf(pth.alert.id)).toBe(first);
    await record(cloud(DETECTIONS.impossibleTravel));
    const scored = await scoreOf();
    await t.app.store.db.updateTable('alert_users').set({ tactics: null, rarity_milli: null }).where('user_key', '=', JDOE).execute();
    const stored = (await hybrid(t.app).priority.stored(t.app.store.db, [JDOE])).get(JDOE)!;
    const recomputed = (await hybrid(t.app).priority.compute(t.app.store.db, [JDOE], new Map([[JDOE, stored.impact_centi]]))).get(JDOE)!;
    expect([...recomputed.tactics].sort()).toEqual(['InitialAccess', 'LateralMovement']);
    expect(recomputed.scoreCenti).toBe(scored);
  });
});
