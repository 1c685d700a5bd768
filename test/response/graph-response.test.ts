import { USERS, type TestUser } from '../helpers/activities';
import { cardText } from '../helpers/cards';
import { REPEAT_AFTER_MS } from '../../bot/response/action-claims';
import { actionsOf, answerText, CHANNELS, confirmationOf, JDOE, JDOE_ID, startResponseRig, VERBS, type ResponseRig } from './response-helpers';

/**
 * Issue 15 with Microsoft Graph configured: confirm compromised, revoke sessions, disable the on-premises
 * account and force a password reset from the risky-user and user cards — role re-checked at click time,
 * one Graph call per action however often it is clicked, audited with Graph's answer, and every posted
 * copy of the card updated in place.
 */
describe('identity response through Microsoft Graph', () => {
  let rig: ResponseRig;
  afterEach(async () => {
    await rig?.close();
  });

  const graphCalls = () => ({
    confirm: rig.fake.identity.confirmed.length,
    dismiss: rig.fake.identity.dismissed.length,
    revoke: rig.fake.identity.revoked.length,
    invoke: rig.fake.identity.invoked.length,
  });

  test('Megan Bowen confirms John Doe compromised and revokes his sessions: Graph called once each, both channel copies updated, audited', async () => {
    rig = await startResponseRig();
    // The posted copy shows Entra ID Protection's view beside Hybridwatch's score.
    for (const ch of CHANNELS) expect(cardText(rig.latestCard(ch))).toMatch(/Entra ID Protection: Medium risk · at risk/);

    // Megan's own view of the card (refresh): the four response buttons, each behind a confirmation.
    const view = await rig.click('refresh', { view: 'user', userKey: JDOE }, USERS.securityAdmin);
    const confirm = confirmationOf(view.value, 'confirmCompromised', /^Confirm compromised/)!;
    expect(confirm.title).toBe('Confirm compromised…');
    expect(confirm.text).toMatch(/Confirm John Doe \(jdoe@contoso\.com\) as compromised in Entra ID Protection: their user risk becomes high/);
    expect(confirm.inner).toEqual([expect.objectContaining({ verb: 'user.confirmCompromised', data: { userKey: JDOE, confirm: true, view: 'risky-user' } })]);
    expect(confirmationOf(view.value, 'revokeSessions', /^Revoke sessions/)!.text).toMatch(/Revoke every sign-in session of John Doe \(jdoe@contoso\.com\) in Entra ID/);
    expect(confirmationOf(view.value, 'disableAccount', /^Disable/)!.text).toMatch(/Disable CONTOSO\\jdoe \(John Doe\) in Active Directory through Defender for Identity/);

    const a = await rig.click('user.confirmCompromised', confirm.inner[0].data, USERS.securityAdmin);
    expect(answerText(a)).toMatch(/John Doe is confirmed compromised in Entra ID Protection: their user risk is now high/);
    expect(answerText(a)).toMatch(/Confirmed compromised in Entra ID Protection by Megan Bowen at 2026-03-02 09:\d\d UTC/);
    expect(answerText(a)).toMatch(/Entra ID Protection: High risk · confirmed compromised/);
    expect(rig.fake.identity.confirmed).toEqual([JDOE_ID]);
    const write = rig.fake.calls.find((c) => c.path === '/v1.0/identityProtection/riskyUsers/confirmCompromised')!;
    expect(write).toMatchObject({ method: 'POST', status: 204, body: { userIds: [JDOE_ID] } });

    const revoke = confirmationOf(a.value, 'revokeSessions', /^Revoke sessions/)!;
    const b = await rig.click('user.revokeSessions', revoke.inner[0].data, USERS.securityAdmin);
    expect(answerText(b)).toMatch(/John Doe's sign-in sessions are revoked in Entra ID/);
    expect(rig.fake.identity.revoked).toEqual([JDOE_ID]);
    expect(rig.fake.calls.find((c) => c.path === `/v1.0/users/${JDOE_ID}/revokeSignInSessions`)).toMatchObject({ method: 'POST', status: 200 });

    // Every posted copy, in place (PUT on the activity each channel got), shows both.
    await rig.settle();
    for (const ch of CHANNELS) {
      const puts = rig.t.connector.updates(rig.posted.get(ch));
      expect(puts.length).toBeGreaterThanOrEqual(1);
      const text = cardText(rig.latestCard(ch));
      expect(text).toMatch(/Confirmed compromised in Entra ID Protection by Megan Bowen at/);
      expect(text).toMatch(/Sessions revoked by Megan Bowen at/);
      expect(text).toMatch(/Entra ID Protection: High risk · confirmed compromised \(admin confirmed user compromised\)/);
      // The posted copy is everyone's: no buttons in it (operators get them through refresh).
      expect(actionsOf(rig.latestCard(ch)).filter((x) => x.type !== 'Action.Execute' || x.verb !== 'refresh')).toEqual([]);
    }

    const audit = await rig.audit();
    const confirmRow = audit.find((r) => r.action === 'user.confirmCompromised')!;
    expect(confirmRow).toMatchObject({ outcome: 'ok', actor_name: 'Megan Bowen', detail: { userKey: JDOE, mode: 'graph', target: { aadObjectId: JDOE_ID }, graph: { status: 204 } } });
    expect(audit.find((r) => r.action === 'user.revokeSessions')).toMatchObject({ outcome: 'ok', actor_name: 'Megan Bowen', detail: { graph: { status: 200, value: true } } });
    expect(graphCalls()).toEqual({ confirm: 1, dismiss: 0, revoke: 1, invoke: 0 });
    // Entra ID Protection was never asked faster than once a second (the fake answers 429 when it is).
    expect(rig.fake.identity.paceViolations).toBe(0);
  });

  test('on-premises account: disable and force a password reset through Defender for Identity (invokeAction, provider activeDirectory)', async () => {
    rig = await startResponseRig();
    const d = await rig.click('user.disableAccount', { userKey: JDOE, confirm: true, view: 'user' }, USERS.globalAdmin);
    expect(answerText(d)).toMatch(/CONTOSO\\jdoe is disabled in Active Directory \(Defender for Identity correlation id ed2f052b-/);
    expect(answerText(d)).toMatch(/On-premises account disabled by Alex Wilber at/);
    // The answer is the card the button was on: here the user card.
    expect(answerText(d)).toMatch(/On-premises \(Azure ATP\)/);
    const p = await rig.click('user.forcePasswordReset', { userKey: JDOE, confirm: true, view: 'risky-user' }, USERS.securityAdmin);
    expect(answerText(p)).toMatch(/CONTOSO\\jdoe must change their password at the next sign-in/);
    expect(answerText(p)).toMatch(/Risky user/);
    expect(rig.fake.identity.invoked).toEqual([
      { identityAccountId: 'b1f0c7de-0539-4838-88b1-55baafdc0004', body: { accountId: '7c1e2a9b-930a-4991-9061-0d51a9a90004', action: 'disable', identityProvider: 'activeDirectory' } },
      { identityAccountId: 'b1f0c7de-0539-4838-88b1-55baafdc0004', body: { accountId: '7c1e2a9b-930a-4991-9061-0d51a9a90004', action: 'forcePasswordReset', identityProvider: 'activeDirectory' } },
    ]);
    await rig.settle();
    for (const ch of CHANNELS) expect(cardText(rig.latestCard(ch))).toMatch(/On-premises account disabled by Alex Wilber at[^\n]*\n?[\s\S]*Password reset forced on-premises by Megan Bowen at/);
    expect((await rig.audit('user.disableAccount'))[0]).toMatchObject({ outcome: 'ok', detail: { target: { sid: 'S-1-5-21-1004336348-1177238915-682003330-1107', identityAccountId: 'b1f0c7de-0539-4838-88b1-55baafdc0004' }, graph: { status: 200, correlationId: expect.stringMatching(/^ed2f052b-/) } } });
  });

  const ROLES: Array<[string, TestUser, boolean, RegExp | null]> = [
    ['Global Administrator', USERS.globalAdmin, true, null],
    ['Security Administrator', USERS.securityAdmin, true, null],
    ['Security Operator', USERS.securityOperator, false, /You have: Security Operator\./],
    ['Security Reader', USERS.securityReader, false, /You have: Security Reader\./],
    ['no role', USERS.noRole, false, /You have no Entra admin role/],
  ];

  test('each action by each role: Security Administrator and Global Administrator act; the others are refused naming the role, audited, Graph untouched', async () => {
    rig = await startResponseRig();
    for (const verb of VERBS) {
      for (const [role, user, allowed, have] of ROLES) {
        const before = graphCalls();
        const body = await rig.click(`user.${verb}`, { userKey: JDOE, confirm: true, view: 'risky-user' }, user);
        if (allowed) {
          expect(body.type).toBe('application/vnd.microsoft.card.adaptive');
          expect(answerText(body)).not.toMatch(/Not done/);
          const after = graphCalls();
          const made = Object.values(after).reduce((x, y) => x + y, 0) - Object.values(before).reduce((x, y) => x + y, 0);
          expect({ verb, role, made }).toEqual({ verb, role, made: 1 });
          // Past the repeat window, so the next allowed role calls Graph again rather than being answered "already done".
          rig.clock.advance(REPEAT_AFTER_MS + 1_000);
        } else {
          expect(body.type).toBe('application/vnd.microsoft.activity.message');
          expect(body.value).toMatch(/needs one of these roles: Global Administrator, Security Administrator\./);
          expect(body.value).toMatch(have!);
          expect(body.value).toMatch(/Nothing was changed/);
          expect(graphCalls()).toEqual(before);
        }
      }
    }
    expect(graphCalls()).toEqual({ confirm: 2, dismiss: 0, revoke: 2, invoke: 4 });
    const denied = (await rig.audit()).filter((r) => r.outcome === 'denied');
    expect(denied).toHaveLength(VERBS.length * 3);
    expect(denied.map((r) => r.actor_name).sort()).toEqual([...Array(VERBS.length).fill('Isaiah Langer'), ...Array(VERBS.length).fill('John Doe'), ...Array(VERBS.length).fill('Lee Gu')].sort());
    expect(denied.map((r) => r.detail.capability)).toEqual(Array(VERBS.length * 3).fill('respond'));
  });

  test('who sees the buttons: readers get none; operators see them (and are refused on click); administrators get them', async () => {
    rig = await startResponseRig();
    const verbsOn = (card: any) => actionsOf(card).flatMap((a) => a.inner.map((i) => i.verb)).filter((v) => /^user\./.test(v)).sort();
    const all = VERBS.map((v) => `user.${v}`).sort();
    const reader = await rig.click('user.show', { userKey: JDOE }, USERS.securityReader);
    expect(verbsOn(reader.value)).toEqual([]);
    expect(answerText(reader)).toMatch(/Entra ID Protection: Medium risk · at risk/);
    const operator = await rig.click('user.show', { userKey: JDOE }, USERS.securityOperator);
    expect(verbsOn(operator.value)).toEqual(all);
    expect(confirmationOf(operator.value, 'revokeSessions', /^Revoke/)!.text).toMatch(/Needs Security Administrator or Global Administrator; your role is checked when you confirm\./);
    const admin = await rig.click('user.show', { userKey: JDOE }, USERS.securityAdmin);
    expect(verbsOn(admin.value)).toEqual(all);
    expect(actionsOf(admin.value).map((a) => a.title)).toContain('Dismiss');
  });

  test('a button without the confirmation step only asks; nothing is called or recorded', async () => {
    rig = await startResponseRig();
    const body = await rig.click('user.revokeSessions', { userKey: JDOE }, USERS.securityAdmin);
    expect(answerText(body)).toMatch(/Confirm first \(nothing was done yet\): Revoke every sign-in session of John Doe/);
    expect(confirmationOf(body.value, 'revokeSessions', /^Revoke/)!.inner[0].data).toEqual({ userKey: JDOE, confirm: true, view: 'risky-user' });
    expect(graphCalls()).toEqual({ confirm: 0, dismiss: 0, revoke: 0, invoke: 0 });
    expect(await rig.t.app.store.db.selectFrom('identity_actions').selectAll().execute()).toEqual([]);
    // A bad user key or someone not in the hybrid view: a sentence, nothing called.
    expect((await rig.click('user.revokeSessions', { userKey: 42, confirm: true }, USERS.securityAdmin)).value).toMatch(/did not say which user/);
    expect((await rig.click('user.revokeSessions', { userKey: 'aad:99999999-0000-0000-0000-000000000000', confirm: true }, USERS.securityAdmin)).value).toMatch(/No such user in the hybrid view/);
    expect(graphCalls().revoke).toBe(0);
  });

  test('a double click and a Teams retry make one Graph call; each answer shows the current state', async () => {
    rig = await startResponseRig();
    rig.fake.identity.writeDelayMs = 400; // the first call is still in flight when the second click lands
    const data = { userKey: JDOE, confirm: true, view: 'risky-user' };
    const [one, two] = await Promise.all([rig.click('user.revokeSessions', data, USERS.securityAdmin), rig.click('user.revokeSessions', data, USERS.securityAdmin)]);
    const retry = await rig.click('user.revokeSessions', data, USERS.securityAdmin);
    expect(rig.fake.identity.revoked).toEqual([JDOE_ID]);
    const texts = [answerText(one), answerText(two)];
    expect(texts.filter((x) => /sign-in sessions are revoked in Entra ID/.test(x))).toHaveLength(1);
    expect(texts.filter((x) => /Already done: Megan Bowen asked to revoke sessions at .*; nothing was sent again/.test(x))).toHaveLength(1);
    expect(answerText(retry)).toMatch(/Already done: .*nothing was sent again/);
    for (const x of [...texts, answerText(retry)]) expect(x).toMatch(/Sessions revoked by Megan Bowen at/);
    const audit = await rig.audit('user.revokeSessions');
    expect(audit.map((r) => r.outcome).sort()).toEqual(['noop', 'noop', 'ok']);
    // After the repeat window it is a new, deliberate revoke.
    rig.clock.advance(REPEAT_AFTER_MS + 1_000);
    rig.fake.identity.writeDelayMs = 0;
    expect(answerText(await rig.click('user.revokeSessions', data, USERS.globalAdmin))).toMatch(/sign-in sessions are revoked/);
    expect(rig.fake.identity.revoked).toEqual([JDOE_ID, JDOE_ID]);
  });

  test('user.dismiss also dismisses the risk in Entra ID Protection when the user is risky there (once), and updates every posted copy', async () => {
    rig = await startResponseRig();
    const a = await rig.click('user.dismiss', { userKey: JDOE }, USERS.securityAdmin);
    expect(answerText(a)).toMatch(/Dismissed by Megan Bowen\. .*Their risk in Entra ID Protection is dismissed too\./);
    expect(rig.fake.identity.dismissed).toEqual([JDOE_ID]);
    expect(answerText(a)).toMatch(/Risk dismissed in Entra ID Protection by Megan Bowen at/);
    expect(answerText(a)).toMatch(/Entra ID Protection: No risk · dismissed/);
    await rig.settle();
    for (const ch of CHANNELS) {
      const text = cardText(rig.latestCard(ch));
      expect(text).toMatch(/Dismissed by Megan Bowen at/);
      expect(text).toMatch(/Risk dismissed in Entra ID Protection by Megan Bowen/);
    }
    expect((await rig.audit('user.dismissRisk'))[0]).toMatchObject({ outcome: 'ok', detail: { graph: { status: 204 } } });
    // A second Dismiss: nothing new locally, and Entra is not asked to dismiss again.
    const again = await rig.click('user.dismiss', { userKey: JDOE }, USERS.securityAdmin);
    expect(answerText(again)).toMatch(/was not risky/);
    expect(rig.fake.identity.dismissed).toEqual([JDOE_ID]);
  });

  test('user.dismiss leaves Entra ID Protection alone when it does not count the user at risk', async () => {
    rig = await startResponseRig({ entraRisky: false });
    const a = await rig.click('user.dismiss', { userKey: JDOE }, USERS.globalAdmin);
    expect(answerText(a)).toMatch(/Dismissed by Alex Wilber/);
    expect(answerText(a)).not.toMatch(/Entra ID Protection is dismissed/);
    expect(rig.fake.identity.dismissed).toEqual([]);
    expect(answerText(a)).toMatch(/Entra ID Protection: No risk · none/);
  });
});
