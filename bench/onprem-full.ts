import fs from 'node:fs';
import SqliteDatabase from 'better-sqlite3';
import { Client } from 'pg';
import { buildApp } from '../bot/app';
import { systemClock } from '../bot/clock';
import { CachedDirectory } from '../bot/directory/cached-directory';
import type { AccountQuery, Directory } from '../bot/directory/directory';
import { FileDirectory } from '../bot/directory/file-directory';
import { loadConfig } from '../bot/config';
import type { OnPremFeature } from '../bot/sources/onprem/onprem-feature';
import { escapeExtensionValue } from '../bot/sources/onprem/cef-parser';
import { ATP_DETECTIONS } from '../bot/sources/onprem/atp-catalog';
import { pgSchema, round, silentLog, tempDir, writeBenchDirectory } from './bench-util';

/**
 * The on-prem ingestor inside the full app (identity resolution over a DIRECTORY_FILE, scoring, outbox,
 * search index: every listener the app registers), fed directly (no socket): alerts/s and database
 * statements per alert (BEGIN/COMMIT included). 3,000 accounts, half not in the directory, as a spray;
 * one alert in ten is a re-trigger of an earlier one. Not registered in index.ts (issue 16, helper h3):
 * `node dist/bench/onprem-full.js [sqlite|postgres] [messages] [batchSize|default] [directory latency ms]`.
 */
const USERS = 3000;

function corpus(n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const re = i % 10 === 9;
    const id = re ? i - 7 : i;
    const d = ATP_DETECTIONS[id % ATP_DETECTIONS.length];
    const u = (id * 7919) % USERS;
    const user = `CONTOSO\\u${u}`;
    const ext = [
      `start=2026-03-02T09:${String(id % 60).padStart(2, '0')}:59.0000000Z`,
      `shost=WKS-${id % 50}`,
      `suser=${escapeExtensionValue(user)}`,
      `msg=${escapeExtensionValue(`${user} triggered ${d.name}`)}`,
      `cnt=${re ? 2 : 1}`,
      `externalId=${d.externalId}`,
      `cs1Label=url cs1=https\\://contoso.atp.azure.com/securityAlert/a${String(id).padStart(8, '0')}-5d0e-4f7e-9a4e-000000000000`,
      `cs2Label=trigger cs2=${re ? 'update' : 'new'}`,
    ].join(' ');
    out.push(`CEF:0|Microsoft|Azure ATP|2.230.0.0|${d.signatureId ?? 'SecurityAlert'}|${d.name}|5|${ext}`);
  }
  return out;
}

let statements = 0;
const pgQuery = Client.prototype.query;
(Client.prototype as unknown as { query: unknown }).query = function (this: Client, ...args: unknown[]) {
  statements++;
  return (pgQuery as (...a: unknown[]) => unknown).apply(this, args);
};
const prepare = SqliteDatabase.prototype.prepare;
SqliteDatabase.prototype.prepare = function (this: SqliteDatabase.Database, src: string) {
  statements++;
  return prepare.call(this, src);
} as typeof prepare;

/** A directory answering after `ms` (Graph's round trip), behind the app's cache as in production. */
function slowDirectory(file: string, ms: number): Directory {
  const inner = new FileDirectory(file);
  const wait = () => new Promise((r) => setTimeout(r, ms));
  return new CachedDirectory({
    rolesOf: async (id) => (await wait(), inner.rolesOf(id)),
    getUser: async (id) => (await wait(), inner.getUser(id)),
    findUsers: async (q: AccountQuery) => (await wait(), inner.findUsers(q)),
  }, systemClock);
}

async function once(databaseUrl: string | undefined, messages: number, batchSize?: number, latencyMs = 0): Promise<Record<string, number>> {
  const dir = tempDir('hw-bench-onprem-full-');
  const directoryFile = writeBenchDirectory(dir, USERS / 2, () => []);
  const directory = latencyMs ? slowDirectory(directoryFile, latencyMs) : undefined;
  const app = await buildApp(loadConfig({ DATA_DIR: dir, DIRECTORY_FILE: directoryFile, PORT: '0', SYSLOG_UDP_PORT: '0', SYSLOG_TCP_PORT: '0', LOG_LEVEL: 'silent', ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}) }), { log: silentLog, directory });
  try {
    await app.services.integration.enable({ id: 'bench', name: 'bench' });
    const onprem = app.features.find((f) => f.name === 'onprem') as OnPremFeature;
    const ingestor = onprem.ingestor;
    if (batchSize) (ingestor as unknown as { batchSize: number }).batchSize = batchSize;
    const lines = corpus(messages);
    statements = 0;
    const t0 = performance.now();
    const pending: Array<Promise<unknown>> = [];
    for (const l of lines) {
      if (!ingestor.fits(1)) await ingestor.whenBelow(ingestor.maxQueue / 2);
      pending.push(ingestor.submit(l, 'http'));
    }
    await Promise.all(pending);
    await ingestor.flush();
    const ms = performance.now() - t0;
    const stmts = statements;
    const counts = await app.services.ledger.counts();
    return { 'alerts/s': round((messages / ms) * 1000, 0), 'statements/message': round(stmts / messages, 2), stored: counts.total };
  } finally {
    await app.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const which = process.argv[2] ?? 'sqlite';
  const messages = Number(process.argv[3] ?? 10_000);
  const batchSize = process.argv[4] && process.argv[4] !== 'default' ? Number(process.argv[4]) : undefined;
  const latency = Number(process.argv[5] ?? 0);
  if (which === 'postgres') {
    const pg = await pgSchema();
    if (!pg) throw new Error('PostgreSQL unreachable (BENCH_DATABASE_URL)');
    try {
      console.log(which, messages, batchSize ?? 'default', await once(pg.url, messages, batchSize, latency), `directory ${latency} ms`);
    } finally {
      await pg.drop();
    }
  } else console.log(which, messages, batchSize ?? 'default', await once(undefined, messages, batchSize, latency), `directory ${latency} ms`);
  process.exit(0);
}

if (require.main === module) void main();
