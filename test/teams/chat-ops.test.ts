import { startTestApp, type TestApp } from '../helpers/test-app';
import { makeAction, makeMessage, USERS, type TestUser } from '../helpers/activities';
import { cardText, expectValidCard } from '../helpers/cards';

describe('chat-ops over /api/messages (real restify, botbuilder, database)', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await startTestApp();
  });
  afterEach(async () => {
    await t.close();
  });

  const say = async (text: string, user: TestUser = USERS.globalAdmin) => {
    t.connector.clear();
    const res = await t.post(makeMessage(text, user, t.connector.url));
    expect(res.status).toBe(200);
    return t.connector.sent();
  };
  const click = async (verb: string, user: TestUser = USERS.globalAdmin, data: Record<string, unknown> = {}) => {
    const res = await t.post(makeAction(verb, data, user, t.connector.url));
    expect(res.status).toBe(200);
    return res.body;
  };
  const state = async () => (await t.app.services.integration.get()).state;

  test('a Security Reader asks status and gets the status card', async () => {
    await say('status', USERS.securityReader);
    const cards = t.connector.cards();
    expect(cards).toHaveLength(1);
    expectValidCard(cards[0]);
    expect(cardText(cards[0])).toContain('Disabled');
    expect(t.connector.sent()[0].summary).toBe('Azure ATP integration: Disabled');
  });

  test('Global Administrator: enable → confirm → pending; status; disable → confirm → disabled', async () => {
    await say('enable');
    const confirm = t.connector.cards()[0];
    expectValidCard(confirm);
    expect(cardText(confirm)).toMatch(/12 hours/);
    expect(confirm.actions.find((a: any) => a.verb === 'integration.enable')).toBeTruthy();
    expect(await state()).toBe('disabled');

    const body = await click('integration.enable');
    expect(body.statusCode).toBe(200);
    expect(body.type).toBe('application/vnd.microsoft.card.adaptive');
    expect(cardText(body.value)).toContain('Pending');
    expect(cardText(body.value)).toContain('Identity Security Posture');
    expect(await state()).toBe('pending');

    await say('status', USERS.securityReader);
    expect(cardText(t.connector.cards()[0])).toContain('Pending');

    await say('disable');
    expect(cardText(t.connector.cards()[0])).toMatch(/kept for 180 days/);
    const off = await click('integration.disable');
    expect(cardText(off.value)).toContain('Disabled');
    expect(cardText(off.value)).not.toContain('Identity Security Posture');
    expect(await state()).toBe('disabled');

    const auditRows = await t.app.store.db.selectFrom('audit_log').selectAll().where('outcome', '=', 'ok').orderBy('at').execute();
    expect(auditRows.map((r) => [r.action, r.from_state, r.to_state, r.actor_id])).toEqual([
      ['integration.enable', 'disabled', 'pending', USERS.globalAdmin.aadObjectId],
      ['integration.disable', 'pending', 'disabled', USERS.globalAdmin.aadObjectId],
    ]);
  });

  test('a user with no role asks enable: denied, the role named, state unchanged, audited', async () => {
    const sent = await say('enable', USERS.noRole);
    expect(sent).toHaveLength(1);
    expect(sent[0].text).toMatch(/needs the Global Administrator role/);
    expect(sent[0].text).toMatch(/no Entra admin role/);
    expect(await state()).toBe('disabled');
    const denied = await t.app.store.db.selectFrom('audit_log').selectAll().where('outcome', '=', 'denied').execute();
    expect(denied).toHaveLength(1);
    expect(denied[0].actor_id).toBe(USERS.noRole.aadObjectId);
  });

  test('a Security Administrator confirming a stale enable card is denied at click time', async () => {
    const body = await click('integration.enable', USERS.securityAdmin);
    expect(body.type).toBe('application/vnd.microsoft.activity.message');
    expect(body.value).toMatch(/Global Administrator role\. You have: Security Administrator/);
    expect(await state()).toBe('disabled');
  });

  test('identity comes from the activity, never from card data', async () => {
    const body = await click('integration.enable', USERS.noRole, { aadObjectId: USERS.globalAdmin.aadObjectId, user: USERS.globalAdmin });
    expect(body.type).toBe('application/vnd.microsoft.activity.message');
    expect(await state()).toBe('disabled');
  });

  test('double confirm (or a Teams retry) changes state once and answers the status card both times', async () => {
    const [a, b] = await Promise.all([click('integration.enable'), click('integration.enable')]);
    expect(cardText(a.value)).toContain('Pending');
    expect(cardText(b.value)).toContain('Pending');
    const transitions = await t.app.store.db.selectFrom('audit_log').selectAll().where('action', '=', 'integration.enable').where('outcome', '=', 'ok').execute();
    expect(transitions).toHaveLength(1);
  });

  test('state survives a restart', async () => {
    await click('integration.enable');
    await t.restart();
    expect(await state()).toBe('pending');
    await say('status', USERS.securityReader);
    expect(cardText(t.connector.cards()[0])).toContain('Pending');
  });

  test('malformed activity JSON → 400, and the server keeps serving', async () => {
    const bad = await fetch(`${t.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"type": "message", ' });
    expect(bad.status).toBe(400);
    expect((await t.post([1, 2, 3])).status).toBe(400);
    expect((await t.post({ text: 'no type' })).status).toBe(400);
    expect((await t.post('null')).status).toBe(400);
    const huge = await fetch(`${t.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ type: 'message', text: 'x'.repeat(300_000) }) });
    expect(huge.status).toBe(413);
    await say('status', USERS.securityReader);
    expect(t.connector.cards()).toHaveLength(1);
    const health = await fetch(`${t.url}/healthz`);
    expect(health.status).toBe(200);
  });

  test('help lists only the commands the caller may use; unknown text gets short help without echo', async () => {
    await say('help', USERS.noRole);
    const plain = cardText(t.connector.cards()[0]);
    expect(plain).toContain('help');
    expect(plain).not.toContain('status');
    await say('help', USERS.globalAdmin);
    const admin = cardText(t.connector.cards()[0]);
    expect(admin).toContain('enable');
    expect(admin).toContain('config');
    await say('[click](https://evil.example) please', USERS.securityReader);
    const unknown = cardText(t.connector.cards()[0]);
    expect(unknown).toMatch(/did not understand/);
    expect(unknown).not.toContain('evil.example');
  });

  test('commands are case-insensitive and the channel mention is stripped', async () => {
    await say('  STATUS ', USERS.securityReader);
    expect(t.connector.cards()).toHaveLength(1);
  });

  test('config without ATP_WORKSPACE_URL says how to set it', async () => {
    await say('config', USERS.securityReader);
    const c = t.connector.cards()[0];
    expectValidCard(c);
    expect(cardText(c)).toMatch(/ATP\\_WORKSPACE\\_URL/);
  });

  test('readyz reports the database', async () => {
    const res = await fetch(`${t.url}/readyz`);
    expect(res.status).toBe(200);
    expect((await res.json()).checks.database).toBe(true);
  });
});
