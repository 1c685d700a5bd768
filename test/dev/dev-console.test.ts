import http from 'node:http';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { USERS } from '../helpers/activities';
import { SseClient, cardText, executeActions } from './sse-client';

const TOKEN = 'dev-console-test-token';

function post(t: TestApp, path: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${t.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) }).then(async (r) => ({ status: r.status, body: await r.json().catch(() => null), headers: r.headers }));
}

/** Raw request, so tests can send a Host header fetch would not allow. */
function raw(t: TestApp, method: string, path: string, headers: Record<string, string>, body?: string): Promise<{ status: number; text: string }> {
  const u = new URL(t.url);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, method, path, headers }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('dev console (local mode)', () => {
  let t: TestApp;
  let sse: SseClient;

  beforeAll(async () => {
    t = await startTestApp({ env: { INGEST_TOKEN: TOKEN } });
    sse = new SseClient(`${t.url}/dev/api/events`);
  });
  afterAll(async () => {
    sse.close();
    await t.close();
  });

  test('serves the page, its scripts and the official Adaptive Cards renderer; nothing else', async () => {
    const page = await fetch(`${t.url}/dev/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(page.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
    expect(await page.text()).toContain('Replay demo scenario');
    for (const f of ['console.js', 'console.css', 'markdown.js', 'host-config.js', 'adaptivecards.min.js']) {
      expect((await fetch(`${t.url}/dev/static/${f}`)).status).toBe(200);
    }
    expect((await fetch(`${t.url}/dev/static/..%2F..%2Fpackage.json`)).status).toBe(404);
    expect((await fetch(`${t.url}/dev/static/secret.env`)).status).toBe(404);
    expect((await fetch(`${t.url}/dev/static/__proto__`)).status).toBe(404);
  });

  test('session lists the directory users with their roles', async () => {
    const s = await (await fetch(`${t.url}/dev/api/session`)).json();
    expect(s.users.map((u: any) => u.name)).toEqual(expect.arrayContaining(['Alex Wilber', 'Lee Gu', 'John Doe']));
    expect(s.users.find((u: any) => u.name === 'Lee Gu').roles).toEqual(['Security Reader']);
    expect(s.replay.ready).toBe(true);
  });

  test('a message goes through /api/messages and the reply comes back live over SSE', async () => {
    const r = await post(t, '/dev/api/send', { userId: USERS.securityReader.aadObjectId, pane: 'personal', text: 'status' });
    expect(r.status).toBe(200);
    expect(r.body.status).toBe(200);
    const reply = await sse.waitFor((ev) => ev.find((e) => e.event === 'message' && e.data.message.from.role === 'bot' && e.data.message.conversationId === `a:dev-personal-${USERS.securityReader.aadObjectId}`));
    expect(reply.data.message.cards).toHaveLength(1);
    expect(cardText(reply.data.message.cards[0])).toMatch(/Azure ATP integration/);
    // The user's own message was shown first.
    expect(sse.events.some((e) => e.event === 'message' && e.data.message.id === r.body.id && e.data.message.text === 'status')).toBe(true);
  });

  test('a Confirm click is a real adaptiveCard/action invoke; the answer card replaces the clicked one', async () => {
    const before = sse.events.length;
    await post(t, '/dev/api/send', { userId: USERS.globalAdmin.aadObjectId, pane: 'personal', text: 'enable' });
    const confirm = await sse.waitFor((ev) => ev.slice(before).find((e) => e.event === 'message' && executeActions(e.data.message.cards).some((a) => a.verb === 'integration.enable')));
    const action = executeActions(confirm.data.message.cards).find((a) => a.verb === 'integration.enable')!;
    const r = await post(t, '/dev/api/invoke', { userId: USERS.globalAdmin.aadObjectId, activityId: confirm.data.message.id, verb: action.verb, data: action.data });
    expect(r.status).toBe(200);
    expect(r.body.status).toBe(200);
    expect(r.body.response.statusCode).toBe(200);
    expect((await t.app.services.integration.get()).state).toBe('pending');
    // The answer card replaces the clicked one for the clicking user (Universal Actions per-user view).
    const view = await sse.waitFor((ev) => ev.find((e) => e.event === 'view' && e.data.view.messageId === confirm.data.message.id));
    expect(view.data.view.userId).toBe(USERS.globalAdmin.aadObjectId);
    expect(cardText(view.data.view.cards[0])).toMatch(/pending/i);
  });

  test('the role is checked on the click too: a reader pressing Confirm changes nothing', async () => {
    await t.app.services.integration.get();
    const before = sse.events.length;
    await post(t, '/dev/api/send', { userId: USERS.globalAdmin.aadObjectId, pane: 'personal', text: 'status' });
    const card = await sse.waitFor((ev) => ev.slice(before).find((e) => e.event === 'message' && e.data.message.from.role === 'bot'));
    const r = await post(t, '/dev/api/invoke', { userId: USERS.securityReader.aadObjectId, activityId: card.data.message.id, verb: 'integration.disable', data: {} });
    expect(r.body.response.type).toBe('application/vnd.microsoft.activity.message');
    expect(r.body.response.value).toMatch(/Global Administrator/);
    expect((await t.app.services.integration.get()).state).not.toBe('disabled');
  });

  test('an automatic refresh is an invoke with trigger "automatic" and gives that user their own view', async () => {
    const before = sse.events.length;
    await post(t, '/dev/api/send', { userId: USERS.securityReader.aadObjectId, pane: 'personal', text: 'status' });
    const card = await sse.waitFor((ev) => ev.slice(before).find((e) => e.event === 'message' && e.data.message.from.role === 'bot'));
    const r = await post(t, '/dev/api/invoke', { userId: USERS.securityReader.aadObjectId, activityId: card.data.message.id, verb: 'refresh', data: { view: 'status' }, trigger: 'automatic' });
    expect(r.status).toBe(200);
    expect(r.body.response.statusCode).toBe(200);
    const view = await sse.waitFor((ev) => ev.slice(before).find((e) => e.event === 'view' && e.data.view.messageId === card.data.message.id));
    expect(view.data.view).toMatchObject({ userId: USERS.securityReader.aadObjectId, basedOn: 0 });
    // The shared message is untouched: other users still see the card as the bot posted it.
    expect(sse.events.slice(before).some((e) => e.event === 'update' && e.data.message.id === card.data.message.id)).toBe(false);
  });

  test('channel pane: the message is an @mention in a channel thread; replies land in that thread', async () => {
    const before = sse.events.length;
    const r = await post(t, '/dev/api/send', { userId: USERS.securityReader.aadObjectId, pane: 'channel', text: 'status' });
    expect(r.status).toBe(200);
    const reply = await sse.waitFor((ev) => ev.slice(before).find((e) => e.event === 'message' && e.data.message.from.role === 'bot'));
    expect(reply.data.message.conversationId).toBe('19:dev-soc-alerts@thread.tacv2');
    expect(reply.data.message.threadId).toBe(r.body.id);
  });

  test('bad input to the console API gets a clear 4xx', async () => {
    const u = USERS.securityReader.aadObjectId;
    expect((await post(t, '/dev/api/send', { userId: 'nobody', pane: 'personal', text: 'x' })).status).toBe(400);
    expect((await post(t, '/dev/api/send', { userId: u, pane: 'elsewhere', text: 'x' })).status).toBe(400);
    expect((await post(t, '/dev/api/send', { userId: u, pane: 'personal', text: '   ' })).status).toBe(400);
    expect((await post(t, '/dev/api/send', { userId: u, pane: 'personal', text: 'x'.repeat(4001) })).status).toBe(413);
    expect((await post(t, '/dev/api/send', '{"userId":')).status).toBe(400);
    expect((await post(t, '/dev/api/send', [1, 2])).status).toBe(400);
    expect((await post(t, '/dev/api/invoke', { userId: u, activityId: 'nope', verb: 'refresh' })).status).toBe(404);
    const big = await fetch(`${t.url}/dev/api/send`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId: u, pane: 'personal', text: 'y'.repeat(70 * 1024) }) });
    expect(big.status).toBe(413);
  });

  test('only this origin on a loopback host may drive it (no CSRF, no DNS rebinding)', async () => {
    const body = JSON.stringify({ userId: USERS.globalAdmin.aadObjectId, pane: 'personal', text: 'help' });
    const port = new URL(t.url).port;
    expect((await raw(t, 'POST', '/dev/api/send', { host: `evil.example:${port}`, 'content-type': 'application/json' }, body)).status).toBe(403);
    expect((await raw(t, 'GET', '/dev/', { host: `rebind.attacker.test:${port}` })).status).toBe(403);
    expect((await raw(t, 'POST', '/dev/api/send', { host: `127.0.0.1:${port}`, origin: 'https://evil.example', 'content-type': 'application/json' }, body)).status).toBe(403);
    expect((await raw(t, 'POST', '/dev/api/send', { host: `127.0.0.1:${port}`, 'content-type': 'text/plain' }, body)).status).toBe(415);
    expect((await raw(t, 'POST', '/dev/api/send', { host: `localhost:${port}`, origin: `http://localhost:${port}`, 'content-type': 'application/json' }, body)).status).toBe(200);
  });

  test('the connector endpoint speaks Bot Connector REST: new threads, replies, updates, errors', async () => {
    const c = `${t.url}/dev/connector/v3/conversations`;
    const card = { type: 'AdaptiveCard', version: '1.5', body: [{ type: 'TextBlock', text: 'one' }] };
    const att = (text: string) => ({ type: 'message', summary: text, attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: { ...card, body: [{ type: 'TextBlock', text }] } }] });
    const created = await post(t, '/dev/connector/v3/conversations', { isGroup: true, channelData: { channel: { id: '19:dev-soc-alerts@thread.tacv2' } }, activity: att('root card') });
    expect(created.status).toBe(200);
    expect(created.body.id).toBe(`19:dev-soc-alerts@thread.tacv2;messageid=${created.body.activityId}`);
    const reply = await post(t, `/dev/connector/v3/conversations/${encodeURIComponent(created.body.id)}/activities`, { type: 'message', text: 'in the thread' });
    expect(reply.status).toBe(200);
    const put = await fetch(`${c}/${encodeURIComponent(created.body.id)}/activities/${created.body.activityId}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(att('updated card')) });
    expect(put.status).toBe(200);
    const upd = await sse.waitFor((ev) => ev.find((e) => e.event === 'update' && e.data.message.id === created.body.activityId));
    expect(cardText(upd.data.message.cards)).toContain('updated card');
    expect(sse.events.find((e) => e.event === 'message' && e.data.message.id === reply.body.id)?.data.message.threadId).toBe(created.body.activityId);

    expect((await fetch(`${c}/x/activities/unknown-id`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(att('x')) })).status).toBe(404);
    expect((await post(t, '/dev/connector/v3/conversations/x/activities', '{not json')).status).toBe(400);
    expect((await post(t, '/dev/connector/v3/conversations/x/activities', { text: 'no type' })).status).toBe(400);
    expect((await post(t, '/dev/connector/v3/conversations/x/activities', { type: 'message', text: 'z'.repeat(30 * 1024) })).status).toBe(413);
    expect([400, 404]).toContain((await post(t, '/dev/connector/v3/conversations/%E0%A4%A/activities', { type: 'message' })).status);
    expect((await post(t, '/dev/connector/v3/other', {})).status).toBe(404);
    expect((await post(t, '/dev/connector/v3/conversations/x/activities', { type: 'typing' })).status).toBe(200);
    const member = await fetch(`${c}/x/members/${encodeURIComponent(`29:dev-${USERS.noRole.aadObjectId}`)}`);
    expect(await member.json()).toMatchObject({ aadObjectId: USERS.noRole.aadObjectId, name: 'John Doe' });
  });

  test('a page that reconnects gets what it missed (Last-Event-ID)', async () => {
    const last = Number(sse.events[sse.events.length - 1].id);
    const again = new SseClient(`${t.url}/dev/api/events`, { 'last-event-id': String(last - 2) });
    const got = await again.waitFor((ev) => (ev.length >= 2 ? ev : undefined));
    again.close();
    expect(Number(got[0].id)).toBe(last - 1);
  });

  test('replay streams the scenario through the real ingest endpoints and the integration turns active', async () => {
    const r = await post(t, '/dev/api/replay', { pace: 'fast' });
    expect(r.status).toBe(200);
    const steps = r.body.steps as Array<{ label: string; status: number; result?: any; error?: unknown }>;
    expect(steps).toHaveLength(7);
    // Each step reports what the endpoint said; a missing endpoint shows as its HTTP status, not a crash.
    for (const s of steps) expect(s.status).toBe(200);
    const onprem = steps.filter((s) => s.label.startsWith('Azure ATP'));
    expect(onprem.reduce((n, s) => n + (s.result.accepted ?? 0) + (s.result.duplicates ?? 0), 0)).toBeGreaterThanOrEqual(3);
    expect((await t.app.services.integration.get()).state).toBe('active');
    const cloud = steps.filter((s) => s.label.startsWith('Cloud App Security'));
    expect(cloud.reduce((n, s) => n + (s.result.accepted ?? 0), 0)).toBe(3);
    const counts = await t.app.services.ledger.counts();
    expect(counts.total).toBeGreaterThanOrEqual(6);
    await sse.waitFor((ev) => ev.find((e) => e.event === 'notice' && /^7\/7 Cloud App Security/.test(e.data.text)));
    // The replay still flags John Doe: his recon → brute force → pass-the-hash, then the cloud, is a full chain.
    const jdoe = await t.app.store.db.selectFrom('user_scores').selectAll().where('user_key', '=', 'aad:00000000-0000-0000-0000-000000000004').executeTakeFirstOrThrow();
    expect(jdoe.risky_state).toBe('risky');
    expect(JSON.parse(jdoe.chain!)).toMatchObject({ onprem: { title: 'Suspected identity theft (pass-the-hash)', tactic: 'LateralMovement' } });
    expect(JSON.parse(jdoe.tactics)).toEqual(expect.arrayContaining(['Discovery', 'CredentialAccess', 'LateralMovement', 'InitialAccess', 'Exfiltration']));
  });
});

describe('dev console replay without a token', () => {
  test('says how to get one instead of bypassing the ingest auth', async () => {
    const t = await startTestApp();
    try {
      const s = await (await fetch(`${t.url}/dev/api/session`)).json();
      expect(s.replay.ready).toBe(false);
      const r = await post(t, '/dev/api/replay', { pace: 'fast' });
      expect(r.status).toBe(409);
      expect(r.body.error).toMatch(/INGEST_TOKEN/);
    } finally {
      await t.close();
    }
  });
});
