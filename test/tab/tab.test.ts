import { generateKeyPair } from 'jose';
import { FileDirectory } from '../../bot/directory/file-directory';
import { FakeClock } from '../../bot/clock';
import { startTestApp, SAMPLE_DIRECTORY, type TestApp } from '../helpers/test-app';
import { TENANT, USERS } from '../helpers/activities';
import { FakeEntraKeys } from './jwks-server';

const APP_ID = '11111111-2222-4333-8444-555555555555';
const DOMAIN = 'hybridwatch.contoso.com';
const OTHER_TENANT = '0b6e9a8c-1d2e-4f30-8a41-5c6d7e8f9a0b';

describe('Teams tab in local mode', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  test('serves the tab page with teams-js, framable by Teams only', async () => {
    const page = await fetch(`${t.url}/tab/`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('/tab/static/teams-js.min.js');
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).toMatch(/frame-ancestors 'self' https:\/\/teams\.microsoft\.com/);
    expect(csp).not.toMatch(/frame-ancestors[^;]*\*(?!\.)/);
    expect((await fetch(`${t.url}/tab/static/teams-js.min.js`)).status).toBe(200);
    expect((await fetch(`${t.url}/tab/static/tab.js`)).status).toBe(200);
    expect((await fetch(`${t.url}/tab/static/..%2F..%2F..%2Fpackage.json`)).status).toBe(404);
  });

  test('overview works without a token as the dev identity', async () => {
    const r = await fetch(`${t.url}/api/tab/overview`);
    expect(r.status).toBe(200);
    expect(r.headers.get('cache-control')).toBe('no-store');
    const o = await r.json();
    expect(o.viewer).toEqual({ name: 'Alex Wilber', mode: 'local-dev' });
    expect(o.integration.state).toBe('disabled');
    expect(Array.isArray(o.alerts)).toBe(true);
    expect(Array.isArray(o.riskyUsers)).toBe(true);
  });

  test('overview lists recent alerts as plain data (the page shows them with textContent)', async () => {
    const t2 = await startTestApp({ env: { INGEST_TOKEN: 'tab-test' } });
    try {
      const cloudAlert = { _id: 'aaaaaaaaaaaaaaaaaaaaaaaa', timestamp: t2.clock.now().getTime(), title: '<img src=x onerror=alert(1)> Impossible travel', severityValue: 2, entities: [{ type: 'user', id: USERS.noRole.aadObjectId, label: 'John Doe', pa: 'jdoe@contoso.com' }], URL: 'https://contoso.portal.cloudappsecurity.com/#/alerts/aaaaaaaaaaaaaaaaaaaaaaaa' };
      const ing = await fetch(`${t2.url}/api/ingest/mcas`, { method: 'POST', headers: { authorization: 'Bearer tab-test', 'content-type': 'application/json' }, body: JSON.stringify(cloudAlert) });
      expect(ing.status).toBe(200);
      const o = await (await fetch(`${t2.url}/api/tab/overview`)).json();
      expect(o.alerts).toEqual([expect.objectContaining({ title: '<img src=x onerror=alert(1)> Impossible travel', severity: 'high', source: 'cloud', users: ['John Doe'] })]);
      expect(o.counts.total).toBe(1);
    } finally {
      await t2.close();
    }
  });

  test('a token in local mode is refused rather than trusted unchecked', async () => {
    const r = await fetch(`${t.url}/api/tab/overview`, { headers: { authorization: 'Bearer a.b.c' } });
    expect(r.status).toBe(400);
  });
});

