import { makeMessage, USERS } from '../helpers/activities';
import { cardText } from '../helpers/cards';
import { account, makeAlert } from '../helpers/alerts';
import { answerText, CHANNELS, confirmationOf, JDOE, startResponseRig, type ResponseRig } from './response-helpers';

/**
 * Issue 15's failure answers: a 403 names the missing application permission, a 404 says what Graph did
 * not know, Entra ID Protection's bare 429s are queued and paced, a network failure says so — each in
 * one sentence with the fix, and nothing recorded as done (no history line, no card update, audit "error").
 * Where an action cannot work at all (no Defender for Identity account, an on-premises-only user), the
 * button says why before anyone clicks.
 */
describe('identity response: failures and unavailable actions', () => {
  let rig: ResponseRig;
  afterEach(async () => {
    await rig?.close();
  });

  const data = (view = 'risky-user') => ({ userKey: JDOE, confirm: true, view });
  const doneRows = async () => (await rig.t.app.store.db.selectFrom('identity_actions').select(['action', 'status']).where('status', '=', 'done').execute()).map((r) => r.action);
  const putsSoFar = () => CHANNELS.map((ch) => rig.t.connector.updates(rig.posted.get(ch)).length);

  async function expectNothingDone(action: string, body: any, sentence: RegExp, status: number | null) {
    expect(answerText(body)).toMatch(sentence);
    expect(await doneRows()).toEqual([]);
    const row = (await rig.audit(`user.${action}`)).at(-1)!;
    expect(row).toMatchObject({ outcome: 'error', actor_name: 'Megan Bowen' });
    if (status !== null) expect(row.detail.graph.status).toBe(status);
    // No history line on the card the clicker gets back.
    expect(answerText(body)).not.toMatch(/ by Megan Bowen at /);
  }

  test('403: the missing application permission is named; nothing recorded; the posted cards are not touched', async () => {
    rig = await startResponseRig();
    const before = putsSoFar();
    rig.fake.forbidden.add('riskyUserWrites');
    await expectNothingDone('confirmCompromised', await rig.click('user.confirmCompromised', data(), USERS.securityAdmin), /Not done: Microsoft Graph refused confirming the user compromised in Entra ID Protection \(HTTP 403 Forbidden[^)]*\) — An administrator must grant the Microsoft Graph application permission IdentityRiskyUser\.ReadWrite\.All to the app in GRAPH_CLIENT_ID/, 403);
    rig.fake.forbidden.add('revokeSessions');
    await expectNothingDone('revokeSessions', await rig.click('user.revokeSessions', data(), USERS.securityAdmin), /permission User\.RevokeSessions\.All \(or Directory\.ReadWrite\.All where your tenant does not offer it\)/, 403);
    rig.fake.forbidden.add('identityActions');
    await expectNothingDone('disableAccount', await rig.click('user.disableAccount', data(), USERS.securityAdmin), /permission SecurityIdentitiesActions\.ReadWrite\.All/, 403);
    await rig.settle();
    expect(putsSoFar()).toEqual(before);
    // Granted: the next click is a new attempt, and it works.
    rig.fake.forbidden.clear();
    expect(answerText(await rig.click('user.confirmCompromised', data(), USERS.securityAdmin))).toMatch(/is confirmed compromised/);
    expect(await doneRows()).toEqual(['confirmCompromised']);
  });

  test('404: Graph does not know the user or the account; for the on-premises account it is looked up again next time', async () => {
    rig = await startResponseRig();
    rig.fake.failNext(1, { status: 404, code: 'Request_ResourceNotFound', message: "Resource '…' does not exist", match: (r) => r.path.endsWith('/revokeSignInSessions') });
    await expectNothingDone('revokeSessions', await rig.click('user.revokeSessions', data(), USERS.securityAdmin), /Not done: Microsoft Graph does not know it \(revoking the user's sign-in sessions, HTTP 404 Request_ResourceNotFound[^)]*\) — It may have been deleted, or belong to another tenant than GRAPH_TENANT_ID\./, 404);

    // The identity account is gone from Defender for Identity between the card and the click.
    const lookups = () => rig.fake.calls.filter((c) => c.area === 'identityAccounts').length;
    await rig.click('user.show', { userKey: JDOE }, USERS.securityAdmin); // looks the account up (and caches it)
    expect(lookups()).toBe(1);
    const gone = rig.fake.identity.identityAccounts.splice(0);
    const click = await rig.click('user.disableAccount', data(), USERS.securityAdmin);
    await expectNothingDone('disableAccount', click, /Not done: Microsoft Graph does not know it \(disabling the on-premises account through Defender for Identity, HTTP 404/, 404);
    // The cached account was dropped: the answer's buttons come from a fresh lookup and say why.
    expect(lookups()).toBe(2);
    expect(confirmationOf(click.value, 'disableAccount', /^Disable/)!.text).toMatch(/Not available: Defender for Identity has no account with the on-premises SID of CONTOSO\\jdoe \(S-1-5-21-1004336348-1177238915-682003330-1107\)\./);
    rig.fake.identity.identityAccounts.push(...gone);
  });

  test('429 without Retry-After from Entra ID Protection: the call backs off and retries; calls stay paced a second apart', async () => {
    rig = await startResponseRig();
    rig.fake.failNext(1, { status: 429, match: (r) => r.path.endsWith('/confirmCompromised') });
    const a = await rig.click('user.confirmCompromised', data(), USERS.securityAdmin);
    expect(answerText(a)).toMatch(/is confirmed compromised/);
    const writes = rig.fake.calls.filter((c) => c.path.endsWith('/confirmCompromised'));
    expect(writes.map((w) => w.status)).toEqual([429, 204]);
    expect(writes[1].at - writes[0].at).toBeGreaterThanOrEqual(500); // exponential backoff, not Retry-After
    // Back to back Entra ID Protection calls (a dismiss that reads then writes) are spaced a second apart by the queue.
    await rig.click('user.dismiss', { userKey: JDOE }, USERS.securityAdmin);
    const ip = rig.fake.calls.filter((c) => c.path.startsWith('/v1.0/identityProtection/') && c.status !== 429).map((c) => c.at);
    for (let i = 1; i < ip.length; i++) expect(ip[i] - ip[i - 1]).toBeGreaterThanOrEqual(1_000);
    expect(rig.fake.identity.paceViolations).toBe(0);
  });

  test('429 that outlasts a card action: "try again in N seconds", nothing recorded, only that family held back; the next click works', async () => {
    rig = await startResponseRig();
    rig.fake.failNext(3, { status: 429, match: (r) => r.path.endsWith('/confirmCompromised') });
    await expectNothingDone('confirmCompromised', await rig.click('user.confirmCompromised', data(), USERS.securityAdmin), /Not done: Microsoft Graph is throttling Hybridwatch \(confirming the user compromised in Entra ID Protection, HTTP 429\) — Try again in \d+ seconds?; Entra ID Protection allows about one request a second for the whole tenant/, 429);
    // Only Entra ID Protection's queue is held back (a bare 429 is its own limit): an alerts poll right now waits for nothing.
    expect(rig.graph().client!.pace('identityProtection').waitMs()).toBeGreaterThan(0);
    const slept = rig.clock.slept;
    expect((await rig.graph().pollOnce()).error).toBeUndefined();
    expect(rig.clock.slept).toBe(slept);
    rig.fake.script.length = 0;
    rig.clock.advance(5_000);
    expect(answerText(await rig.click('user.confirmCompromised', data(), USERS.securityAdmin))).toMatch(/is confirmed compromised/);
  });

  test('network failure: said plainly, nothing recorded', async () => {
    rig = await startResponseRig();
    rig.fake.failNext(2, { status: 0, drop: true, match: (r) => r.path.endsWith('/revokeSignInSessions') });
    await expectNothingDone('revokeSessions', await rig.click('user.revokeSessions', data(), USERS.securityAdmin), /Not done: Could not reach Microsoft Graph for revoking the user's sign-in sessions/, null);
    expect(rig.fake.identity.revoked).toEqual([]);
  });

  test('no Defender for Identity account, or a tenant not onboarded: the on-premises buttons say why; a click says why and calls nothing', async () => {
    rig = await startResponseRig({ mdiAccount: false });
    const view = await rig.click('refresh', { view: 'user', userKey: JDOE }, USERS.securityAdmin);
    for (const [verb, title] of [['disableAccount', /^Disable/], ['forcePasswordReset', /^Force/]] as const) {
      const c = confirmationOf(view.value, verb, title)!;
      expect(c.text).toMatch(/^Not available: Defender for Identity has no account with the on-premises SID of CONTOSO\\jdoe/);
      expect(c.inner).toEqual([]); // no confirm button to fail on
    }
    // The cloud actions are still there.
    expect(confirmationOf(view.value, 'revokeSessions', /^Revoke/)!.inner).toHaveLength(1);
    const click = await rig.click('user.forcePasswordReset', data(), USERS.securityAdmin);
    expect(answerText(click)).toMatch(/Not done: Defender for Identity has no account with the on-premises SID/);
    expect(rig.fake.identity.invoked).toEqual([]);

    await rig.close();
    rig = await startResponseRig();
    rig.fake.notOnboarded = true;
    const v2 = await rig.click('user.show', { userKey: JDOE }, USERS.globalAdmin);
    expect(confirmationOf(v2.value, 'disableAccount', /^Disable/)!.text).toMatch(/Not available: This tenant is not onboarded to Defender for Identity, so Hybridwatch cannot act on on-premises accounts — Turn on Microsoft Defender for Identity/);
  });

  test('an on-premises-only account: the cloud actions are disabled with the reason; the on-premises ones use the SID its alert carried', async () => {
    rig = await startResponseRig();
    const sid = 'S-1-5-21-1004336348-1177238915-682003330-2001';
    await rig.t.app.services.ledger.record(makeAlert({ source: 'onprem', users: [account('CONTOSO\\svc-legacy', { sam: 'svc-legacy', domain: 'CONTOSO', sid })], seenAt: rig.clock.now().toISOString() }));
    const key = (await rig.t.app.store.db.selectFrom('user_scores').select('user_key').where('user_key', 'like', 'onprem:%').executeTakeFirstOrThrow()).user_key;
    rig.fake.identity.identityAccounts.push({ id: 'ia-legacy', displayName: 'svc-legacy', domain: 'contoso.local', onPremisesSecurityIdentifier: sid, isEnabled: true, accounts: [{ provider: 'ActiveDirectory', identifier: 'ad-legacy', actions: [] }] });
    const view = await rig.click('user.show', { userKey: key }, USERS.securityAdmin);
    for (const [verb, title] of [['confirmCompromised', /^Confirm/], ['revokeSessions', /^Revoke/]] as const) {
      const c = confirmationOf(view.value, verb, title)!;
      expect(c.text).toMatch(/^Not available: .* has no Entra object id \(an on-premises-only account\), so Entra ID cannot act on them\./);
      expect(c.inner).toEqual([]);
    }
    expect(answerText(view)).toMatch(/Entra ID Protection: none \(an on-premises-only account has no Entra object id\)/);
    expect(answerText(await rig.click('user.revokeSessions', { userKey: key, confirm: true }, USERS.securityAdmin))).toMatch(/Not done: .* has no Entra object id/);
    expect(rig.fake.identity.revoked).toEqual([]);
    const d = await rig.click('user.disableAccount', { userKey: key, confirm: true, view: 'user' }, USERS.securityAdmin);
    expect(answerText(d)).toMatch(/is disabled in Active Directory/);
    expect(rig.fake.identity.invoked[0]).toEqual({ identityAccountId: 'ia-legacy', body: { accountId: 'ad-legacy', action: 'disable', identityProvider: 'activeDirectory' } });
  });

  test("Entra ID Protection's view: cached; a missing permission is said once (status, one log), not per card", async () => {
    rig = await startResponseRig();
    const reads = () => rig.fake.calls.filter((c) => c.area === 'riskyUsers').length;
    const n = reads();
    for (let i = 0; i < 3; i++) expect(answerText(await rig.click('user.show', { userKey: JDOE }, USERS.securityReader))).toMatch(/Entra ID Protection: Medium risk · at risk/);
    expect(reads()).toBe(n); // cached (≤ 5 minutes)

    rig.clock.advance(6 * 60_000);
    rig.fake.forbidden.add('riskyUsers');
    for (let i = 0; i < 3; i++) expect(answerText(await rig.click('user.show', { userKey: JDOE }, USERS.securityReader))).toMatch(/Entra ID Protection: not available to Hybridwatch \(send `status` for why and the fix\)/);
    expect(reads()).toBe(n + 1); // asked once, then remembered
    const status = await rig.t.post(makeMessage('status', USERS.securityReader, rig.t.connector.url));
    expect(status.status).toBe(200);
    const card = rig.t.connector.cards().at(-1);
    expect(cardText(card)).toMatch(/Entra ID Protection: Microsoft Graph refused reading the user in Entra ID Protection \(HTTP 403[^)]*\) — An administrator must grant the Microsoft Graph application permission IdentityRiskyUser\.Read\.All/);
    // Hybridwatch's own score is still there, and the actions still work.
    const click = await rig.click('user.revokeSessions', data('user'), USERS.securityAdmin);
    expect(answerText(click)).toMatch(/Investigation priority: 41\.6/);
    expect(answerText(click)).toMatch(/sign-in sessions are revoked/);
  });

  test('a tenant without Entra ID P2: said as such on `status`', async () => {
    rig = await startResponseRig();
    rig.clock.advance(6 * 60_000);
    rig.fake.identity.unlicensed = true;
    expect(answerText(await rig.click('user.show', { userKey: JDOE }, USERS.securityReader))).toMatch(/Entra ID Protection: not available to Hybridwatch/);
    await rig.t.post(makeMessage('status', USERS.securityReader, rig.t.connector.url));
    expect(cardText(rig.t.connector.cards().at(-1))).toMatch(/Entra ID Protection: Entra ID Protection is not available in this tenant \(it needs Microsoft Entra ID P2\)/);
  });
});
