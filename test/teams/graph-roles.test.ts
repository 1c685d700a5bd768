import { FakeGraph } from '../fakes/graph';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { makeAction, makeMessage, USERS } from '../helpers/activities';
import { cardText } from '../helpers/cards';
import { ROLE_TEMPLATE_IDS } from '../../bot/directory/roles';
import { ROLE_CACHE_MS } from '../../bot/directory/cached-directory';

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const GROUP = 'aaaaaaaa-0000-0000-0000-00000000g001';

describe('roles from Microsoft Graph (fake Graph + Entra token endpoint over https)', () => {
  let graph: FakeGraph;
  let t: TestApp;

  beforeEach(async () => {
    graph = new FakeGraph();
    await graph.start();
    graph.users = [
      { id: USERS.globalAdmin.aadObjectId, userPrincipalName: 'alex@contoso.com', displayName: 'Alex Wilber', roles: [ROLE_TEMPLATE_IDS['Global Administrator']] },
      // Holds Global Administrator only through a role-assignable group: transitive membership counts.
      { id: USERS.securityAdmin.aadObjectId, userPrincipalName: 'megan@contoso.com', displayName: 'Megan Bowen', groups: [GROUP] },
      { id: USERS.securityReader.aadObjectId, userPrincipalName: 'lee@contoso.com', displayName: 'Lee Gu', roles: [ROLE_TEMPLATE_IDS['Security Reader']] },
      { id: USERS.noRole.aadObjectId, userPrincipalName: 'jdoe@contoso.com', displayName: 'John Doe' },
    ];
    graph.groupRoles[GROUP] = [ROLE_TEMPLATE_IDS['Global Administrator']];
    t = await startTestApp({
      env: { GRAPH_TENANT_ID: TENANT, GRAPH_CLIENT_ID: '11111111-1111-1111-1111-111111111111', GRAPH_CLIENT_SECRET: 'fake-secret', GRAPH_BASE_URL: graph.graphBaseUrl, AZURE_AUTHORITY_HOST: graph.url },
    });
  });
  afterEach(async () => {
    await t.close();
    await graph.stop();
  });

  const say = async (text: string, user: { aadObjectId: string; name: string }) => {
    t.connector.clear();
    expect((await t.post(makeMessage(text, user, t.connector.url))).status).toBe(200);
  };
  const click = async (verb: string, user: { aadObjectId: string; name: string }) => (await t.post(makeAction(verb, {}, user, t.connector.url))).body;

  test('a Global Administrator (direct) enables; the token came from the token endpoint', async () => {
    const body = await click('integration.enable', USERS.globalAdmin);
    expect(cardText(body.value)).toContain('Pending');
    expect(graph.tokensIssued).toBeGreaterThanOrEqual(1);
    const check = graph.requests.find((r) => r.path.endsWith('/checkMemberObjects'));
    expect(check?.body.ids).toEqual(expect.arrayContaining(Object.values(ROLE_TEMPLATE_IDS)));
  });

  test('a role held through a group counts (transitive)', async () => {
    const body = await click('integration.enable', USERS.securityAdmin);
    expect(cardText(body.value)).toContain('Pending');
  });

  test('a Security Reader reads status; a user with no role is denied enable', async () => {
    await say('status', USERS.securityReader);
    expect(t.connector.cards()).toHaveLength(1);
    await say('enable', USERS.noRole);
    expect(t.connector.texts()[0]).toMatch(/needs the Global Administrator role/);
    expect((await t.app.services.integration.get()).state).toBe('disabled');
  });

  test('Graph answers 500 → denied with one clear sentence, nothing changes (fail closed)', async () => {
    graph.failWith = 500;
    const body = await click('integration.enable', USERS.globalAdmin);
    expect(body.type).toBe('application/vnd.microsoft.activity.message');
    expect(body.value).toMatch(/could not verify your directory role \(Microsoft Graph is unavailable \(HTTP 500\)\), so nothing was changed/);
    expect((await t.app.services.integration.get()).state).toBe('disabled');
    await say('status', USERS.securityReader);
    expect(t.connector.texts()[0]).toMatch(/could not verify your directory role/);
  });

  test('token endpoint refusing the app secret → denied, with the fix for the admin', async () => {
    graph.tokenFailWith = 401;
    const body = await click('integration.enable', USERS.globalAdmin);
    expect(body.value).toMatch(/nothing was changed/);
    expect((await t.app.services.integration.get()).state).toBe('disabled');
  });

  test('roles are cached at most 5 minutes: a revoked role stops working after that', async () => {
    await say('status', USERS.securityReader);
    const calls = graph.graphCalls();
    await say('status', USERS.securityReader);
    expect(graph.graphCalls()).toBe(calls); // cache hit
    graph.users.find((u) => u.id === USERS.securityReader.aadObjectId)!.roles = [];
    t.clock.advance(ROLE_CACHE_MS + 1);
    await say('status', USERS.securityReader);
    expect(graph.graphCalls()).toBe(calls + 1);
    expect(t.connector.texts()[0]).toMatch(/needs one of these roles/);
  });
});
