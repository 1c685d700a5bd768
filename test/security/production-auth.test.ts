import { FakeBotFrameworkOpenId } from '../fakes/bot-framework-openid';
import { FakeGraph } from '../fakes/graph';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { makeAction, makeMessage, TENANT, USERS, type TestUser } from '../helpers/activities';
import { ROLE_TEMPLATE_IDS } from '../../bot/directory/roles';

const APP_ID = '0c2b0b5e-1d6a-4d5e-9a8e-5f0e3c1b2a90';
const OTHER_TENANT = '11111111-2222-3333-4444-555555555555';

describe('production mode: Bot Framework JWT on every request, tenant allow-list', () => {
  let openid: FakeBotFrameworkOpenId;
  let graph: FakeGraph;
  let t: TestApp;

  beforeAll(async () => {
    openid = new FakeBotFrameworkOpenId();
    await openid.start();
    graph = new FakeGraph();
    await graph.start();
    graph.users = [
      { id: USERS.securityReader.aadObjectId, userPrincipalName: 'lee@contoso.com', displayName: 'Lee Gu', roles: [ROLE_TEMPLATE_IDS['Security Reader']] },
      { id: USERS.globalAdmin.aadObjectId, userPrincipalName: 'alex@contoso.com', displayName: 'Alex Wilber', roles: [ROLE_TEMPLATE_IDS['Global Administrator']] },
    ];
    t = await startTestApp({
      env: {
        HOST: '127.0.0.1',
        MicrosoftAppId: APP_ID,
        MicrosoftAppPassword: 'not-a-real-secret',
        ALLOWED_TENANT_IDS: TENANT,
        GRAPH_TENANT_ID: TENANT,
        GRAPH_CLIENT_ID: '11111111-1111-1111-1111-111111111111',
        GRAPH_CLIENT_SECRET: 'fake-secret',
        GRAPH_BASE_URL: graph.graphBaseUrl,
        AZURE_AUTHORITY_HOST: graph.url,
      },
      overrides: { botAuth: { ToBotFromChannelOpenIdMetadataUrl: openid.metadataUrl } },
    });
  });
  afterAll(async () => {
    await t.close();
    await graph.stop();
    await openid.stop();
  });

  // An invoke answers in the HTTP body, so a good token is proven by a 200 with the card.
  const refresh = (user: TestUser = USERS.securityReader, tenant = TENANT) => {
    const a = makeAction('refresh', {}, user, t.connector.url);
    a.conversation.tenantId = tenant;
    a.channelData.tenant.id = tenant;
    return a;
  };
  const post = async (activity: unknown, token?: string) => {
    const res = await fetch(`${t.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(activity) });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };

  test('a good channel token → processed (200 with the status card)', async () => {
    const a = refresh();
    const res = await post(a, await openid.token({ appId: APP_ID, serviceUrl: a.serviceUrl }));
    expect(res.status).toBe(200);
    expect(res.body.type).toBe('application/vnd.microsoft.card.adaptive');
  });

  test('no token → 401', async () => {
    expect((await post(refresh())).status).toBe(401);
  });

  test('expired token → 401', async () => {
    const a = refresh();
    expect((await post(a, await openid.token({ appId: APP_ID, serviceUrl: a.serviceUrl, expiresInSec: -3600 }))).status).toBe(401);
  });

  test('wrong audience → 401', async () => {
    const a = refresh();
    expect((await post(a, await openid.token({ appId: 'someone-elses-bot', serviceUrl: a.serviceUrl }))).status).toBe(401);
  });

  test('serviceurl claim not matching the activity → 401', async () => {
    const a = refresh();
    expect((await post(a, await openid.token({ appId: APP_ID, serviceUrl: 'https://evil.example/' }))).status).toBe(401);
  });

  test('wrong issuer → 401; a token signed by another key → 401', async () => {
    const a = refresh();
    expect((await post(a, await openid.token({ appId: APP_ID, serviceUrl: a.serviceUrl, issuer: 'https://sts.windows.net/evil/' }))).status).toBe(401);
    const good = await openid.token({ appId: APP_ID, serviceUrl: a.serviceUrl });
    const [h, p] = good.split('.');
    expect((await post(a, `${h}.${p}.${Buffer.from('forged').toString('base64url')}`)).status).toBe(401);
  });

  test('a valid token from a tenant not on the allow-list: no answer, counted, state untouched (invokes and messages alike)', async () => {
    const inv = refresh(USERS.globalAdmin, OTHER_TENANT);
    inv.value.action.verb = 'integration.enable';
    const res = await post(inv, await openid.token({ appId: APP_ID, serviceUrl: inv.serviceUrl }));
    expect(res.body?.type).toBeUndefined();
    expect((await t.app.services.integration.get()).state).toBe('disabled');

    const msg = makeMessage('status', USERS.securityReader, t.connector.url);
    msg.conversation.tenantId = OTHER_TENANT;
    msg.channelData.tenant.id = OTHER_TENANT;
    t.connector.clear();
    expect((await post(msg, await openid.token({ appId: APP_ID, serviceUrl: msg.serviceUrl }))).status).toBe(200);
    expect(t.connector.calls).toHaveLength(0);

    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    expect(metrics).toMatch(/hybridwatch_tenant_rejected_total 2/);
  });
});
