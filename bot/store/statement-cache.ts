import type { Database, Statement } from 'better-sqlite3';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

/**
 * What Kysely's SqliteDialect is given instead of the better-sqlite3 handle: `prepare(sql)` answers a
 * cached statement for SQL text seen before (Kysely prepares on every query; compiling the SQL costs
 * more than running a point lookup). Bounded LRU (a Map keeps insertion order: a hit is moved to the end,
 * the first key is the least recently used).
 *
 * Safe with how Kysely uses statements: one connection behind a mutex, so a statement is never run
 * while another query of the same text is still iterating; `reader` → `all`/`iterate` (which reset the
 * statement when done), else `run`; Kysely sets no per-statement mode (raw, pluck, safeIntegers). A
 * schema change does not break a cached statement: SQLite re-prepares it from its text on the next run
 * (sqlite3_prepare_v2), which test/store/statement-cache.test.ts checks.
 */
export class StatementCache implements SqliteDatabase {
  private readonly cache = new Map<string, Statement>();
  hits = 0;
  misses = 0;

  constructor(readonly database: Database, readonly max = 1000) {}

  prepare(sql: string): SqliteStatement {
    const hit = this.cache.get(sql);
    // A statement still iterating (a stream not finished) cannot run again: give this query its own.
    if (hit?.busy) return this.database.prepare(sql) as unknown as SqliteStatement;
    if (hit) {
      this.hits++;
      this.cache.delete(sql);
      this.cache.set(sql, hit);
      return hit as unknown as SqliteStatement;
    }
    this.misses++;
    const stmt = this.database.prepare(sql);
    this.cache.set(sql, stmt);
    // Evicted statements are finalized by better-sqlite3 when garbage collected.
    if (this.cache.size > this.max) this.cache.delete(this.cache.keys().next().value as string);
    return stmt as unknown as SqliteStatement;
  }

  get size(): number {
    return this.cache.size;
  }

  close(): void {
    this.cache.clear();
    this.database.close();
  }
}
