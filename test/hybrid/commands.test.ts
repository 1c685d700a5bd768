import { DAY_MS } from '../../bot/clock';
import { USERS } from '../helpers/activities';
import { DETECTIONS, account, makeAlert, retrigger } from '../helpers/alerts';
import { cardText, expectInert, expectValidCard } from '../helpers/cards';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { HYBRID_DIRECTORY, JDOE, captureRisky, click, hybrid, jdoeAttack, say } from './helpers';

describe('risky / user / alerts commands and user.dismiss over /api/messages', () => {
  let t: TestApp;
  let risky: ReturnType<typeof captureRisky>;
  beforeEach(async () => {
    t = await startTestApp({ env: { DIRECTORY_FILE: HYBRID_DIRECTORY, RETENTION_DAYS: '30' } });
    risky = captureRisky(t.app);
  });
  afterEach(async () => {
    await t.close();
  });
  const now = () => t.clock.now().toISOString();
  const record = (a: ReturnType<typeof makeAlert>) => t.app.services.ledger.record(a);
  const auditRows = () => t.app.store.db.selectFrom('audit_log').selectAll().where('action', 'like', '%ismiss%').orderBy('at').execute();

  test('user.dismiss: readers are denied; a Security Administrator clears it (audited, idempotent); re-fires only on a new alert that raises the score', async () => {
    const attack = jdoeAttack(now());
    for (const a of attack) await record(a);
    expect(risky).toHaveLength(1);

    const denied = await click(t, 'user.dismiss', { userKey: JDOE }, USERS.securityReader);
    expect(denied.type).toBe('application/vnd.microsoft.activity.message');
    expect(denied.value).toMatch(/Dismissing a risky user needs one of these roles: Global Administrator, Security Administrator/);

    const ok = await click(t, 'user.dismiss', { userKey: JDOE }, USERS.securityAdmin);
    expect(ok.type).toBe('application/vnd.microsoft.card.adaptive');
    expectValidCard(ok.value);
    expect(cardText(ok.value)).toMatch(/Dismissed by Megan Bowen/);
    expect(cardText(ok.value)).not.toContain('[Dismiss]');
    const again = await click(t, 'user.dismiss', { userKey: JDOE }, USERS.securityAdmin);
    expect(cardText(again.value)).toMatch(/nothing changed/);

    const rows = await auditRows();
    expect(rows.map((r) => [r.action, r.outcome, r.actor_id])).toEqual([
      ['Dismissing a risky user', 'denied', USERS.securityReader.aadObjectId],
      ['user.dismiss', 'ok', USERS.securityAdmin.aadObjectId],
      ['user.dismiss', 'noop', USERS.securityAdmin.aadObjectId],
    ]);
    expect(JSON.parse(rows[1].detail)).toEqual({ userKey: JDOE, score: 41.6 });

    // A re-trigger, or a sweep, does not bring it back (the same evidence).
    await record(retrigger(attack[1], { seenAt: now() }));
    await hybrid(t.app).sweep();
    expect(risky).toHaveLength(1);
    await say(t, 'risky', USERS.securityReader);
    expect(cardText(t.connector.cards()[0])).toContain('1. John Doe · dismissed');
    // A new alert of a type he did not have when dismissed is new evidence: notified again.
    await record(makeAlert({ ...DETECTIONS.ldapRecon, users: [account('CONTOSO\\jdoe')], seenAt: now() }));
    expect(risky).toHaveLength(2);
  });

  test('user.dismiss with bad data answers a message and changes nothing', async () => {
    for (const data of [{}, { userKey: 42 }, { userKey: 'x'.repeat(1000) }]) {
      const body = await click(t, 'user.dismiss', data, USERS.globalAdmin);
      expect(body.type).toBe('application/vnd.microsoft.activity.message');
    }
    const unknown = await click(t, 'user.dismiss', { userKey: 'aad:nobody' }, USERS.globalAdmin);
    expect(unknown.value).toMatch(/No such user/);
  });

  test('alerts: latest open, hybrid chain flagged, hostile titles and names drawn literally and inert', async () => {
    await record(makeAlert({ ...DETECTIONS.bruteForce, title: '[click](https://evil.example) **pwn** <img src=x>', users: [account('CONTOSO\\jdoe')], seenAt: now() }));
    await record(makeAlert({ ...DETECTIONS.impossibleTravel, users: [account('jdoe@contoso.com', { upn: 'jdoe@contoso.com' })], seenAt: now() }));
    await record(makeAlert({ ...DETECTIONS.passTheHash, users: [account('EVIL\\*bold*[x](https://evil.example)')], seenAt: now() }));
    const [msg] = await say(t, 'alerts', USERS.securityReader);
    expect(msg.summary).toBe('Open alerts: 3');
    const c = t.connector.cards()[0];
    expectValidCard(c);
    const text = cardText(c);
    expect(text).toContain('⛓ hybrid chain');
    expect(text).toContain('also on-premises: 1');
    // Drawn exactly as the source wrote it, in TextRuns (no Markdown there), never as a link.
    expect(text).toContain('[click](https://evil.example) **pwn** <img src=x>');
    expectInert(c, 'evil.example');
    expectInert(c, '<img');

    await say(t, 'risky', USERS.securityReader);
    const rc = t.connector.cards()[0];
    expectValidCard(rc);
    expectInert(rc, 'evil.example');
    await say(t, 'user EVIL\\*bold*[x](https://evil.example)', USERS.securityReader);
    const uc = t.connector.cards()[0];
    expectValidCard(uc);
    expectInert(uc, 'evil.example');
    expect(cardText(uc)).toMatch(/unresolved: no directory user matches/);
  });

  test('user: unknown, empty and oversized names get a clear answer', async () => {
    expect((await say(t, 'user nobody-at-all', USERS.securityReader))[0].text).toMatch(/No user matches that name/);
    expect((await say(t, 'user', USERS.securityReader))[0].text).toMatch(/Which user\?/);
    expect((await say(t, `user ${'a'.repeat(300)}`, USERS.securityReader))[0].text).toMatch(/longer than 256/);
    // A directory user with no alerts: an empty profile, not an error.
    await say(t, 'user alex@contoso.com', USERS.securityReader);
    const c = t.connector.cards()[0];
    expectValidCard(c);
    expect(cardText(c)).toMatch(/Investigation priority: 0/);
  });

  test('commands need a reader role', async () => {
    for (const cmd of ['risky', 'alerts', 'user jdoe']) {
      const [m] = await say(t, cmd, USERS.noRole);
      expect(m.text).toMatch(/needs one of these roles/);
    }
  });

  test('privileged users weigh more: a Global Administrator with the same alerts scores double', async () => {
    await record(makeAlert({ ...DETECTIONS.passTheHash, users: [account('CONTOSO\\awilber')], seenAt: now() }));
    await record(makeAlert({ ...DETECTIONS.passTheHash, sourceId: 'pth-jdoe', users: [account('CONTOSO\\jdoe')], seenAt: now() }));
    const rows = await t.app.store.db.selectFrom('user_scores').select(['user_key', 'score_centi', 'impact_centi']).orderBy('user_key').execute();
    // No baseline yet (the rarity is capped at 0.5 while it learns): GA 10 × 0.5 × 2 = 10, jdoe 10 × 0.5 = 5.
    expect(rows.map((r) => [r.user_key, Number(r.impact_centi)])).toEqual([
      ['aad:00000000-0000-0000-0000-000000000001', 200],
      [JDOE, 100],
    ]);
    await say(t, 'risky', USERS.securityReader);
    const text = cardText(t.connector.cards()[0]);
    expect(text.indexOf('Alex Wilber')).toBeLessThan(text.indexOf('John Doe'));
    expect(text).toMatch(/\n10\n/);
    expect(text).toMatch(/\n5\n/);
    expect(rows.map((r) => Number(r.score_centi))).toEqual([1000, 500]);
  });

  test('an alert closed as false positive stops counting (alert.changed inside the closing transaction)', async () => {
    const { alert } = await record(makeAlert({ ...DETECTIONS.passTheHash, users: [account('CONTOSO\\jdoe')], seenAt: now() }));
    const score = async () => Number((await t.app.store.db.selectFrom('user_scores').select('score_centi').where('user_key', '=', JDOE).executeTakeFirstOrThrow()).score_centi);
    expect(await score()).toBe(500);
    await t.app.store.db.transaction().execute(async (trx) => {
      await trx.updateTable('alerts').set({ status: 'closed', resolution: 'falsePositive' }).where('id', '=', alert.id).execute();
      const closed = { ...alert, status: 'closed' as const, resolution: 'falsePositive' };
      await t.app.services.events.emit(trx, { type: 'alert.changed', alert: closed, action: 'close', actor: { id: USERS.securityOperator.aadObjectId, name: 'Isaiah Langer' }, at: now() });
    });
    expect(await score()).toBe(0);
  });

  test('retention: the purge deletes alerts (and hybrid rows) older than RETENTION_DAYS by last seen; disabling keeps data', async () => {
    const old = await record(makeAlert({ ...DETECTIONS.passTheHash, users: [account('CONTOSO\\jdoe')], seenAt: now() }));
    await t.app.services.integration.enable({ id: USERS.globalAdmin.aadObjectId, name: 'Alex Wilber' });
    await t.app.services.integration.disable({ id: USERS.globalAdmin.aadObjectId, name: 'Alex Wilber' });
    expect(await t.app.services.ledger.get(old.alert.id)).not.toBeNull(); // disabling keeps data
    t.clock.advance(20 * DAY_MS);
    const kept = await record(makeAlert({ ...DETECTIONS.bruteForce, users: [account('CONTOSO\\jdoe')], seenAt: now() }));
    t.clock.advance(11 * DAY_MS);
    const r = await hybrid(t.app).purge();
    expect(r).toMatchObject({ alerts: 1, alertUsers: 1 });
    expect(await t.app.services.ledger.get(old.alert.id)).toBeNull();
    expect(await t.app.services.ledger.get(kept.alert.id)).not.toBeNull();
    const au = await t.app.store.db.selectFrom('alert_users').select('alert_id').execute();
    expect(au.map((x) => x.alert_id)).toEqual([kept.alert.id]);
    // The timer's tick purges at most daily (kv mark), and sweeps every time.
    await hybrid(t.app).tick();
    const mark = await t.app.store.db.selectFrom('kv').selectAll().where('key', '=', 'hybrid.purge.last').executeTakeFirstOrThrow();
    expect(mark.value).toBe(now());
  });
});
