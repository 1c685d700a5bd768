import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/**
 * A fresh, empty database for one test: SQLite in a temp folder by default, or a new schema in the
 * PostgreSQL named by HW_TEST_DATABASE_URL (`.ci/run` runs the whole suite both ways).
 */
export interface TestDatabase {
  /** Put these in the app's environment (DATA_DIR, DATABASE_URL). */
  env: Record<string, string>;
  dataDir: string;
  databaseUrl?: string;
  dialect: 'sqlite' | 'postgres';
  drop(): Promise<void>;
}

export const PG_URL = process.env.HW_TEST_DATABASE_URL;

export async function createTestDatabase(): Promise<TestDatabase> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hw-test-'));
  if (!PG_URL) {
    return { env: { DATA_DIR: dataDir }, dataDir, dialect: 'sqlite', drop: async () => fs.rmSync(dataDir, { recursive: true, force: true }) };
  }
  const schema = `hw_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const u = new URL(PG_URL);
  u.searchParams.set('options', `-c search_path=${schema}`);
  const databaseUrl = u.toString();
  return {
    env: { DATA_DIR: dataDir, DATABASE_URL: databaseUrl },
    dataDir,
    databaseUrl,
    dialect: 'postgres',
    async drop() {
      const c = new Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`drop schema if exists ${schema} cascade`);
      await c.end();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
