import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

/** A bad environment value: the message is the one line start-up prints. */
export class ConfigError extends Error {
  constructor(readonly variable: string, problem: string, fix: string) {
    super(`${variable}: ${problem}. ${fix}`);
    this.name = 'ConfigError';
  }
}

export type Mode = 'local' | 'production';

export interface Config {
  mode: Mode;
  port: number;
  host: string;
  bot: { appId: string; appPassword: string; appType: 'MultiTenant' | 'SingleTenant' | 'UserAssignedMSI'; appTenantId: string };
  allowedTenantIds: string[];
  databaseUrl?: string;
  dataDir: string;
  graph?: { tenantId: string; clientId: string; clientSecret: string; baseUrl: string; authorityHost: string };
  directoryFile?: string;
  /** `token` is empty when `entra` is set (Entra app token instead of the legacy API token). */
  mcas?: { url: string; token: string; pollSeconds: number; entra?: { tenantId: string; clientId: string; clientSecret: string; authorityHost: string } };
  /**
   * Defender XDR through Microsoft Graph (issue 12), with the GRAPH_* app. Present whenever GRAPH_* is set:
   * Defender for Identity health is read every `healthSeconds`; alerts_v2 is polled only when `pollSeconds` > 0.
   */
  graphSecurity?: { pollSeconds: number; sources: string[]; healthSeconds: number };
  /** maxConnections: open syslog TCP connections at once (more are refused at accept). */
  syslog: { host: string; udpPort: number; tcpPort: number; maxConnections: number };
  ingestToken?: string;
  /**
   * Back-pressure (issue 16): `maxQueue` parsed on-premises messages may wait for the database (TCP readers
   * pause at 75 %, UDP drops past it, an HTTP batch that would not fit is refused whole with 429);
   * `maxInFlight` ingest requests per route are read and processed at once (more get 429 before their body is read).
   */
  ingest: { maxQueue: number; maxInFlight: number };
  atpWorkspaceUrl?: string;
  retentionDays: number;
  /** Risky users (bot/hybrid/risky.ts): qualify at minScore, stay until below rearmScore. */
  risky: { minScore: number; rearmScore: number };
  /** Settings that are accepted but no longer do anything: logged once at start. */
  warnings: string[];
  logLevel: string;
  /** Public host name of the bot (BOT_DOMAIN): the Teams tab's SSO audience api://<domain>/<appId>, the app package. */
  botDomain?: string;
  /** Entra authority (AZURE_AUTHORITY_HOST): the tab verifies SSO tokens against its keys and issuer. */
  entraAuthorityHost: string;
  /** CARDS_DIR: a folder of card template overrides (checked file by file at start, see bot/templates). */
  cardsDir?: string;
}

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

function str(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

function int(env: NodeJS.ProcessEnv, name: string, def: number, min: number, max: number): number {
  const raw = str(env, name);
  if (raw === undefined) return def;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(name, `"${raw}" is not a whole number from ${min} to ${max}`, `Set ${name} to a number in that range or unset it for the default (${def})`);
  }
  return n;
}