describe('Teams tab in production: SSO token verification', () => {
  let t: TestApp;
  let entra: FakeEntraKeys;
  const clock = new FakeClock('2026-03-02T09:00:00.000Z');
  const claims = (over: Record<string, unknown> = {}) => ({
    aud: `api://${DOMAIN}/${APP_ID}`,
    iss: `${entra.url}/${TENANT}/v2.0`,
    tid: TENANT,
    oid: USERS.securityReader.aadObjectId,
    name: 'Lee Gu',
    preferred_username: 'lee@contoso.com',
    scp: 'access_as_user',
    ver: '2.0',
    ...over,
  });
  const get = (token?: string) => fetch(`${t.url}/api/tab/overview`, { headers: token ? { authorization: `Bearer ${token}` } : {} }).then(async (r) => ({ status: r.status, body: await r.json(), www: r.headers.get('www-authenticate') }));

  beforeAll(async () => {
    entra = new FakeEntraKeys();
    await entra.start();
    t = await startTestApp({
      clock,
      env: {
        MicrosoftAppId: APP_ID,
        MicrosoftAppPassword: 'secret',
        ALLOWED_TENANT_IDS: TENANT,
        GRAPH_TENANT_ID: TENANT,
        GRAPH_CLIENT_ID: 'c',
        GRAPH_CLIENT_SECRET: 's',
        HOST: '127.0.0.1',
        BOT_DOMAIN: DOMAIN,
        AZURE_AUTHORITY_HOST: entra.url,
      },
      overrides: { directory: new FileDirectory(SAMPLE_DIRECTORY) },
    });
  });
  afterAll(async () => {
    await t.close();
    await entra.stop();
  });

  test('a valid token (audience api://domain/appId or the app id) shows the overview for that user', async () => {
    const r = await get(await entra.sign(claims(), { now: clock.now() }));
    expect(r.status).toBe(200);
    expect(r.body.viewer).toEqual({ name: 'Lee Gu', mode: 'teams-sso' });
    expect(r.body.integration.state).toBe('disabled');
    const r2 = await get(await entra.sign(claims({ aud: APP_ID }), { now: clock.now() }));
    expect(r2.status).toBe(200);
    expect(entra.requests).toBeGreaterThanOrEqual(1);
  });

  test('no token: 401 telling the user to open it in Teams', async () => {
    const r = await get();
    expect(r.status).toBe(401);
    expect(r.body.error).toMatch(/inside Microsoft Teams/);
    expect(r.www).toMatch(/^Bearer/);
  });

  test.each([
    ['another audience', async () => entra.sign(claims({ aud: 'api://evil.example/other' }), { now: clock.now() })],
    ['expired', async () => entra.sign(claims(), { now: new Date(clock.now().getTime() - 2 * 3600_000) })],
    ['signed by a key Entra does not publish', async () => entra.sign(claims(), { now: clock.now(), withKey: (await generateKeyPair('RS256')).privateKey })],
    ['an unknown key id', async () => entra.sign(claims(), { now: clock.now(), kid: 'nope' })],
    ['issued by another tenant than its tid', async () => entra.sign(claims({ iss: `${entra.url}/${OTHER_TENANT}/v2.0` }), { now: clock.now() })],
    ['no oid', async () => entra.sign(claims({ oid: undefined }), { now: clock.now() })],
    ['not a JWT', async () => 'not-a-token'],
    ['alg none', async () => `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims())).toString('base64url')}.`],
  ])('401 for a token that is %s', async (_name, make) => {
    const r = await get(await make());
    expect(r.status).toBe(401);
    expect(r.body.error).toMatch(/Teams sign-in failed/);
  });

  test('403 for a tenant not on ALLOWED_TENANT_IDS (even with a valid signature)', async () => {
    const r = await get(await entra.sign(claims({ tid: OTHER_TENANT, iss: `${entra.url}/${OTHER_TENANT}/v2.0` }), { now: clock.now() }));
    expect(r.status).toBe(403);
    expect(r.body.error).toMatch(/ALLOWED_TENANT_IDS/);
  });

  test('403 without the access_as_user scope', async () => {
    for (const scp of [undefined, 'User.Read', 'access_as_user_not']) {
      const r = await get(await entra.sign(claims({ scp }), { now: clock.now() }));
      expect(r.status).toBe(403);
      expect(r.body.error).toMatch(/access_as_user/);
    }
  });

  test('403 for a signed-in user without a reader role; the role comes from the directory, not the token', async () => {
    const r = await get(await entra.sign(claims({ oid: USERS.noRole.aadObjectId, roles: ['Global Administrator'], name: 'John Doe' }), { now: clock.now() }));
    expect(r.status).toBe(403);
    expect(r.body.error).toMatch(/reader role/);
  });

  test('an oversized or malformed Authorization header is refused', async () => {
    expect((await get('x'.repeat(9000))).status).toBe(401);
    const r = await fetch(`${t.url}/api/tab/overview`, { headers: { authorization: 'Basic abc' } });
    expect(r.status).toBe(401);
  });
});
