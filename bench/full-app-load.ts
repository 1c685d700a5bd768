import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ATP_DETECTIONS, type AtpDetection } from '../bot/sources/onprem/atp-catalog';
import { escapeExtensionValue } from '../bot/sources/onprem/cef-parser';
import { benchId, captureConnector, ROOT, startAppProcess, subscribeChannel, type AppProcess } from './app-process';
import { pgSchema, round, tempDir } from './bench-util';

// Knobs (bench only): FULL_APP_ALERTS, FULL_APP_RUNS (comma list of pg1,pg2,sqlite for spray and
// attack-pg1,attack-sqlite), FULL_APP_CPU_PROF (a directory: the app runs with --cpu-prof into it),
// FULL_APP_SUBSCRIBE, FULL_APP_CLIENTS (concurrent POST clients, default 4).
const ALERTS = Number(process.env.FULL_APP_ALERTS ?? 20_000);
const RUNS = (process.env.FULL_APP_RUNS ?? 'pg1,pg2,sqlite,attack-pg1,attack-sqlite').split(',').map((s) => s.trim());
const CPU_PROF = process.env.FULL_APP_CPU_PROF;
/** The SOC channel's threshold (low, medium, high), or none: no channel subscribed (no cards). */
const SUBSCRIBE = process.env.FULL_APP_SUBSCRIBE ?? 'medium';
const USERS = 3000;
const ATTACK_USERS = 30;
const BATCH = 500;
// The issue measured with 4 clients; more clients keep the 4 write lanes fed (each POST waits for its lines to be written).
const CLIENTS = Number(process.env.FULL_APP_CLIENTS ?? 4);
const TOKEN = 'bench-ingest-token-0123456789';

/** Detection types weighted as a spray / sensor flood shows them: mostly brute force and reconnaissance. */
const MIX: Array<[number, number]> = [
  [2023, 30], [2004, 12], [2033, 5], [2003, 10], [2021, 8], [2038, 6], [2012, 4], [2007, 3],
  [2017, 4], [2018, 4], [2002, 3], [2019, 3], [2024, 2], [2037, 2], [2022, 1], [2006, 1], [2412, 1], [2410, 1],
];
const WEIGHTED: AtpDetection[] = MIX.flatMap(([id, w]) => Array.from({ length: w }, () => ATP_DETECTIONS.find((d) => d.externalId === String(id))!));
const HOSTS = ['WKS-17', 'WKS-42', 'DC01', 'DC02', 'SRV-SQL-02', 'SRV-FS-01', 'CLIENT1', 'LAPTOP-0931'];

/** A deterministic pseudo-random sequence (the corpus is the same every run). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0) / 2 ** 32);
}

function cefLine(id: string, d: AtpDetection, user: string, host: string, cnt: number, trigger: 'new' | 'update', at: Date): string {
  const sev = d.severity === 'high' ? 10 : d.severity === 'medium' ? 5 : 3;
  const sig = d.signatureId ?? 'SecurityAlert';
  const ext = [
    `start=${at.toISOString().replace('Z', '0000Z')}`,
    'app=Kerberos',
    `shost=${host}`,
    `suser=${escapeExtensionValue(user)}`,
    `msg=${escapeExtensionValue(`${user} on ${host}: ${d.name}; ${cnt} attempts.`)}`,
    `cnt=${cnt}`,
    `externalId=${d.externalId}`,
    `cs1Label=url cs1=https\\://contoso.atp.azure.com/securityAlert/${id}`,
    `cs2Label=trigger cs2=${trigger}`,
  ].join(' ');
  return `<132>1 ${at.toISOString()} DC01 CEF 4120 ${sig.slice(0, 32)} \uFEFF0|Microsoft|Azure ATP|2.230.0.0|${sig}|${d.name}|${sev}|${ext}`;
}

/**
 * spray: ALERTS alerts over USERS accounts (about 7 each), 5 % of them re-triggers of an earlier alert.
 * attack: ALERTS alerts over ATTACK_USERS accounts, a third new alerts and two thirds re-triggers of one of
 * the user's alerts. Accounts are `CONTOSO\u<i>`; the directory names u0..u1499, so half are unresolved.
 */
