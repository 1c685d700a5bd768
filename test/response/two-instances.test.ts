import { USERS } from '../helpers/activities';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { PG_URL } from '../helpers/db';
import { claim } from '../../bot/response/action-claims';
import { answerText, CHANNELS, JDOE, JDOE_ID, startResponseRig, type ResponseRig } from './response-helpers';

/**
 * Two Hybridwatch instances on one database (PostgreSQL under `HW_TEST_DATABASE_URL`, as in production
 * behind a load balancer; SQLite otherwise): the same button pressed on both at once makes ONE Graph
 * call. The unique (user, action, round) row decides which instance calls; the other answers its state.
 */
describe(`identity response on two instances sharing one ${PG_URL ? 'PostgreSQL' : 'SQLite'} database`, () => {
  let rig: ResponseRig;
  let second: TestApp;
  afterEach(async () => {
    await second?.close();
    await rig?.close();
  });

  test('concurrent clicks on two instances: one Graph call, one "ok" and one "noop" in the audit, both answers show it done', async () => {
    rig = await startResponseRig();
    second = await startTestApp({ clock: rig.clock, db: rig.t.db, env: rig.t.env });
    rig.fake.identity.writeDelayMs = 500; // both clicks land while the first call is in flight
    const data = { userKey: JDOE, confirm: true, view: 'risky-user' };
    const [a, b] = await Promise.all([rig.click('user.revokeSessions', data, USERS.securityAdmin), rig.click('user.revokeSessions', data, USERS.globalAdmin, second)]);
    expect(rig.fake.identity.revoked).toEqual([JDOE_ID]);
    const texts = [answerText(a), answerText(b)];
    expect(texts.filter((x) => /sign-in sessions are revoked in Entra ID/.test(x))).toHaveLength(1);
    expect(texts.filter((x) => /^Already done: (Megan Bowen|Alex Wilber) asked to revoke sessions at .*nothing was sent again/m.test(x))).toHaveLength(1);
    for (const x of texts) expect(x).toMatch(/Sessions revoked by (Megan Bowen|Alex Wilber) at/);
    const audit = await rig.audit('user.revokeSessions');
    expect(audit.map((r) => r.outcome).sort()).toEqual(['noop', 'ok']);
    const rows = await rig.t.app.store.db.selectFrom('identity_actions').selectAll().execute();
    expect(rows.map((r) => [r.action, Number(r.round), r.status])).toEqual([['revokeSessions', 1, 'done']]);
    // The card update is written once, whichever instance delivers it.
    await rig.settle();
    for (const ch of CHANNELS) expect(rig.t.connector.updates(rig.posted.get(ch)).length).toBe(1);
  });

  test('the claim itself: eight claims racing on two instances\' connections, exactly one wins the round', async () => {
    rig = await startResponseRig();
    second = await startTestApp({ clock: rig.clock, db: rig.t.db, env: rig.t.env });
    const now = rig.clock.now();
    const q = (name: string) => ({ userKey: JDOE, action: 'forcePasswordReset' as const, actor: { id: name, name }, mode: 'graph' as const, target: {}, nowMs: now.getTime(), at: now.toISOString() });
    // Every claim reads "nothing yet" before any inserts: only the unique round decides.
    const claims = await Promise.all(Array.from({ length: 8 }, (_, i) => claim((i % 2 ? second : rig.t).app.store.db, q(`clicker ${i}`))));
    expect(claims.filter((c) => c.kind === 'mine')).toHaveLength(1);
    expect(claims.filter((c) => c.kind === 'pending')).toHaveLength(7);
    const winner = claims.find((c) => c.kind === 'mine')!.row;
    for (const c of claims) expect(c.row.id).toBe(winner.id);
  });

  test('Entra ID Protection writes too: three clicks across two instances, one confirmCompromised', async () => {
    rig = await startResponseRig();
    second = await startTestApp({ clock: rig.clock, db: rig.t.db, env: rig.t.env });
    rig.fake.identity.writeDelayMs = 500;
    const data = { userKey: JDOE, confirm: true, view: 'user' };
    const answers = await Promise.all([
      rig.click('user.confirmCompromised', data, USERS.securityAdmin),
      rig.click('user.confirmCompromised', data, USERS.securityAdmin, second),
      rig.click('user.confirmCompromised', data, USERS.globalAdmin, second),
    ]);
    expect(rig.fake.identity.confirmed).toEqual([JDOE_ID]);
    expect(answers.filter((x) => /is confirmed compromised in Entra ID Protection/.test(answerText(x)))).toHaveLength(1);
    expect((await rig.audit('user.confirmCompromised')).map((r) => r.outcome).sort()).toEqual(['noop', 'noop', 'ok']);
  });
});