function url(env: NodeJS.ProcessEnv, name: string, protocols: string[], def?: string): string | undefined {
  const raw = str(env, name) ?? def;
  if (raw === undefined) return undefined;
  const parsed = z.string().url().safeParse(raw);
  const proto = parsed.success ? new URL(raw).protocol : '';
  if (!parsed.success || !protocols.includes(proto)) {
    throw new ConfigError(name, `"${raw}" is not a ${protocols.join(' or ')} URL`, `Set ${name} to a full URL such as ${def ?? `${protocols[0]}//host`}`);
  }
  return raw.replace(/\/+$/, '');
}

/** alerts_v2 `serviceSource` values (Graph's documented enum); the default polls Defender for Identity and for Cloud Apps. */
export const GRAPH_SERVICE_SOURCES = [
  'microsoftDefenderForIdentity',
  'microsoftDefenderForCloudApps',
  'microsoftDefenderForEndpoint',
  'microsoftDefenderForOffice365',
  'microsoft365Defender',
  'azureAdIdentityProtection',
  'microsoftAppGovernance',
  'dataLossPrevention',
  'microsoftDefenderForCloud',
] as const;
export const DEFAULT_GRAPH_SOURCES = ['microsoftDefenderForIdentity', 'microsoftDefenderForCloudApps'];

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The one place that reads the environment. Everything else receives a Config. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const appId = str(env, 'MicrosoftAppId') ?? '';
  const mode: Mode = appId ? 'production' : 'local';
  const appPassword = str(env, 'MicrosoftAppPassword') ?? '';
  const appTypeRaw = str(env, 'MicrosoftAppType') ?? 'MultiTenant';
  if (!['MultiTenant', 'SingleTenant', 'UserAssignedMSI'].includes(appTypeRaw)) {
    throw new ConfigError('MicrosoftAppType', `"${appTypeRaw}" is not a Bot Framework app type`, 'Use MultiTenant, SingleTenant or UserAssignedMSI');
  }
  const appType = appTypeRaw as Config['bot']['appType'];
  const appTenantId = str(env, 'MicrosoftAppTenantId') ?? '';

  const tenantsRaw = str(env, 'ALLOWED_TENANT_IDS');
  const allowedTenantIds = tenantsRaw ? tenantsRaw.split(',').map((t) => t.trim().toLowerCase()).filter(Boolean) : [];
  const badTenant = allowedTenantIds.find((t) => !GUID.test(t));
  if (badTenant) {
    throw new ConfigError('ALLOWED_TENANT_IDS', `"${badTenant}" is not a tenant id (GUID)`, 'List Entra tenant ids separated by commas');
  }

  if (mode === 'production') {
    if (appType !== 'UserAssignedMSI' && !appPassword) {
      throw new ConfigError('MicrosoftAppPassword', 'is empty while MicrosoftAppId is set', 'Set the bot registration client secret, or MicrosoftAppType=UserAssignedMSI for a managed identity');
    }
    if ((appType === 'SingleTenant' || appType === 'UserAssignedMSI') && !appTenantId) {
      throw new ConfigError('MicrosoftAppTenantId', `is required when MicrosoftAppType=${appType}`, 'Set it to the tenant id of the bot registration');
    }
    if (allowedTenantIds.length === 0) {
      throw new ConfigError('ALLOWED_TENANT_IDS', 'is empty in production mode (MicrosoftAppId is set)', 'List the Entra tenant ids allowed to talk to the bot, separated by commas');
    }
  }

  const databaseUrl = url(env, 'DATABASE_URL', ['postgres:', 'postgresql:']);
  const dataDir = path.resolve(str(env, 'DATA_DIR') ?? './data');

  const graphIds = ['GRAPH_TENANT_ID', 'GRAPH_CLIENT_ID', 'GRAPH_CLIENT_SECRET'].map((n) => str(env, n));
  let graph: Config['graph'];
  if (graphIds.some(Boolean)) {
    const missing = ['GRAPH_TENANT_ID', 'GRAPH_CLIENT_ID', 'GRAPH_CLIENT_SECRET'].filter((_, i) => !graphIds[i]);
    if (missing.length) throw new ConfigError(missing[0], 'is missing while other GRAPH_* variables are set', 'Set all three of GRAPH_TENANT_ID, GRAPH_CLIENT_ID and GRAPH_CLIENT_SECRET, or none to use DIRECTORY_FILE');
    graph = {
      tenantId: graphIds[0]!,
      clientId: graphIds[1]!,
      clientSecret: graphIds[2]!,
      baseUrl: url(env, 'GRAPH_BASE_URL', ['https:', 'http:'], 'https://graph.microsoft.com/v1.0')!,
      authorityHost: url(env, 'AZURE_AUTHORITY_HOST', ['https:'], 'https://login.microsoftonline.com')!,
    };
  }
  if (mode === 'production' && !graph) {
    throw new ConfigError('GRAPH_CLIENT_ID', 'is required in production mode to verify roles', 'Set GRAPH_TENANT_ID, GRAPH_CLIENT_ID and GRAPH_CLIENT_SECRET for an app with Directory.Read.All');
  }
  const directoryFile = graph ? undefined : path.resolve(str(env, 'DIRECTORY_FILE') ?? './directory.sample.json');

  const mcasUrl = url(env, 'MCAS_URL', ['https:', 'http:']);
  let mcas: Config['mcas'];
  if (mcasUrl) {
    const token = str(env, 'MCAS_TOKEN');
    // Optional Entra app (client credentials, Investigation.read/.manage) instead of the legacy token.
    const entraClientId = str(env, 'MCAS_CLIENT_ID');
    let entra: NonNullable<Config['mcas']>['entra'];
    if (entraClientId) {
      const tenantId = str(env, 'MCAS_TENANT_ID') ?? str(env, 'GRAPH_TENANT_ID');
      const clientSecret = str(env, 'MCAS_CLIENT_SECRET');
      if (!tenantId) throw new ConfigError('MCAS_TENANT_ID', 'is missing while MCAS_CLIENT_ID is set', 'Set the Entra tenant id of the app registration (or GRAPH_TENANT_ID)');
      if (!clientSecret) throw new ConfigError('MCAS_CLIENT_SECRET', 'is missing while MCAS_CLIENT_ID is set', 'Set a client secret of the app registration that has the Cloud App Security Investigation permissions');
      entra = { tenantId, clientId: entraClientId, clientSecret, authorityHost: url(env, 'AZURE_AUTHORITY_HOST', ['https:'], 'https://login.microsoftonline.com')! };
    }
    if (!token && !entra) throw new ConfigError('MCAS_TOKEN', 'is missing while MCAS_URL is set', 'Create an API token in Cloud App Security (Settings → Security extensions → API tokens) and set MCAS_TOKEN, or set MCAS_CLIENT_ID/MCAS_CLIENT_SECRET for an Entra app');
    mcas = { url: mcasUrl, token: token ?? '', pollSeconds: int(env, 'MCAS_POLL_SECONDS', 60, 5, 86400), ...(entra ? { entra } : {}) };
  }

  const graphSecurity = graphSecurityConfig(env, !!graph);

  const logLevel = str(env, 'LOG_LEVEL') ?? 'info';
  if (!(LEVELS as readonly string[]).includes(logLevel)) {
    throw new ConfigError('LOG_LEVEL', `"${logLevel}" is not a log level`, `Use one of ${LEVELS.join(', ')}`);
  }

  const host = str(env, 'HOST') ?? (mode === 'local' ? '127.0.0.1' : '0.0.0.0');
  if (mode === 'local' && !['127.0.0.1', 'localhost', '::1'].includes(host)) {
    // Bot Framework auth is off without an app id: never expose such a server beyond this machine.
    throw new ConfigError('HOST', `"${host}" is not a loopback address while MicrosoftAppId is unset (local mode, no auth)`, 'Use 127.0.0.1 locally, or set MicrosoftAppId and friends for production');
  }
  return {
    mode,
    port: int(env, 'PORT', 3978, 0, 65535),
    host,
    bot: { appId, appPassword, appType, appTenantId },
    allowedTenantIds,
    databaseUrl,
    dataDir,
    graph,
    directoryFile,
    mcas,
    graphSecurity,
    syslog: {
      host: str(env, 'SYSLOG_HOST') ?? (mode === 'local' ? '127.0.0.1' : '0.0.0.0'),
      udpPort: int(env, 'SYSLOG_UDP_PORT', 1514, 0, 65535),
      tcpPort: int(env, 'SYSLOG_TCP_PORT', 1514, 0, 65535),
      maxConnections: int(env, 'SYSLOG_TCP_MAX_CONNECTIONS', 256, 1, 65535),
    },
    ingestToken: str(env, 'INGEST_TOKEN'),
    ingest: { maxQueue: int(env, 'INGEST_MAX_QUEUE', 5_000, 10, 1_000_000), maxInFlight: int(env, 'INGEST_MAX_IN_FLIGHT', 8, 1, 1000) },
    atpWorkspaceUrl: url(env, 'ATP_WORKSPACE_URL', ['https:']),
    retentionDays: int(env, 'RETENTION_DAYS', 180, 1, 3650),
    risky: riskyConfig(env),
    warnings: retired(env),
    logLevel,
    botDomain: hostName(env, 'BOT_DOMAIN'),
    entraAuthorityHost: url(env, 'AZURE_AUTHORITY_HOST', ['https:'], 'https://login.microsoftonline.com')!,
    cardsDir: folder(env, 'CARDS_DIR'),
  };
}