export function corpus(shape: 'spray' | 'attack', run: number, n = ALERTS): string[] {
  const r = rng(run ^ (shape === 'spray' ? 0x5151 : 0xa77a));
  const out: string[] = [];
  const sent: Array<{ id: string; d: AtpDetection; user: string; host: string; cnt: number }> = [];
  const userAlerts = new Map<string, number[]>();
  const base = Date.now() - 60_000;
  for (let i = 0; i < n; i++) {
    const at = new Date(base + i);
    const user = shape === 'spray' ? `CONTOSO\\u${Math.floor(r() * USERS)}` : `CONTOSO\\u${Math.floor(r() * ATTACK_USERS) * (USERS / ATTACK_USERS)}`;
    const mine = userAlerts.get(user) ?? [];
    const retrigger = mine.length > 0 && r() < (shape === 'spray' ? 0.05 : 0.67);
    if (retrigger) {
      const prev = sent[mine[Math.floor(r() * mine.length)]];
      prev.cnt += 1 + Math.floor(r() * 5); // new bytes: an update, not a duplicate
      out.push(cefLine(prev.id, prev.d, prev.user, prev.host, prev.cnt, 'update', at));
      continue;
    }
    const a = { id: benchId(run, shape === 'spray' ? 7 : 8, i), d: WEIGHTED[Math.floor(r() * WEIGHTED.length)], user, host: HOSTS[Math.floor(r() * HOSTS.length)], cnt: 1 + Math.floor(r() * 20) };
    mine.push(sent.length);
    userAlerts.set(user, mine);
    sent.push(a);
    out.push(cefLine(a.id, a.d, a.user, a.host, a.cnt, 'new', at));
  }
  return out;
}

/** The sample directory (its admins subscribe channels) plus u0..u1499; a few of them privileged. */
export function writeDirectory(dir: string): string {
  const sample = JSON.parse(fs.readFileSync(path.join(ROOT, 'directory.sample.json'), 'utf8')) as { users: unknown[] };
  const roles = ['Global Administrator', 'Security Operator', 'Global Reader', 'Security Reader'];
  const users = Array.from({ length: USERS / 2 }, (_, i) => ({
    aadObjectId: `00000000-0000-0000-0002-${String(i).padStart(12, '0')}`,
    userPrincipalName: `u${i}@contoso.com`,
    displayName: `Bench User ${i}`,
    onPremisesSamAccountName: `u${i}`,
    onPremisesDomainName: 'contoso.local',
    roles: i % 50 === 0 ? [roles[(i / 50) % roles.length]] : [],
  }));
  const file = path.join(dir, 'directory.json');
  fs.writeFileSync(file, JSON.stringify({ users: [...sample.users, ...users] }));
  return file;
}

const TICK_MS = 1000 / 100; // USER_HZ is 100 on Linux
function cpuMs(pid: number): number {
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return (Number(rest[11]) + Number(rest[12])) * TICK_MS; // fields 14 (utime) and 15 (stime)
}

/** POST batches from CLIENTS clients (spread over the apps), each resending a 429 after its Retry-After. */
export async function post(apps: Array<{ url: string }>, lines: string[]): Promise<{ refused: number }> {
  let next = 0;
  let refused = 0;
  const client = async (k: number) => {
    const app = apps[k % apps.length];
    for (let b = next++; b * BATCH < lines.length; b = next++) {
      const body = lines.slice(b * BATCH, (b + 1) * BATCH).join('\n') + '\n';
      for (;;) {
        const res = await fetch(`${app.url}/api/ingest/cef`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'text/plain; charset=utf-8' }, body }).catch((e: Error) => {
          throw new Error(`POST failed: ${e.message} (${String((e.cause as Error)?.message ?? e.cause)})`);
        });
        const text = await res.text();
        if (res.status === 429) {
          refused++;
          await new Promise((r) => setTimeout(r, Number(res.headers.get('retry-after') ?? 1) * 1000));
          continue;
        }
        if (res.status !== 200) throw new Error(`ingest answered ${res.status}: ${text.slice(0, 300)}`);
        const r = JSON.parse(text) as { rejected: unknown[] };
        if (r.rejected.length) throw new Error(`rejected lines: ${JSON.stringify(r.rejected.slice(0, 3))}`);
        break;
      }
    }
  };
  await Promise.all(Array.from({ length: CLIENTS }, (_, k) => client(k)));
  return { refused };
}

