import { DAY_MS, HOUR_MS } from '../../bot/clock';
import { hybridContext } from '../../bot/hybrid/hybrid-context';
import { USERS } from '../helpers/activities';
import { DETECTIONS, account, makeAlert, retrigger } from '../helpers/alerts';
import { cardText, expectValidCard } from '../helpers/cards';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { HYBRID_DIRECTORY, JDOE, JDOE_ID, captureRisky, hybrid, jdoeAttack, say } from './helpers';

describe('hybrid view scenarios (ledger.record → scoring → risky / user / alerts over /api/messages)', () => {
  let t: TestApp;
  let risky: ReturnType<typeof captureRisky>;
  beforeEach(async () => {
    t = await startTestApp({ env: { DIRECTORY_FILE: HYBRID_DIRECTORY } });
    risky = captureRisky(t.app);
  });
  afterEach(async () => {
    await t.close();
  });
  const now = () => t.clock.now().toISOString();
  const record = (a: Parameters<TestApp['app']['services']['ledger']['record']>[0]) => t.app.services.ledger.record(a);
  const noise = async (users: number, perUser: number) => {
    for (let i = 1; i <= users; i++) {
      for (let j = 0; j < perUser; j++) {
        const type = ['2003', '2007', '2021'][(i + j) % 3];
        await record(makeAlert({ source: 'onprem', type, typeName: 'Recon', title: `Reconnaissance ${type}`, severity: 'low', users: [account(`CONTOSO\\user${String(i).padStart(3, '0')}`)], seenAt: now(), start: now() }));
      }
    }
  };

  test('on-prem brute force (2023) + pass-the-hash (2017) + cloud impossible travel: one identity, risky once, all three as reasons', async () => {
    await noise(20, 1);
    const [bf, pth, it] = jdoeAttack(now());
    const r1 = await record(bf);
    expect(r1.alert.users[0]).toMatchObject({ key: JDOE, resolution: 'resolved', upn: 'jdoe@contoso.com' });
    await record(pth);
    // A new deployment's baseline is still learning (rarity at most 0.5): (2.5 + 5) × 1.25 for two tactics = 9.38 < 20.
    expect(risky).toHaveLength(0);
    t.clock.advance(2 * HOUR_MS);
    await record({ ...it, seenAt: now(), start: now() });
    expect(risky).toHaveLength(1);
    const e = risky[0];
    expect(e.userKey).toBe(JDOE);
    // (2.5 + 5 + 5) × 1.5 for three tactics = 18.75, plus the chain pass-the-hash → impossible travel:
    // 50 × (1 × ramp(0.5) = 0.571) × (1 × (0.6 + 0.4 × 0.5) = 0.8) = 50 × 0.457 = 22.85.
    expect(e.detail).toMatchObject({ score: 41.6, percentile: 100, onpremScore: 22.68, cloudScore: 18.92, threatScore: 74 });
    expect(e.detail).toMatchObject({ tactics: ['LateralMovement', 'InitialAccess', 'CredentialAccess'], fullChain: true, qualifiedBy: 'fullChain', typeCount: 3 });
    expect(e.detail.chain).toMatchObject({ onprem: { title: 'Suspected identity theft (pass-the-hash)', tactic: 'LateralMovement' }, cloud: { title: 'Impossible travel activity', tactic: 'InitialAccess' }, hours: 2, strength: 0.457 });
    expect(e.detail.reasons.map((r) => r.tactic).sort()).toEqual(['CredentialAccess', 'InitialAccess', 'LateralMovement']);
    expect(e.detail.reasons.map((r) => [r.environment, r.title]).sort()).toEqual(
      [['cloud', 'Impossible travel activity'], ['onprem', 'Suspected brute force attack (Kerberos, NTLM)'], ['onprem', 'Suspected identity theft (pass-the-hash)']].sort(),
    );
    // Still risky on the next alert: no second event.
    await record(makeAlert({ ...DETECTIONS.ldapRecon, users: [account('CONTOSO\\jdoe')], seenAt: now(), start: now() }));
    expect(risky).toHaveLength(1);

    const [riskyMsg] = await say(t, 'risky', USERS.securityReader);
    const rc = t.connector.cards()[0];
    expectValidCard(rc);
    expect(riskyMsg.summary).toBe('Risky users: 1 risky of 21 scored');
    const rt = cardText(rc);
    expect(rt).toContain('1. John Doe · risky');
    expect(rt).toContain('on-premises 24.2 · cloud 18.9'); // + the low LDAP reconnaissance (a fourth tactic)
    expect(rt).toContain('Lateral movement · Initial access · Credential access · Discovery · ⛓ Suspected identity theft (pass-the-hash) → Impossible travel activity, 2 h later · full attack chain');
    expect(rt).toContain('Cloud App Security threat score 74');

    for (const q of ['CONTOSO\\jdoe', 'jdoe@contoso.com', 'John Doe']) {
      await say(t, `user ${q}`, USERS.securityReader);
      const uc = t.connector.cards()[0];
      expectValidCard(uc);
      const ut = cardText(uc);
      expect(ut).toContain('Risky');
      expect(ut).toContain('Cloud identity: jdoe@contoso.com');
      expect(ut).toContain('On-premises account: CONTOSO\\jdoe');
      expect(ut).toMatch(/Investigation priority: 43\.1 \(100th percentile/);
      expect(ut).toContain('Tactics: Lateral movement · Initial access · Credential access · Discovery');
      expect(ut).toMatch(/\*\*Why\*\*\nLateral movement\nOn-premises: high: Suspected identity theft[\s\S]*Initial access\nCloud: high: Impossible travel activity/);
      expect(ut).toMatch(/On-premises \(Azure ATP\)[\s\S]*pass-the-hash[\s\S]*Cloud \(Cloud App Security\)[\s\S]*Impossible travel/);
      expect(ut).toContain('Score history');
      expect(ut).not.toContain('[Dismiss]'); // a reader gets no Dismiss button
    }
    await say(t, 'user CONTOSO\\jdoe', USERS.securityAdmin);
    expect(cardText(t.connector.cards()[0])).toContain('[Dismiss]');

    // Hybrid context for the cloud alert: the on-prem side, a chain (2 h apart).
    const cloudAlert = (await t.app.services.ledger.get(`mcas:${it.sourceId}`))!;
    const ctx = await hybridContext(t.app.store.db, cloudAlert);
    expect(ctx).toMatchObject({ environment: 'cloud', other: 'onprem', count: 3, hybridChain: true });
    expect(ctx.topTitles[0]).toBe('Suspected identity theft (pass-the-hash)');
  });

  test('100 users with low-severity noise: nobody is risky', async () => {
    await noise(100, 2);
    expect(risky).toHaveLength(0);
    const [msg] = await say(t, 'risky', USERS.securityReader);
    expect(msg.summary).toBe('Risky users: 0 risky of 100 scored');
    expectValidCard(t.connector.cards()[0]);
    expect(cardText(t.connector.cards()[0])).not.toMatch(/^\d+\. .* · risky$/m);
  });

  test('two directory users sharing a display name are never merged', async () => {
    const onprem = await record(makeAlert({ ...DETECTIONS.passTheHash, users: [account('Wofford Thurston', { key: 'onprem:name:wofford thurston', displayName: 'Wofford Thurston' })], seenAt: now() }));
    const u = onprem.alert.users[0];
    expect(u.resolution).toBe('ambiguous');
    expect(u.key).toBe('onprem:name:wofford thurston');
    expect(u.note).toMatch(/2 directory users are named Wofford Thurston; not merged/);
    const cloud = await record(makeAlert({ ...DETECTIONS.impossibleTravel, users: [account('wofford.thurston@contoso.com', { upn: 'wofford.thurston@contoso.com' })], seenAt: now() }));
    expect(cloud.alert.users[0].key).toBe('aad:00000000-0000-0000-0000-000000000101');
    const keys = await t.app.store.db.selectFrom('alert_users').select('user_key').orderBy('user_key').execute();
    expect(keys.map((k) => k.user_key)).toEqual(['aad:00000000-0000-0000-0000-000000000101', 'onprem:name:wofford thurston']);
    expect((await hybridContext(t.app.store.db, cloud.alert)).count).toBe(0);

    await say(t, 'user wofford.thurston@contoso.com', USERS.securityReader);
    const resolved = cardText(t.connector.cards()[0]);
    expect(resolved).toContain('Impossible travel');
    expect(resolved).not.toContain('pass-the-hash');
    await say(t, 'user Wofford Thurston', USERS.securityReader);
    const onpremOnly = cardText(t.connector.cards()[0]);
    expect(onpremOnly).toMatch(/ambiguous: 2 directory users are named Wofford Thurston/);
    expect(onpremOnly).toContain('pass-the-hash'); // drawn as written
    expect(onpremOnly).not.toContain('Impossible travel');
  });

  test('a display name two users share, with no on-prem-only record: the bot asks which one', async () => {
    const sent = await say(t, 'user Wofford Thurston', USERS.securityReader);
    expect(sent[0].text).toMatch(/2 directory users are named Wofford Thurston/);
    expect(sent[0].text).toContain('`user wofford.thurston@contoso.com`');
    expect(sent[0].text).toContain('`user wofford.thurston@fabrikam.com`');
  });

  test('a re-triggered alert does not double its contribution', async () => {
    const pth = makeAlert({ ...DETECTIONS.passTheHash, users: [account('CONTOSO\\jdoe')], seenAt: now() });
    await record(pth);
    for (let i = 0; i < 3; i++) {
      t.clock.advance(10 * 60_000);
      expect((await record(retrigger(pth, { seenAt: now() }))).outcome).toBe('updated');
    }
    const row = await t.app.store.db.selectFrom('user_scores').selectAll().where('user_key', '=', JDOE).executeTakeFirstOrThrow();
    expect(Number(row.score_centi)).toBe(500); // 10 × rarity 0.5 (the baseline is learning), counted once
    const au = await t.app.store.db.selectFrom('alert_users').selectAll().execute();
    expect(au).toHaveLength(1);
    expect(au[0].seen_at).toBe(now()); // the re-trigger moved last seen (the 7-day window follows it)
    await say(t, 'user jdoe', USERS.securityReader);
    const text = cardText(t.connector.cards()[0]);
    expect(text).toMatch(/Investigation priority: 5 \(/);
    expect(text).toContain('4×'); // trigger count shown, contribution once
  });

  test('after 8 days the score forgets old alerts; the sweep re-arms, and a new crossing notifies again', async () => {
    for (const a of jdoeAttack(now())) await record(a);
    expect(risky).toHaveLength(1);
    t.clock.advance(8 * DAY_MS);
    await say(t, 'user CONTOSO\\jdoe', USERS.securityReader);
    const text = cardText(t.connector.cards()[0]);
    expect(text).toMatch(/Investigation priority: 0 \(0th percentile/);
    expect(text).toContain('pass-the-hash'); // still in the timeline (retention), no longer in the score
    expect(text).toContain('Not risky');
    const [m] = await say(t, 'risky', USERS.securityReader);
    expect(m.summary).toBe('Risky users: 0 risky of 0 scored');

    await hybrid(t.app).sweep();
    const row = await t.app.store.db.selectFrom('user_scores').selectAll().where('user_key', '=', JDOE).executeTakeFirstOrThrow();
    expect(Number(row.score_centi)).toBe(0);
    expect(row.risky_state).toBe('none');
    // A new attack on him crosses again. (The same three alerts again would weigh less: a user's own
    // repeats of a type in the last 30 days are a habit, and this young baseline still caps rarity at 0.5.)
    await record(makeAlert({ ...DETECTIONS.ldapRecon, users: [account('CONTOSO\\jdoe')], seenAt: now(), start: now() }));
    await record(makeAlert({ source: 'onprem', type: '2018', typeName: 'PassTheTicketSecurityAlert', title: 'Suspected identity theft (pass-the-ticket)', severity: 'high', users: [account('CONTOSO\\jdoe')], seenAt: now(), start: now() }));
    await record(makeAlert({ source: 'cloud', type: 'policy:mass-download', typeName: 'Mass download by a single user', title: 'Mass download by a single user', severity: 'high', users: [account('jdoe@contoso.com', { upn: 'jdoe@contoso.com', aadObjectId: JDOE_ID })], seenAt: now(), start: now() }));
    expect(risky).toHaveLength(2);
  });

  test('the hourly sweep notices a percentile shift and never notifies twice', async () => {
    for (const a of jdoeAttack(now())) await record(a);
    expect(risky).toHaveLength(1);
    await hybrid(t.app).sweep();
    await hybrid(t.app).sweep();
    expect(risky).toHaveLength(1);
  });

  test('hybrid chain only within 48 hours (the window the investigation priority uses)', async () => {
    const op = await record(makeAlert({ ...DETECTIONS.bruteForce, users: [account('CONTOSO\\jdoe')], seenAt: now(), start: now() }));
    t.clock.advance(3 * DAY_MS);
    const cl = await record(makeAlert({ ...DETECTIONS.impossibleTravel, users: [account('jdoe@contoso.com', { upn: 'jdoe@contoso.com' })], seenAt: now(), start: now() }));
    const ctx = await hybridContext(t.app.store.db, cl.alert);
    expect(ctx).toMatchObject({ other: 'onprem', count: 1, topTitles: ['Suspected brute force attack (Kerberos, NTLM)'], hybridChain: false });
    expect((await hybridContext(t.app.store.db, op.alert)).count).toBe(1);
    // Inside the listener's transaction too (how issue 6 calls it).
    const inTrx = await t.app.store.db.transaction().execute((trx) => hybridContext(trx, op.alert));
    expect(inTrx).toMatchObject({ other: 'cloud', count: 1, hybridChain: false });
    // 30 hours after an on-prem alert: inside the window.
    const op2 = await record(makeAlert({ ...DETECTIONS.passTheHash, users: [account('CONTOSO\\jdoe')], seenAt: now(), start: now() }));
    t.clock.advance(30 * HOUR_MS);
    const cl2 = await record(makeAlert({ ...DETECTIONS.impossibleTravel, users: [account('jdoe@contoso.com', { upn: 'jdoe@contoso.com' })], seenAt: now(), start: now() }));
    expect((await hybridContext(t.app.store.db, cl2.alert)).hybridChain).toBe(true);
    expect((await hybridContext(t.app.store.db, op2.alert)).hybridChain).toBe(true);
  });
});
