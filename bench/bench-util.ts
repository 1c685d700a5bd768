import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import pino from 'pino';
import { Client } from 'pg';
import { randomBytes } from 'node:crypto';

export const BENCH_PG_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const silentLog = pino({ level: 'silent' });

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

export const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

export function tempDir(prefix = 'hw-bench-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** A fresh PostgreSQL schema for one bench run; null when PostgreSQL is not reachable. */
export async function pgSchema(): Promise<{ url: string; drop(): Promise<void> } | null> {
  const schema = `hwbench_${randomBytes(5).toString('hex')}`;
  const c = new Client({ connectionString: BENCH_PG_URL });
  try {
    await c.connect();
    await c.query(`create schema ${schema}`);
  } catch {
    await c.end().catch(() => undefined);
    return null;
  }
  await c.end();
  const u = new URL(BENCH_PG_URL);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return {
    url: u.toString(),
    async drop() {
      const d = new Client({ connectionString: BENCH_PG_URL });
      await d.connect();
      await d.query(`drop schema if exists ${schema} cascade`);
      await d.end();
    },
  };
}

/**
 * A DIRECTORY_FILE of `count` users (`Bench User i`, `u<i>@contoso.com`, `CONTOSO\u<i>`, object id
 * `00000000-0000-0000-0002-<i>`) with the roles `rolesOf(i)` gives; returns its path.
 */
export function writeBenchDirectory(dir: string, count: number, rolesOf: (i: number) => string[]): string {
  const file = path.join(dir, 'directory.json');
  const users = Array.from({ length: count }, (_, i) => ({
    aadObjectId: `00000000-0000-0000-0002-${String(i).padStart(12, '0')}`,
    userPrincipalName: `u${i}@contoso.com`,
    displayName: `Bench User ${i}`,
    onPremisesSamAccountName: `u${i}`,
    onPremisesDomainName: 'contoso.local',
    roles: rolesOf(i),
  }));
  fs.writeFileSync(file, JSON.stringify({ users }));
  return file;
}
