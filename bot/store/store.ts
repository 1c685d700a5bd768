import fs from 'node:fs';
import path from 'node:path';
import { Kysely, Migrator, type LogEvent, PostgresDialect, SqliteDialect, sql, type Migration } from 'kysely';
import SqliteDatabase from 'better-sqlite3';
import { Pool, types } from 'pg';
import type { Schema } from './schema';
import { MIGRATIONS } from './migrations';
import { StatementCache } from './statement-cache';

export type Dialect = 'sqlite' | 'postgres';

export interface Store {
  db: Kysely<Schema>;
  dialect: Dialect;
  /** true when a trivial query answers. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

// PostgreSQL returns int8 (count(*), sums) as strings: numbers here are always far below 2^53.
types.setTypeParser(20, (v) => Number(v));

export interface StoreOptions {
  databaseUrl?: string;
  dataDir: string;
  /** SQLite file name inside dataDir; ':memory:' for a throwaway database. */
  sqliteFile?: string;
  /** Called once per statement sent to the database with its SQL text (the app counts them in /metrics); keep it cheap. */
  onQuery?: (sql: string) => void;
  /** SQLite prepared statements kept by SQL text (LRU); 0 prepares every query afresh. Default 1,000. */
  statementCacheSize?: number;
}

export async function openStore(opts: StoreOptions): Promise<Store> {
  let db: Kysely<Schema>;
  let dialect: Dialect;
  // Kysely calls `log` for every statement it sends (begin and commit too), errors included.
  const onQuery = opts.onQuery;
  const log = onQuery ? (e: LogEvent) => onQuery(e.query.sql) : undefined;
  if (opts.databaseUrl) {
    dialect = 'postgres';
    const pool = new Pool({ connectionString: opts.databaseUrl, max: 10 });
    db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool }), log });
  } else {
    dialect = 'sqlite';
    const file = opts.sqliteFile === ':memory:' ? ':memory:' : path.join(opts.dataDir, opts.sqliteFile ?? 'hybridwatch.db');
    if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
    const sqlite = new SqliteDatabase(file);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('busy_timeout = 5000');
    sqlite.pragma('foreign_keys = ON');
    const cacheSize = opts.statementCacheSize ?? 1000;
    db = new Kysely<Schema>({ dialect: new SqliteDialect({ database: cacheSize > 0 ? new StatementCache(sqlite, cacheSize) : sqlite }), log });
  }
  // Kysely introspects every schema of the database before migrating; a schema dropped by someone
  // else at that moment (parallel test runs, tenants side by side) fails that query once. Try again.
  for (let attempt = 1; ; attempt++) {
    try {
      await migrate(db, dialect);
      break;
    } catch (e) {
      if (dialect !== 'postgres' || attempt >= 5 || !/schema "[^"]+" does not exist|relation "[^"]+" does not exist/.test((e as Error).message)) {
        await db.destroy();
        throw e;
      }
      await new Promise((r) => setTimeout(r, 50 * attempt));
    }
  }
  return {
    db,
    dialect,
    async ping() {
      try {
        await sql`select 1`.execute(db);
        return true;
      } catch {
        return false;
      }
    },
    close: () => db.destroy(),
  };
}

async function migrate(db: Kysely<Schema>, dialect: Dialect): Promise<void> {
  const migrations: Record<string, Migration> = {};
  for (const [name, m] of Object.entries(MIGRATIONS)) migrations[name] = { up: (k) => m.up(k, dialect) };
  // Kysely looks for its bookkeeping tables in every schema unless told which: with several schemas
  // in one database (tests, or tenants side by side) it would find another schema's and skip ours.
  let migrationTableSchema: string | undefined;
  if (dialect === 'postgres') {
    const r = await sql<{ s: string }>`select current_schema() as s`.execute(db);
    migrationTableSchema = r.rows[0]?.s ?? undefined;
  }
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations }, migrationTableSchema });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    throw new Error(`database migration ${failed ?? ''} failed: ${(error as Error).message ?? String(error)}`);
  }
}

/** Current time as stored: ISO-8601 UTC text. */
export const iso = (d: Date): string => d.toISOString();
