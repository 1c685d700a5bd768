import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildApp, type App } from '../bot/app';
import { loadConfig } from '../bot/config';
import type { NormalizedAlert } from '../bot/hybrid/alert';
import type { ExtensionFeature } from '../bot/extension/extension-feature';
import { percentile, pgSchema, round, silentLog, tempDir, writeBenchDirectory } from './bench-util';

const ALERTS = 10_000;
const USERS = 1000;
const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const READER = '00000000-0000-0000-0002-000000000001'; // Security Reader in the bench directory
const RUNS = 200;
const TITLES: Array<[string, string, NormalizedAlert['severity'], 'onprem' | 'cloud']> = [
  ['2023', 'Suspected brute force attack (Kerberos, NTLM)', 'medium', 'onprem'],
  ['2017', 'Suspected identity theft (pass-the-hash)', 'high', 'onprem'],
  ['2038', 'Security principal reconnaissance (LDAP)', 'low', 'onprem'],
  ['2003', 'Network mapping reconnaissance (DNS)', 'medium', 'onprem'],
  ['2021', 'Suspected Golden Ticket usage (encryption downgrade)', 'high', 'onprem'],
  ['policy:impossible-travel', 'Impossible travel activity', 'high', 'cloud'],
  ['policy:inbox-forwarding', 'Suspicious inbox forwarding', 'medium', 'cloud'],
  ['policy:mass-download', 'Mass download by a single user', 'medium', 'cloud'],
];

/** 10,000 alerts over the last 14 days (a fifth closed) for 1,000 users, through the ledger (so the search tables fill as in production). */
async function seed(app: App): Promise<string[]> {
  const now = Date.now();
  const links: string[] = [];
  const batch: NormalizedAlert[] = [];
  const flush = async () => {
    await app.store.db.transaction().execute((trx) => app.services.ledger.recordManyIn(trx, batch.splice(0)));
  };
  for (let i = 0; i < ALERTS; i++) {
    const [type, title, severity, source] = TITLES[i % TITLES.length];
    const u = (i * 7919) % USERS;
    const at = new Date(now - ((i * 104_729) % (14 * 86_400_000))).toISOString();
    const guid = `${String(i).padStart(8, '0')}-5d0e-4f7e-9a4e-2b1e6c3f7a10`;
    const url = source === 'onprem' ? `https://contoso.atp.azure.com/securityAlert/${guid}` : `https://contoso.portal.cloudappsecurity.com/#/alerts/${String(i).padStart(24, '0')}`;
    if (i % 50 === 0) links.push(url);
    batch.push({
      source,
      sourceId: source === 'onprem' ? guid : String(i).padStart(24, '0'),
      type,
      typeName: type,
      title,
      description: `Bench alert ${i}`,
      severity,
      users: [source === 'cloud' ? { raw: `u${u}@contoso.com`, key: '', upn: `u${u}@contoso.com` } : { raw: `CONTOSO\\u${u}`, key: '' }],
      hosts: source === 'onprem' ? [`WKS-${i % 400}`, 'DC01'] : [],
      start: at,
      seenAt: at,
      url,
      status: i % 5 === 0 ? 'closed' : 'open',
      trigger: 'new',
      hash: `h${i}`,
    });
    if (batch.length === 500) await flush();
  }
  await flush();
  return links;
}

