import { loadConfig, ConfigError } from '../../../bot/config';
import { McasError } from '../../../bot/errors';
import { entraAuth, McasClient, MCAS_RESOURCE } from '../../../bot/sources/cloud/mcas-client';
import { RollingTokenBucket } from '../../../bot/sources/cloud/rate-limiter';
import { FakeMcas, makeMcasAlert } from '../../fakes/mcas';
import { MCAS_TOKEN, SleepyClock } from './cloud-helpers';

describe('McasClient details', () => {
  let fake: FakeMcas;
  let clock: SleepyClock;
  beforeEach(async () => {
    clock = new SleepyClock();
    fake = new FakeMcas(MCAS_TOKEN, clock);
    await fake.start();
  });
  afterEach(() => fake.stop());

  const client = (auth: () => Promise<string>, baseUrl = fake.url) =>
    new McasClient({ baseUrl, auth, fetch, clock, sleep: (ms) => clock.sleep(ms), bucket: new RollingTokenBucket(clock, (ms) => clock.sleep(ms)), random: () => 0.5 });

  test('optional Entra app token: Bearer for the Cloud App Security resource', async () => {
    fake.bearer = 'jwt-from-entra';
    fake.alerts = [makeMcasAlert()];
    const scopes: string[] = [];
    const credential = { getToken: async (s: string | string[]) => (scopes.push(String(s)), { token: 'jwt-from-entra', expiresOnTimestamp: Date.now() + 3_600_000 }) };
    const r = await client(entraAuth(credential)).listAlerts({ filters: {} });
    expect(r.data).toHaveLength(1);
    expect(scopes).toEqual([`${MCAS_RESOURCE}/.default`]);
  });

  test('MCAS_URL with /api/v1 or /cas/api/v1 reaches the same API; filters the fake honours', async () => {
    fake.alerts = [makeMcasAlert({ severityValue: 2 }), makeMcasAlert({ severityValue: 0 }), makeMcasAlert({ severityValue: 2, resolutionStatusValue: 2 })];
    const c = client(async () => `Token ${MCAS_TOKEN}`, `${fake.url}/cas/api/v1/`);
    const r = await c.listAlerts({ filters: { severity: { eq: [2] }, alertOpen: { eq: true } } });
    expect(r.data).toHaveLength(1);
    expect(r.total).toBe(1);
    expect(fake.log[0].path).toBe('/api/v1/alerts/');
  });

  test('a non-JSON 200 (a proxy sign-in page) and other 4xx are typed errors, not retries', async () => {
    const html = new McasClient({ baseUrl: fake.url, auth: async () => 'x', fetch: async () => new Response('<html>sign in</html>', { status: 200 }), clock, sleep: (ms) => clock.sleep(ms), bucket: new RollingTokenBucket(clock, (ms) => clock.sleep(ms)) });
    await expect(html.listAlerts({ filters: {} })).rejects.toThrow(/not JSON/);
    const c = client(async () => `Token ${MCAS_TOKEN}`);
    const err = await c.closeAlerts('close_benign', ['a'.repeat(24)], 'x', 99).catch((e) => e);
    expect(err).toBeInstanceOf(McasError);
    expect(err.status).toBe(400);
    expect(fake.log).toHaveLength(1);
  });

  test('config: Entra app instead of MCAS_TOKEN; a half-configured app is refused with the fix', () => {
    const base = { MCAS_URL: 'https://contoso.eu2.portal.cloudappsecurity.com' };
    expect(() => loadConfig(base)).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, MCAS_CLIENT_ID: 'app' })).toThrow(/MCAS_TENANT_ID/);
    expect(() => loadConfig({ ...base, MCAS_CLIENT_ID: 'app', MCAS_TENANT_ID: 't' })).toThrow(/MCAS_CLIENT_SECRET/);
    const c = loadConfig({ ...base, MCAS_CLIENT_ID: 'app', MCAS_TENANT_ID: 't', MCAS_CLIENT_SECRET: 's' });
    expect(c.mcas).toMatchObject({ token: '', entra: { tenantId: 't', clientId: 'app', clientSecret: 's' } });
    expect(loadConfig({ ...base, MCAS_TOKEN: 'k' }).mcas).toEqual({ url: base.MCAS_URL, token: 'k', pollSeconds: 60 });
  });
});
