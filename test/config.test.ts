import { ConfigError, loadConfig } from '../bot/config';

const bad = (env: Record<string, string>) => {
  try {
    loadConfig(env);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('expected a ConfigError');
};

describe('loadConfig', () => {
  test('defaults: local mode on loopback, SQLite, sample directory', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ mode: 'local', port: 3978, host: '127.0.0.1', retentionDays: 180, syslog: { udpPort: 1514, tcpPort: 1514 } });
    expect(c.databaseUrl).toBeUndefined();
    expect(c.directoryFile).toMatch(/directory\.sample\.json$/);
  });

  test('each bad value is one line naming the variable, the problem and the fix', () => {
    const m = bad({ PORT: 'eighty' });
    expect(m).toMatch(/^PORT: "eighty" is not a whole number from 0 to 65535\. Set PORT/);
    expect(m.split('\n')).toHaveLength(1);
    expect(bad({ DATABASE_URL: 'mysql://x' })).toMatch(/^DATABASE_URL: .* not a postgres: or postgresql: URL/);
    expect(bad({ ALLOWED_TENANT_IDS: 'contoso' })).toMatch(/^ALLOWED_TENANT_IDS: "contoso" is not a tenant id/);
    expect(bad({ LOG_LEVEL: 'loud' })).toMatch(/^LOG_LEVEL/);
    expect(bad({ RETENTION_DAYS: '0' })).toMatch(/^RETENTION_DAYS/);
    expect(bad({ MCAS_URL: 'https://contoso.portal.cloudappsecurity.com' })).toMatch(/^MCAS_TOKEN: is missing/);
    expect(bad({ GRAPH_CLIENT_ID: 'x' })).toMatch(/^GRAPH_TENANT_ID: is missing/);
  });

  test('back-pressure bounds: INGEST_MAX_QUEUE, INGEST_MAX_IN_FLIGHT, SYSLOG_TCP_MAX_CONNECTIONS', () => {
    const c = loadConfig({});
    expect(c.ingest).toEqual({ maxQueue: 5_000, maxInFlight: 8 });
    expect(c.syslog.maxConnections).toBe(256);
    const d = loadConfig({ INGEST_MAX_QUEUE: '500', INGEST_MAX_IN_FLIGHT: '2', SYSLOG_TCP_MAX_CONNECTIONS: '16' });
    expect(d.ingest).toEqual({ maxQueue: 500, maxInFlight: 2 });
    expect(d.syslog.maxConnections).toBe(16);
    expect(bad({ INGEST_MAX_QUEUE: '5' })).toMatch(/^INGEST_MAX_QUEUE: "5" is not a whole number from 10 to 1000000/);
    expect(bad({ INGEST_MAX_IN_FLIGHT: '0' })).toMatch(/^INGEST_MAX_IN_FLIGHT/);
    expect(bad({ SYSLOG_TCP_MAX_CONNECTIONS: 'many' })).toMatch(/^SYSLOG_TCP_MAX_CONNECTIONS/);
  });

  test('risky users: RISKY_MIN_SCORE, and RISKY_REARM_SCORE defaulting to half of it and never above it', () => {
    expect(loadConfig({}).risky).toEqual({ minScore: 20, rearmScore: 10 });
    expect(loadConfig({ RISKY_MIN_SCORE: '41' }).risky).toEqual({ minScore: 41, rearmScore: 20 });
    expect(loadConfig({ RISKY_MIN_SCORE: '30', RISKY_REARM_SCORE: '12' }).risky).toEqual({ minScore: 30, rearmScore: 12 });
    const m = bad({ RISKY_MIN_SCORE: '20', RISKY_REARM_SCORE: '25' });
    expect(m).toMatch(/^RISKY_REARM_SCORE: 25 is above RISKY_MIN_SCORE \(20\).*Set RISKY_REARM_SCORE at or below RISKY_MIN_SCORE/);
    expect(m.split('\n')).toHaveLength(1);
    expect(bad({ RISKY_REARM_SCORE: '-1' })).toMatch(/^RISKY_REARM_SCORE: "-1" is not a whole number/);
  });

  test('a retired RISKY_PERCENTILE is a start-up warning, not silently ignored', () => {
    expect(loadConfig({}).warnings).toEqual([]);
    expect(loadConfig({ RISKY_PERCENTILE: '90' }).warnings).toEqual([expect.stringMatching(/^RISKY_PERCENTILE is no longer read: .*Unset RISKY_PERCENTILE\.$/)]);
  });

  test('local mode refuses a non-loopback HOST (no auth without an app id)', () => {
    expect(bad({ HOST: '0.0.0.0' })).toMatch(/^HOST: .*not a loopback address/);
  });

  test('production refuses to start without a password, tenant allow-list and Graph', () => {
    expect(bad({ MicrosoftAppId: 'a' })).toMatch(/^MicrosoftAppPassword/);
    expect(bad({ MicrosoftAppId: 'a', MicrosoftAppPassword: 'p' })).toMatch(/^ALLOWED_TENANT_IDS/);
    expect(bad({ MicrosoftAppId: 'a', MicrosoftAppPassword: 'p', ALLOWED_TENANT_IDS: '72f988bf-86f1-41af-91ab-2d7cd011db47' })).toMatch(/^GRAPH_CLIENT_ID/);
    expect(bad({ MicrosoftAppId: 'a', MicrosoftAppType: 'SingleTenant', MicrosoftAppPassword: 'p' })).toMatch(/^MicrosoftAppTenantId/);
    const c = loadConfig({ MicrosoftAppId: 'a', MicrosoftAppPassword: 'p', ALLOWED_TENANT_IDS: '72F988BF-86f1-41af-91ab-2d7cd011db47 , ', GRAPH_TENANT_ID: 't', GRAPH_CLIENT_ID: 'c', GRAPH_CLIENT_SECRET: 's' });
    expect(c).toMatchObject({ mode: 'production', host: '0.0.0.0', allowedTenantIds: ['72f988bf-86f1-41af-91ab-2d7cd011db47'] });
    expect(c.directoryFile).toBeUndefined();
  });
});

