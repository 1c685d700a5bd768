import { startTestApp, type TestApp } from '../helpers/test-app';
import { USERS } from '../helpers/activities';
import { SseClient, cardText, executeActions, type SseEvent } from './sse-client';

const TOKEN = 'response-done-when-token';
const CHANNEL = '19:dev-soc-alerts@thread.tacv2';
const JDOE = 'aad:00000000-0000-0000-0000-000000000004';

function post(t: TestApp, path: string, body: unknown) {
  return fetch(`${t.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then(async (r) => ({ status: r.status, body: await r.json().catch(() => null) }));
}

/**
 * Issue 15 "done when", through the dev console's own API (what its buttons send), in local mode: after
 * the replay, Megan Bowen (Security Administrator) confirms John Doe compromised and revokes his sessions
 * from the risky-user card in the SOC channel; the channel copy of the card shows both, the audit has
 * both, and Lee Gu (Security Reader) and Isaiah Langer (Security Operator) pressing the same buttons are
 * refused with the role named. Local mode says "simulated" everywhere.
 */
describe('dev console: respond to a risky user from the channel card (local mode, simulated)', () => {
  let t: TestApp;
  let sse: SseClient;
  let riskyMessage: any;

  beforeAll(async () => {
    t = await startTestApp({ env: { INGEST_TOKEN: TOKEN } });
    sse = new SseClient(`${t.url}/dev/api/events`);
    // As in the console: Alex enables the integration, Megan subscribes the channel, then the replay.
    await post(t, '/dev/api/send', { userId: USERS.globalAdmin.aadObjectId, pane: 'personal', text: 'enable' });
    const confirm = await sse.waitFor((ev) => ev.find((e) => e.event === 'message' && executeActions(e.data.message.cards).some((a) => a.verb === 'integration.enable')));
    await post(t, '/dev/api/invoke', { userId: USERS.globalAdmin.aadObjectId, activityId: confirm.data.message.id, verb: 'integration.enable', data: {} });
    await post(t, '/dev/api/send', { userId: USERS.securityAdmin.aadObjectId, pane: 'channel', text: 'subscribe low' });
    await sse.waitFor((ev) => ev.find((e) => e.event === 'message' && /now receives hybrid alert cards/.test(e.data.message.text ?? '')));
    expect((await post(t, '/dev/api/replay', { pace: 'fast' })).status).toBe(200);
    const risky = await sse.waitFor((ev) => ev.find((e) => e.event === 'message' && e.data.message.conversationId === CHANNEL && /Risky user/.test(cardText(e.data.message.cards))), 20_000);
    riskyMessage = risky.data.message;
  }, 60_000);
  afterAll(async () => {
    sse.close();
    await t.close();
  });

  /** The button as `user` sees it on the channel card: their own view through the card's refresh, then the confirm inside its ShowCard. */
  async function buttonFor(userId: string, verb: string) {
    const r = await post(t, '/dev/api/invoke', { userId, activityId: riskyMessage.id, verb: 'refresh', data: { view: 'user', userKey: JDOE }, trigger: 'automatic' });
    expect(r.body.response.type).toBe('application/vnd.microsoft.card.adaptive');
    return executeActions(r.body.response.value).find((a) => a.verb === verb);
  }
  const press = (userId: string, verb: string, data: Record<string, unknown>) => post(t, '/dev/api/invoke', { userId, activityId: riskyMessage.id, verb, data });
  const latestChannelCard = () => {
    const updates = sse.events.filter((e: SseEvent) => e.event === 'update' && e.data.message.id === riskyMessage.id);
    return updates.length ? updates[updates.length - 1].data.message.cards : riskyMessage.cards;
  };

  test('Megan Bowen confirms John Doe compromised, then revokes his sessions: simulated, and the channel copy shows both', async () => {
    expect(cardText(riskyMessage.cards)).toContain('John Doe');
    const confirm = await buttonFor(USERS.securityAdmin.aadObjectId, 'user.confirmCompromised');
    expect(confirm?.data).toEqual({ userKey: JDOE, confirm: true, view: 'risky-user' });
    const a = await press(USERS.securityAdmin.aadObjectId, confirm!.verb, confirm!.data);
    expect(cardText(a.body.response.value)).toMatch(/John Doe is confirmed compromised in Entra ID Protection: their user risk is now high\. Simulated in local mode: nothing was sent to Entra ID or Active Directory\./);

    const revoke = await buttonFor(USERS.securityAdmin.aadObjectId, 'user.revokeSessions');
    const b = await press(USERS.securityAdmin.aadObjectId, revoke!.verb, revoke!.data);
    expect(cardText(b.body.response.value)).toMatch(/John Doe's sign-in sessions are revoked in Entra ID/);

    await sse.waitFor(() => /Sessions revoked by Megan Bowen/.test(cardText(latestChannelCard())) || undefined);
    const channel = cardText(latestChannelCard());
    expect(channel).toMatch(/Confirmed compromised in Entra ID Protection by Megan Bowen at \d{4}-\d\d-\d\d \d\d:\d\d UTC \(simulated in local mode\)/);
    expect(channel).toMatch(/Sessions revoked by Megan Bowen at \d{4}-\d\d-\d\d \d\d:\d\d UTC \(simulated in local mode\)/);
    expect(channel).toMatch(/High risk · confirmed compromised \(admin confirmed user compromised\) · updated .* \(simulated in local mode\)/);

    const audit = (await t.app.store.db.selectFrom('audit_log').selectAll().where('outcome', '=', 'ok').where('action', 'in', ['user.confirmCompromised', 'user.revokeSessions']).orderBy('at').execute()).map((r) => ({ action: r.action, by: r.actor_name, detail: JSON.parse(r.detail) }));
    expect(audit).toEqual([
      { action: 'user.confirmCompromised', by: 'Megan Bowen', detail: expect.objectContaining({ userKey: JDOE, mode: 'local', graph: expect.objectContaining({ simulated: true }) }) },
      { action: 'user.revokeSessions', by: 'Megan Bowen', detail: expect.objectContaining({ userKey: JDOE, mode: 'local', graph: expect.objectContaining({ simulated: true }) }) },
    ]);
  });

  test.each([
    ['Lee Gu', USERS.securityReader.aadObjectId, 'Security Reader'],
    ['Isaiah Langer', USERS.securityOperator.aadObjectId, 'Security Operator'],
  ])('%s pressing the same buttons is refused, naming the role', async (name, userId, role) => {
    for (const verb of ['user.confirmCompromised', 'user.revokeSessions']) {
      const r = await press(userId, verb, { userKey: JDOE, confirm: true, view: 'risky-user' });
      expect(r.body.response.type).toBe('application/vnd.microsoft.activity.message');
      expect(r.body.response.value).toMatch(/needs one of these roles: Global Administrator, Security Administrator\./);
      expect(r.body.response.value).toContain(`You have: ${role}.`);
    }
    const denied = await t.app.store.db.selectFrom('audit_log').select(['action']).where('outcome', '=', 'denied').where('actor_name', '=', name).execute();
    expect(denied.map((d) => d.action).sort()).toEqual(["Confirming a user compromised in Entra ID Protection", "Revoking a user's sign-in sessions"]);
    // Nothing more was done: still one of each.
    const rows = await t.app.store.db.selectFrom('identity_actions').select(['action', 'status']).execute();
    expect(rows.sort((x, y) => x.action.localeCompare(y.action))).toEqual([{ action: 'confirmCompromised', status: 'done' }, { action: 'revokeSessions', status: 'done' }]);
  });

  test('Isaiah Langer sees the buttons on his own view (so he can press them); Lee Gu gets no interactive view', async () => {
    expect(await buttonFor(USERS.securityOperator.aadObjectId, 'user.revokeSessions')).toBeDefined();
    expect(await buttonFor(USERS.securityReader.aadObjectId, 'user.revokeSessions')).toBeUndefined();
  });

  test('local mode: the on-premises account comes from the directory file; Dismiss also dismisses the simulated Entra risk', async () => {
    const disable = await buttonFor(USERS.securityAdmin.aadObjectId, 'user.disableAccount');
    const d = await press(USERS.securityAdmin.aadObjectId, disable!.verb, disable!.data);
    expect(cardText(d.body.response.value)).toMatch(/CONTOSO\\jdoe is disabled in Active Directory \(Defender for Identity\)\. Simulated in local mode/);
    t.clock.advance(60_000); // a minute later (the console's clock is a test clock here)
    const dismiss = await press(USERS.securityAdmin.aadObjectId, 'user.dismiss', { userKey: JDOE });
    expect(cardText(dismiss.body.response.value)).toMatch(/Their risk in Entra ID Protection is dismissed too\. Simulated in local mode/);
    expect(cardText(dismiss.body.response.value)).toMatch(/No risk · dismissed/);
    const target = JSON.parse((await t.app.store.db.selectFrom('identity_actions').select('target').where('action', '=', 'disableAccount').executeTakeFirstOrThrow()).target);
    expect(target).toMatchObject({ sid: 'S-1-5-21-1004336348-1177238915-682003330-1107', identityAccountId: 'local:S-1-5-21-1004336348-1177238915-682003330-1107' });
  });
});
