/**
 * Statements per alert of the scoring listeners in a spray (issue 16), SQLite and PostgreSQL:
 * 2,000 alerts over 1,000 users (half of them in the directory) recorded in batches of 500 in one
 * transaction each, the ledger's events handed to the app's listeners at once (EventHooks.emitAll, as
 * the on-prem ingestor does), the batch's users resolved and Ledger.beforeBatch run before it opens.
 * Counts every statement the drivers see during the transactions (driver-level counters, harness only).
 * `node dist/bench/hybrid-batch-statements.js [sqlite|postgres]`
 */
import fs from 'node:fs';
import SqliteDatabase from 'better-sqlite3';
import { Client } from 'pg';
import { buildApp } from '../bot/app';
import { systemClock } from '../bot/clock';
import { loadConfig } from '../bot/config';
import { EventHooks, type HybridEvent } from '../bot/events';
import type { NormalizedAlert } from '../bot/hybrid/alert';
import { Ledger } from '../bot/hybrid/ledger';
import { pgSchema, round, silentLog, tempDir, writeBenchDirectory } from './bench-util';

const USERS = 1000;
const ALERTS = 2000;
const BATCH = 500;
const TYPES = ['2003', '2007', '2012', '2017', '2021', '2023', '2038'];
const SEV: NormalizedAlert['severity'][] = ['low', 'low', 'low', 'medium', 'high'];

let statements = 0;
/** Statements by their first 60 characters (printed with --top). */
const texts = new Map<string, number>();
const seenText = (q: unknown) => {
  const t = String(typeof q === 'object' && q && 'text' in q ? (q as { text: string }).text : q).replace(/\s+/g, ' ').slice(0, 60);
  texts.set(t, (texts.get(t) ?? 0) + 1);
};
const sqlitePrepare = SqliteDatabase.prototype.prepare;
SqliteDatabase.prototype.prepare = function (this: SqliteDatabase.Database, source: string) {
  statements++;
  seenText(source);
  return sqlitePrepare.call(this, source);
} as typeof sqlitePrepare;
const pgQuery = Client.prototype.query;
Client.prototype.query = function (this: Client, ...args: unknown[]) {
  statements++;
  seenText(args[0]);
  return (pgQuery as (...a: unknown[]) => unknown).apply(this, args);
} as typeof pgQuery;

export async function run(kind: 'sqlite' | 'postgres'): Promise<Record<string, number | string>> {
  const dir = tempDir('hw-bench-stmts-');
  // Users u0…u499 are in the directory (1 in 50 with a role); u500…u999 are not.
  const directoryFile = writeBenchDirectory(dir, USERS / 2, (i) => (i % 50 === 0 ? ['Security Administrator'] : []));
  const pg = kind === 'postgres' ? await pgSchema() : null;
  if (kind === 'postgres' && !pg) throw new Error('PostgreSQL not reachable');
  const app = await buildApp(loadConfig({ DATA_DIR: dir, DIRECTORY_FILE: directoryFile, PORT: '0', SYSLOG_UDP_PORT: '0', SYSLOG_TCP_PORT: '0', LOG_LEVEL: 'silent', ...(pg ? { DATABASE_URL: pg.url } : {}) }), { log: silentLog });
  try {
    const now = new Date().toISOString();
    const alerts: NormalizedAlert[] = Array.from({ length: ALERTS }, (_, i) => {
      const u = (i * 7919) % USERS;
      return {
        source: 'onprem',
        sourceId: `stmt-${i}`,
        type: TYPES[i % TYPES.length],
        typeName: 'bench',
        title: `Bench alert ${i % TYPES.length}`,
        description: '',
        severity: SEV[i % SEV.length],
        users: [{ raw: `CONTOSO\\u${u}`, key: `onprem:contoso\\u${u}`, sam: `u${u}`, domain: 'CONTOSO' }],
        hosts: [],
        start: now,
        seenAt: now,
        trigger: 'new',
        hash: `h${i}`,
      };
    });
    const { ledger, events } = app.services;
    let inTx = 0;
    let ms = 0;
    for (let i = 0; i < ALERTS; i += BATCH) {
      const batch = await Promise.all(alerts.slice(i, i + BATCH).map(async (a) => ({ ...a, users: await ledger.resolveUsers(a.users) })));
      for (const hook of ledger.beforeBatch ?? []) await hook(batch.flatMap((a) => a.users));
      const before = statements;
      texts.clear();
      const t0 = performance.now();
      await app.store.db.transaction().execute((trx) =>
        events.batch(trx, async () => {
          // The ledger's writes; its events to the app's listeners at once (what the ingestor's ledger does).
          const quiet = new EventHooks();
          const seen: HybridEvent[] = [];
          quiet.on(async (_trx, e) => void seen.push(e));
          const l = new Ledger(app.store.db, systemClock, quiet);
          l.resolveUsers = ledger.resolveUsers;
          l.mergeNew = ledger.mergeNew;
          await l.recordManyIn(trx, batch);
          await events.emitAll(trx, seen);
        }),
      );
      ms += performance.now() - t0;
      inTx += statements - before;
    }
    const scored = await app.store.db.selectFrom('user_scores').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return { database: kind, alerts: ALERTS, users: USERS, batch: BATCH, 'scored users': Number(scored.n), 'statements in the transactions': inTx, 'statements per alert': round(inTx / ALERTS, 2), 'alerts/s (transactions only)': round((ALERTS / ms) * 1000, 0) };
  } finally {
    await app.stop();
    await pg?.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const args = process.argv.slice(2).filter((a) => a !== '--top');
  const kinds = (args.length ? args : ['sqlite', 'postgres']) as Array<'sqlite' | 'postgres'>;
  void (async () => {
    for (const k of kinds) {
      console.log(JSON.stringify(await run(k)));
      // The last batch's statements, most frequent first.
      if (process.argv.includes('--top')) for (const [t, n] of [...texts.entries()].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`  ${n}\t${t}`);
    }
    process.exit(0);
  })();
}
