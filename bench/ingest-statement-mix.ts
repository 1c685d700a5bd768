import pino from 'pino';
import { buildApp } from '../bot/app';
import { FakeClock, systemClock } from '../bot/clock';
import { loadConfig } from '../bot/config';
import { CachedDirectory } from '../bot/directory/cached-directory';
import type { Directory } from '../bot/directory/directory';
import { FileDirectory } from '../bot/directory/file-directory';
import { EventHooks } from '../bot/events';
import { IntegrationService } from '../bot/integration/integration-service';
import { openStore } from '../bot/store/store';
import { captureConnector, subscribeChannel } from './app-process';
import { pgSchema, round, tempDir } from './bench-util';
import { corpus, post, writeDirectory } from './full-app-load';

const ALERTS = Number(process.env.STATEMENT_MIX_ALERTS ?? 4000);
const TOP = 25;

/** One statement shape: placeholders and value lists collapsed, so `in ($1, $2)` and `in (?)` count as one. */
export function shape(sql: string): string {
  return sql
    .replace(/\$\d+|\?/g, '?')
    .replace(/\((\s*\?\s*,)+\s*\?\s*\)/g, '(…)')
    .replace(/(, \(…\))+/g, ', …')
    .replace(/"[a-z_0-9]+"\."/g, '"')
    .replace(/\s+/g, ' ')
    .slice(0, 110);
}

/**
 * Which statements the full app sends per alert under the full-app-load spray (ALERTS alerts, one SOC
 * channel at medium): the app in this process (the HTTP route as a client uses it) with a statement
 * tally behind Kysely's log callback. On PostgreSQL every statement is one round trip.
 */
async function once(databaseUrl: string | undefined, run: number, statementCacheSize?: number): Promise<Record<string, number | string>> {
  const dataDir = tempDir();
  const store = await openStore({ databaseUrl, dataDir });
  const integration = new IntegrationService(store.db, new FakeClock(new Date().toISOString()), new EventHooks());
  await integration.init();
  await integration.enable({ id: 'bench', name: 'bench' });
  await store.close();

  const tally = new Map<string, number>();
  let counting = false;
  // The directory as the app builds it (cache over the file), with its calls counted and timed: every
  // call below the ledger and the scorer is awaited inside the ingest transaction in the current code.
  const file = writeDirectory(dataDir);
  const dir = { calls: 0, misses: 0, ms: 0 };
  const timed = (inner: Directory, miss: boolean): Directory => ({
    rolesOf: (id) => wrap(() => inner.rolesOf(id), miss),
    getUser: (id) => wrap(() => inner.getUser(id), miss),
    findUsers: (q) => wrap(() => inner.findUsers(q), miss),
    ...(inner.listUsers ? { listUsers: () => inner.listUsers!() } : {}),
  });
  async function wrap<T>(f: () => Promise<T>, miss: boolean): Promise<T> {
    if (!counting) return f();
    const t = performance.now();
    try {
      return await f();
    } finally {
      if (miss) dir.misses++;
      else {
        dir.calls++;
        dir.ms += performance.now() - t;
      }
    }
  }
  const directory = timed(new CachedDirectory(timed(new FileDirectory(file), true), systemClock), false);
  const env: Record<string, string> = { PORT: '0', DATA_DIR: dataDir, DIRECTORY_FILE: file, INGEST_TOKEN: 'bench-ingest-token-0123456789', SYSLOG_TCP_PORT: '0', SYSLOG_UDP_PORT: '0', LOG_LEVEL: 'error' };
  if (databaseUrl) env.DATABASE_URL = databaseUrl;
  const app = await buildApp(loadConfig(env), {
    log: pino({ level: 'silent' }),
    directory,
    store: { onQuery: (sql) => counting && tally.set(sql, (tally.get(sql) ?? 0) + 1), statementCacheSize },
  });
  const conn = await captureConnector(() => undefined);
  try {
    const url = await app.start();
    await subscribeChannel(url, conn.url, '19:soc-mix@thread.tacv2', 'medium');
    const lines = corpus('spray', run, ALERTS);
    counting = true;
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    await post([{ url }], lines);
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    counting = false;
    const shapes = new Map<string, number>();
    let total = 0;
    for (const [sql, n] of tally) {
      const s = shape(sql);
      shapes.set(s, (shapes.get(s) ?? 0) + n);
      total += n;
    }
    const begins = shapes.get('begin') ?? 0;
    const out: Record<string, number | string> = {
      alerts_per_s_in_process: round(lines.length / seconds, 0),
      cpu_ms_per_alert_in_process: round((cpu.user + cpu.system) / 1000 / lines.length, 3),
      statements_per_alert: round(total / lines.length, 2),
      transactions: begins,
      statements_per_transaction: round(total / Math.max(1, begins), 0),
      distinct_sql_texts: tally.size,
      directory_calls_per_alert: round(dir.calls / lines.length, 2),
      directory_misses_per_alert: round(dir.misses / lines.length, 2),
      directory_ms_awaited_total: round(dir.ms, 0),
    };
    for (const [s, n] of [...shapes].sort((a, b) => b[1] - a[1]).slice(0, TOP)) out[`per_alert ${s}`] = round(n / lines.length, 3);
    return out;
  } finally {
    await app.stop();
    conn.close();
  }
}

export async function run(): Promise<Record<string, number | string>> {
  const out: Record<string, number | string> = { alerts: ALERTS };
  const runId = Date.now() & 0x7fffffff;
  for (const [k, v] of Object.entries(await once(undefined, runId))) out[`sqlite ${k}`] = v;
  // The same without the prepared-statement cache (every query prepared afresh, as before issue 16).
  const plain = await once(undefined, runId + 2, 0);
  out['sqlite (no statement cache) alerts_per_s_in_process'] = plain.alerts_per_s_in_process;
  out['sqlite (no statement cache) cpu_ms_per_alert_in_process'] = plain.cpu_ms_per_alert_in_process;
  const pg = await pgSchema();
  if (!pg) return { ...out, postgres: 'unreachable (set BENCH_DATABASE_URL)' };
  try {
    for (const [k, v] of Object.entries(await once(pg.url, runId + 1))) out[`postgres ${k}`] = v;
  } finally {
    await pg.drop();
  }
  return out;
}