async function once(o: { databaseUrl?: string; instances: number; shape: 'spray' | 'attack'; run: number }): Promise<Record<string, number>> {
  const dir = tempDir();
  const directory = writeDirectory(dir);
  const conn = await captureConnector(() => undefined);
  const apps: AppProcess[] = [];
  try {
    for (let i = 0; i < o.instances; i++) {
      const env: Record<string, string> = { DIRECTORY_FILE: directory, INGEST_TOKEN: TOKEN, SYSLOG_TCP_PORT: '0', SYSLOG_UDP_PORT: '0' };
      const nodeArgs = CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${CPU_PROF}`, `--cpu-prof-name=${o.databaseUrl ? 'pg' : 'sqlite'}-${o.shape}-${o.instances}x-${i}-${Date.now()}.cpuprofile`] : [];
      apps.push(await startAppProcess({ dataDir: o.instances > 1 ? tempDir() : dir, databaseUrl: o.databaseUrl, env, nodeArgs }));
    }
    if (SUBSCRIBE !== 'none') await subscribeChannel(apps[0].url, conn.url, '19:soc-load@thread.tacv2', SUBSCRIBE as 'low' | 'medium' | 'high');
    const lines = corpus(o.shape, o.run);
    const sum = async (name: string) => (await Promise.all(apps.map((a) => a.metric(name)))).reduce((x, y) => x + y, 0);
    const ingested = () => Promise.all(apps.map((a) => a.metric('hybridwatch_ingest_total', { source: 'http' }))).then((v) => v.reduce((x, y) => x + y, 0));
    const q0 = await sum('hybridwatch_db_queries_total');
    const c0 = apps.reduce((s, a) => s + cpuMs(a.proc.pid!), 0);
    const load0 = os.loadavg()[0];
    const t0 = process.hrtime.bigint();
    const { refused } = await post(apps, lines);
    // Every POST answers once its lines are written; the counter confirms all are stored.
    while ((await ingested()) < lines.length) await new Promise((r) => setTimeout(r, 20));
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const cpu = apps.reduce((s, a) => s + cpuMs(a.proc.pid!), 0) - c0;
    // The scrapes above ran a few statements of their own (ledger size): small next to the ingest.
    const statements = (await sum('hybridwatch_db_queries_total')) - q0;
    return {
      alerts_per_s: round(lines.length / seconds, 0),
      seconds: round(seconds, 1),
      app_cpu_ms_per_alert: round(cpu / lines.length, 3),
      statements_per_alert: round(statements / lines.length, 2),
      statements_per_500: round((statements / lines.length) * BATCH, 0),
      refused_429: refused,
      load_1m_before: round(load0, 2),
      load_1m_after: round(os.loadavg()[0], 2),
    };
  } finally {
    for (const a of apps) await a.stop();
    conn.close();
  }
}

/**
 * The issue 16 load as a user runs it: the real app as its own process (integration enabled, a
 * DIRECTORY_FILE naming half of the 3,000 accounts, one SOC channel subscribed at medium with a loopback
 * Bot Connector), ALERTS CEF lines POSTed to /api/ingest/cef in batches of 500 from 4 clients. alerts/s
 * from the first POST until every alert is stored; app CPU from /proc/<pid>/stat; statements from
 * hybridwatch_db_queries_total.
 */
export async function run(): Promise<Record<string, number | string>> {
  const out: Record<string, number | string> = { alerts: ALERTS, users_spray: USERS, users_attack: ATTACK_USERS, channel_threshold: SUBSCRIBE };
  const runId = Date.now() & 0x7fffffff;
  const put = (prefix: string, r: Record<string, number>) => Object.entries(r).forEach(([k, v]) => (out[`${prefix}_${k}`] = v));
  let n = 0;
  for (const name of RUNS) {
    const shape = name.startsWith('attack') ? 'attack' : 'spray';
    const target = name.replace(/^attack-/, '');
    if (target === 'sqlite') {
      put(`${shape}_sqlite`, await once({ instances: 1, shape, run: runId + n++ }));
      continue;
    }
    const pg = await pgSchema();
    if (!pg) {
      out[`${shape}_${target}`] = 'PostgreSQL unreachable (set BENCH_DATABASE_URL)';
      continue;
    }
    try {
      // Named, so pg_stat_activity tells this bench's sessions from others on the same server.
      const url = new URL(pg.url);
      url.searchParams.set('application_name', 'hw-full-app-load');
      put(`${shape}_${target}`, await once({ databaseUrl: url.toString(), instances: target === 'pg2' ? 2 : 1, shape, run: runId + n++ }));
    } finally {
      await pg.drop();
    }
  }
  const one = out.spray_pg1_alerts_per_s;
  const two = out.spray_pg2_alerts_per_s;
  if (typeof one === 'number' && typeof two === 'number') out.spray_pg2_over_pg1 = round(two / one, 2);
  return out;
}