/** Variables earlier versions read: a start-up warning instead of silently doing nothing. */
function retired(env: NodeJS.ProcessEnv): string[] {
  const out: string[] = [];
  if (str(env, 'RISKY_PERCENTILE') !== undefined) {
    out.push('RISKY_PERCENTILE is no longer read: a user is risky on their own evidence (RISKY_MIN_SCORE, held until RISKY_REARM_SCORE), so other users\' alerts cannot flip them; the percentile is shown as context only. Unset RISKY_PERCENTILE.');
  }
  return out;
}

/** RISKY_MIN_SCORE and RISKY_REARM_SCORE (default half the minimum): re-arming must not sit above qualifying. */
function riskyConfig(env: NodeJS.ProcessEnv): Config['risky'] {
  const minScore = int(env, 'RISKY_MIN_SCORE', 20, 0, 1_000_000);
  const rearmScore = int(env, 'RISKY_REARM_SCORE', Math.floor(minScore / 2), 0, 1_000_000);
  if (rearmScore > minScore) {
    throw new ConfigError('RISKY_REARM_SCORE', `${rearmScore} is above RISKY_MIN_SCORE (${minScore}); a risky user is held until the score falls below it`, `Set RISKY_REARM_SCORE at or below RISKY_MIN_SCORE (well below avoids flapping), or unset it for half of RISKY_MIN_SCORE`);
  }
  return { minScore, rearmScore };
}