function invoke(url: string, agent: http.Agent, serviceUrl: string, name: string, value: unknown): Promise<{ ms: number; bytes: number }> {
  const body = JSON.stringify({
    type: 'invoke', name, id: `f:${Math.random()}`, serviceUrl, channelId: 'msteams', value,
    from: { id: '29:reader', name: 'Reader', aadObjectId: READER },
    conversation: { isGroup: true, conversationType: 'channel', tenantId: TENANT, id: '19:soc@thread.tacv2' },
    recipient: { id: '28:bot', name: 'Hybridwatch' }, channelData: { tenant: { id: TENANT }, source: { name: 'compose' } },
  });
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const req = http.request(`${url}/api/messages`, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      let bytes = 0;
      res.on('data', (c: Buffer) => (bytes += c.length));
      res.on('end', () => (res.statusCode === 200 ? resolve({ ms: Number(process.hrtime.bigint() - t0) / 1e6, bytes }) : reject(new Error(`HTTP ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function measure(databaseUrl: string | undefined, label: string): Promise<Record<string, number | string>> {
  const dir = tempDir('hw-bench-me-');
  const directoryFile = writeBenchDirectory(dir, USERS, (i) => (i === 1 ? ['Security Reader'] : i % 100 === 0 ? ['Security Operator'] : []));
  const connector = http.createServer((req, res) => req.resume().on('end', () => res.end('{"id":"1"}')));
  await new Promise<void>((r) => connector.listen(0, '127.0.0.1', r));
  const serviceUrl = `http://127.0.0.1:${(connector.address() as AddressInfo).port}/`;
  const env: Record<string, string> = { DATA_DIR: dir, DIRECTORY_FILE: directoryFile, PORT: '0', SYSLOG_UDP_PORT: '0', SYSLOG_TCP_PORT: '0', LOG_LEVEL: 'silent' };
  if (databaseUrl) env.DATABASE_URL = databaseUrl;
  const app = await buildApp(loadConfig(env), { log: silentLog });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  try {
    const s0 = performance.now();
    const links = await seed(app);
    const seedS = (performance.now() - s0) / 1000;
    const url = await app.start();
    const ext = app.features.find((f) => f.name === 'extension') as ExtensionFeature;
    const users = (): [string, unknown] => ['composeExtension/query', { commandId: 'searchUsers', parameters: [{ name: 'query', value: ['bench user 4', 'u12@', 'contoso\\u3', '', 'bench', 'user 99', 'nobody'][Math.floor(Math.random() * 7)] }], queryOptions: { skip: 0, count: 25 } }];
    const kinds: Record<string, () => [string, unknown]> = {
      searchAlerts: () => ['composeExtension/query', { commandId: 'searchAlerts', parameters: [{ name: 'query', value: ['brute', 'pass-the-hash', 'wks-12', 'u42', 'contoso\\u7', '', 'impossible travel', 'no such thing', 'golden', 'dc01 u3'][Math.floor(Math.random() * 10)] }], queryOptions: { skip: 0, count: 25 } }],
      // Keystrokes within 15 s reuse everyone's scores (ScoreMemo); "cold" computes them for every request.
      searchUsers: users,
      'searchUsers cold': () => {
        ext.scores.forget();
        return users();
      },
      queryLink: () => ['composeExtension/queryLink', { url: Math.random() < 0.9 ? links[Math.floor(Math.random() * links.length)] : 'https://contoso.atp.azure.com/securityAlert/ffffffff-0000-4000-8000-000000000000' }],
    };
    const out: Record<string, number | string> = { [`${label}: alerts in the ledger`]: ALERTS, [`${label}: seeding through the ledger (s)`]: round(seedS, 1) };
    for (const [kind, make] of Object.entries(kinds)) {
      for (let i = 0; i < 10; i++) await invoke(url, agent, serviceUrl, ...make()); // warm caches
      const lat: number[] = [];
      let bytes = 0;
      for (let i = 0; i < RUNS; i++) {
        const r = await invoke(url, agent, serviceUrl, ...make());
        lat.push(r.ms);
        bytes += r.bytes;
      }
      lat.sort((a, b) => a - b);
      out[`${label}: ${kind} p50 (ms)`] = round(percentile(lat, 50), 1);
      out[`${label}: ${kind} p99 (ms)`] = round(percentile(lat, 99), 1);
      out[`${label}: ${kind} mean answer (KB)`] = round(bytes / RUNS / 1024, 1);
    }
    return out;
  } finally {
    agent.destroy();
    await app.stop();
    await new Promise<void>((r) => connector.close(() => r()));
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Message extension over HTTP with 10,000 alerts in the ledger (the role cache warm, as in Teams after
 * the first keystroke): searchAlerts (25 full alert cards per answer), searchUsers (25 profile cards),
 * queryLink, one request at a time (someone typing), on SQLite and on PostgreSQL.
 */
export async function run(): Promise<Record<string, number | string>> {
  const out = await measure(undefined, 'SQLite');
  const pg = await pgSchema();
  if (!pg) return { ...out, PostgreSQL: 'not reachable (BENCH_DATABASE_URL)' };
  try {
    return { ...out, ...(await measure(pg.url, 'PostgreSQL')) };
  } finally {
    await pg.drop();
  }
}