describe('loadConfig: Defender XDR through Graph (issue 12)', () => {
  const graph = { GRAPH_TENANT_ID: 't', GRAPH_CLIENT_ID: 'c', GRAPH_CLIENT_SECRET: 's' };
  test('defaults: health every 300 s with GRAPH_*, polling off, MDI + MDCA sources; nothing without GRAPH_*', () => {
    expect(loadConfig({}).graphSecurity).toBeUndefined();
    expect(loadConfig(graph).graphSecurity).toEqual({ pollSeconds: 0, healthSeconds: 300, sources: ['microsoftDefenderForIdentity', 'microsoftDefenderForCloudApps'] });
    expect(loadConfig({ ...graph, GRAPH_SECURITY_POLL_SECONDS: '0' }).graphSecurity?.pollSeconds).toBe(0);
    expect(loadConfig({ ...graph, GRAPH_SECURITY_POLL_SECONDS: '60', GRAPH_SECURITY_SOURCES: ' microsoftDefenderForIdentity ,microsoftDefenderForIdentity', GRAPH_SECURITY_HEALTH_SECONDS: '120' }).graphSecurity).toEqual({ pollSeconds: 60, healthSeconds: 120, sources: ['microsoftDefenderForIdentity'] });
  });

  test('bad values: one line naming the variable, the problem and the fix', () => {
    expect(bad({ ...graph, GRAPH_SECURITY_POLL_SECONDS: '2' })).toMatch(/^GRAPH_SECURITY_POLL_SECONDS: "2" is not a whole number from 5 to 86400\. Set GRAPH_SECURITY_POLL_SECONDS/);
    expect(bad({ ...graph, GRAPH_SECURITY_HEALTH_SECONDS: 'often' })).toMatch(/^GRAPH_SECURITY_HEALTH_SECONDS: "often" is not a whole number from 5 to 86400/);
    expect(bad({ ...graph, GRAPH_SECURITY_SOURCES: 'microsoftDefenderForIdentity,azureATP' })).toMatch(/^GRAPH_SECURITY_SOURCES: "azureATP" is not an alerts_v2 serviceSource\. List serviceSource values separated by commas \(microsoftDefenderForIdentity, /);
    expect(bad({ ...graph, GRAPH_SECURITY_SOURCES: ',' })).toMatch(/^GRAPH_SECURITY_SOURCES: is empty/);
    const m = bad({ GRAPH_SECURITY_POLL_SECONDS: '60' });
    expect(m).toMatch(/^GRAPH_SECURITY_POLL_SECONDS: is set but the Microsoft Graph app is not \(GRAPH_TENANT_ID, GRAPH_CLIENT_ID, GRAPH_CLIENT_SECRET\)\. Set the three GRAPH_\* variables for an app with SecurityAlert\.Read\.All/);
    expect(m.split('\n')).toHaveLength(1);
  });
});
