import { startTestApp, type TestApp } from '../helpers/test-app';
import { USERS } from '../helpers/activities';
import { account, DETECTIONS, makeAlert } from '../helpers/alerts';
import { SseClient, cardText } from './sse-client';

const GUID = '7b1e2f40-1a2b-4c2d-9e11-0123456789ab';
const LINK = `https://contoso.atp.azure.com/securityAlert/${GUID}`;

function post(t: TestApp, path: string, body: unknown) {
  return fetch(`${t.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then(async (r) => ({ status: r.status, body: await r.json().catch(() => null) }));
}

/** The console's compose box: Teams' message-extension invokes through the real /api/messages, inserted cards, Action.Submit on them. */
describe('dev console: message extension compose box', () => {
  let t: TestApp;
  let sse: SseClient;
  const reader = USERS.securityReader.aadObjectId;

  beforeAll(async () => {
    t = await startTestApp({ env: { ATP_WORKSPACE_URL: 'https://contoso-corp.atp.azure.com' } });
    sse = new SseClient(`${t.url}/dev/api/events`);
    await t.app.services.ledger.record(makeAlert({ ...DETECTIONS.passTheHash, sourceId: GUID, url: LINK, users: [account('CONTOSO\\jdoe')] }));
  });
  afterAll(async () => {
    sse.close();
    await t.close();
  });

  test('the page loads the compose box; the commands and link domains come from the app package', async () => {
    expect(await (await fetch(`${t.url}/dev/`)).text()).toContain('class="me"');
    expect((await fetch(`${t.url}/dev/static/extension.js`)).status).toBe(200);
    const ext = await (await fetch(`${t.url}/dev/api/extension`)).json();
    expect(ext.commands.map((c: any) => c.id)).toEqual(['searchAlerts', 'searchUsers']);
    expect(ext.linkDomains).toEqual(['contoso-corp.atp.azure.com', '*.atp.azure.com', 'security.microsoft.com']);
  });

  test('a search is a real composeExtension/query: previews and cards come back', async () => {
    const r = await post(t, '/dev/api/extension/query', { userId: reader, pane: 'channel', commandId: 'searchAlerts', text: 'pass-the', skip: 0, count: 10 });
    expect(r.status).toBe(200);
    expect(r.body.status).toBe(200);
    const [a] = r.body.response.composeExtension.attachments;
    expect(a.preview.content.title).toBe('Suspected identity theft (pass-the-hash)');
    const users = await post(t, '/dev/api/extension/query', { userId: reader, pane: 'personal', commandId: 'searchUsers', text: '', initialRun: true });
    expect(users.body.response.composeExtension.attachments.map((x: any) => x.preview.content.title)).toEqual(['John Doe']);
    // As Teams does for someone without a role: a sentence.
    const none = await post(t, '/dev/api/extension/query', { userId: USERS.noRole.aadObjectId, pane: 'channel', commandId: 'searchAlerts', text: 'pass' });
    expect(none.body.response.composeExtension.type).toBe('message');
  });

  test('a pasted link unfurls only on the app\'s link domains, as Teams would', async () => {
    const r = await post(t, '/dev/api/extension/link', { userId: reader, pane: 'channel', url: LINK });
    expect(r.body).toMatchObject({ unfurled: true, status: 200 });
    expect(cardText(r.body.response.composeExtension.attachments[0].content)).toMatch(/Suspected identity theft \(pass-the-hash\)/);
    const other = await post(t, '/dev/api/extension/link', { userId: reader, pane: 'channel', url: 'https://example.com/securityAlert/x' });
    expect(other.body).toEqual({ unfurled: false, reason: expect.stringMatching(/not https on one of the app's link domains/) });
    expect((await post(t, '/dev/api/extension/link', { userId: reader, pane: 'channel', url: 'http://contoso.atp.azure.com/x' })).body.unfurled).toBe(false);
  });

  test('a picked card is inserted as the user\'s message; its Action.Submit is a real onCardButtonClicked and the card lands in the personal chat', async () => {
    const r = await post(t, '/dev/api/extension/link', { userId: reader, pane: 'channel', url: LINK });
    const card = r.body.response.composeExtension.attachments[0].content;
    const ins = await post(t, '/dev/api/extension/insert', { userId: reader, pane: 'channel', card, text: LINK });
    expect(ins.status).toBe(200);
    const shown = await sse.waitFor((ev) => ev.find((e) => e.event === 'message' && e.data.message.id === ins.body.id));
    expect(shown.data.message).toMatchObject({ via: 'extension', conversationId: '19:dev-soc-alerts@thread.tacv2', text: LINK, from: { role: 'user', name: 'Lee Gu' } });
    const submit = card.actions.find((a: any) => a.type === 'Action.Submit');
    const click = await post(t, '/dev/api/invoke', { kind: 'cardButton', userId: reader, activityId: ins.body.id, data: submit.data });
    expect(click.body.status).toBe(200);
    const personal = await sse.waitFor((ev) => ev.find((e) => e.event === 'message' && e.data.message.from.role === 'bot' && e.data.message.conversationId === `a:dev-personal-${reader}`));
    expect(cardText(personal.data.message.cards[0])).toMatch(/Suspected identity theft \(pass-the-hash\)/);
  });

  test('bad requests get a clear 4xx', async () => {
    expect((await post(t, '/dev/api/extension/query', { userId: 'nobody', pane: 'channel', commandId: 'searchAlerts' })).status).toBe(400);
    expect((await post(t, '/dev/api/extension/query', { userId: reader, pane: 'moon', commandId: 'searchAlerts' })).status).toBe(400);
    expect((await post(t, '/dev/api/extension/query', { userId: reader, pane: 'channel', commandId: 'searchAlerts', text: 'x'.repeat(17 * 1024) })).status).toBe(413);
    expect((await post(t, '/dev/api/extension/link', { userId: reader, pane: 'channel', url: 42 })).status).toBe(400);
    expect((await post(t, '/dev/api/extension/insert', { userId: reader, pane: 'channel', card: { type: 'Container' } })).status).toBe(400);
    expect((await post(t, '/dev/api/extension/insert', { userId: reader, pane: 'channel', card: { type: 'AdaptiveCard', body: [{ type: 'TextBlock', text: 'x'.repeat(30_000) }] } })).status).toBe(413);
  });
});