/** GRAPH_SECURITY_*: validated even when GRAPH_* is unset, so a typo never waits for the day Graph is turned on. */
function graphSecurityConfig(env: NodeJS.ProcessEnv, haveGraph: boolean): Config['graphSecurity'] {
  const poll = str(env, 'GRAPH_SECURITY_POLL_SECONDS');
  let pollSeconds = 0;
  if (poll !== undefined && poll !== '0') pollSeconds = int(env, 'GRAPH_SECURITY_POLL_SECONDS', 0, 5, 86400);
  const healthSeconds = int(env, 'GRAPH_SECURITY_HEALTH_SECONDS', 300, 5, 86400);
  const rawSources = str(env, 'GRAPH_SECURITY_SOURCES');
  const sources = rawSources ? [...new Set(rawSources.split(',').map((s) => s.trim()).filter(Boolean))] : DEFAULT_GRAPH_SOURCES;
  const unknown = sources.find((s) => !(GRAPH_SERVICE_SOURCES as readonly string[]).includes(s));
  if (unknown !== undefined || sources.length === 0) {
    throw new ConfigError('GRAPH_SECURITY_SOURCES', unknown !== undefined ? `"${unknown}" is not an alerts_v2 serviceSource` : 'is empty', `List serviceSource values separated by commas (${GRAPH_SERVICE_SOURCES.join(', ')}), or unset it for ${DEFAULT_GRAPH_SOURCES.join(',')}`);
  }
  if (pollSeconds > 0 && !haveGraph) {
    throw new ConfigError('GRAPH_SECURITY_POLL_SECONDS', 'is set but the Microsoft Graph app is not (GRAPH_TENANT_ID, GRAPH_CLIENT_ID, GRAPH_CLIENT_SECRET)', 'Set the three GRAPH_* variables for an app with SecurityAlert.Read.All (SecurityAlert.ReadWrite.All to write actions back), or unset GRAPH_SECURITY_POLL_SECONDS');
  }
  return haveGraph ? { pollSeconds, sources, healthSeconds } : undefined;
}

/** An existing folder, as an absolute path. */
function folder(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const raw = str(env, name);
  if (raw === undefined) return undefined;
  const abs = path.resolve(raw);
  let isDir = false;
  try {
    isDir = fs.statSync(abs).isDirectory();
  } catch {
    throw new ConfigError(name, `"${raw}" does not exist`, `Create the folder (it holds card templates named like the built-in ones) or unset ${name}`);
  }
  if (!isDir) throw new ConfigError(name, `"${raw}" is not a folder`, `Point ${name} at a folder of card templates, or unset it`);
  return abs;
}

/** A bare DNS host name (no scheme, no path), as Teams wants it in validDomains. */
function hostName(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const raw = str(env, name);
  if (raw === undefined) return undefined;
  if (!/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i.test(raw)) {
    throw new ConfigError(name, `"${raw}" is not a host name`, `Set ${name} to the public host name only, e.g. hybridwatch.contoso.com (no https://, no path)`);
  }
  return raw.toLowerCase();
}
