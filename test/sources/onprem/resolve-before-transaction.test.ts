import SqliteDatabase from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Client, Pool } from 'pg';
import { FakeClock } from '../../../bot/clock';
import type { AccountQuery, Directory, DirectoryUser } from '../../../bot/directory/directory';
import { FileDirectory } from '../../../bot/directory/file-directory';
import { EventHooks } from '../../../bot/events';
import { IdentityResolver } from '../../../bot/hybrid/identity-resolver';
import { Ledger } from '../../../bot/hybrid/ledger';
import { IntegrationService } from '../../../bot/integration/integration-service';
import { createMetrics } from '../../../bot/metrics';
import { OnPremIngestor } from '../../../bot/sources/onprem/onprem-ingestor';
import { SensorHealthStore } from '../../../bot/sources/onprem/sensor-health-store';
import type { Schema } from '../../../bot/store/schema';
import { openStore } from '../../../bot/store/store';
import { createTestDatabase, type TestDatabase } from '../../helpers/db';
import { HYBRID_DIRECTORY } from '../../hybrid/helpers';
import { alertLine } from './helpers';

const silent = { info() {}, warn() {}, error() {}, debug() {}, child() { return silent; } } as never;
const guid = (n: number) => `${String(n).padStart(8, '0')}-5d0e-4f7e-9a4e-2b1e6c3f7a10`;

/**
 * The ingestor's own database handle, built here so the test can see whether one of its transactions
 * is open: better-sqlite3's inTransaction, or on PostgreSQL the pool's connections (tagged with an
 * application_name) seen idle in a transaction by pg_stat_activity.
 */
async function openDb(t: TestDatabase): Promise<{ db: Kysely<Schema>; openTransactions(): Promise<number>; close(): Promise<void> }> {
  const migrated = await openStore({ databaseUrl: t.databaseUrl, dataDir: t.dataDir });
  await migrated.close();
  if (!t.databaseUrl) {
    const sqlite = new SqliteDatabase(path.join(t.dataDir, 'hybridwatch.db'));
    sqlite.pragma('journal_mode = WAL');
    const db = new Kysely<Schema>({ dialect: new SqliteDialect({ database: sqlite }) });
    return { db, openTransactions: async () => (sqlite.inTransaction ? 1 : 0), close: () => db.destroy() };
  }
  const app = `hw-h3-${randomBytes(4).toString('hex')}`;
  const db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool: new Pool({ connectionString: t.databaseUrl, max: 4, application_name: app }) }) });
  const watcher = new Client({ connectionString: t.databaseUrl });
  await watcher.connect();
  return {
    db,
    async openTransactions() {
      const r = await watcher.query(`select count(*)::int as n from pg_stat_activity where application_name = $1 and state like 'idle in transaction%'`, [app]);
      return r.rows[0].n as number;
    },
    async close() {
      await watcher.end();
      await db.destroy();
    },
  };
}

/** A real directory (the hybrid fixture) that notes, per lookup, whether a transaction was open and how many lookups ran at once. */
class WatchedDirectory implements Directory {
  readonly asked: string[] = [];
  readonly openDuring: number[] = [];
  inFlight = 0;
  maxInFlight = 0;
  private readonly inner = new FileDirectory(HYBRID_DIRECTORY);
  constructor(private readonly openTransactions: () => Promise<number>) {}
  rolesOf(id: string) {
    return this.inner.rolesOf(id);
  }
  getUser(id: string) {
    return this.inner.getUser(id);
  }
  async findUsers(q: AccountQuery): Promise<DirectoryUser[]> {
    this.asked.push(JSON.stringify(q));
    this.maxInFlight = Math.max(this.maxInFlight, ++this.inFlight);
    try {
      this.openDuring.push(await this.openTransactions());
      return await this.inner.findUsers(q);
    } finally {
      this.inFlight--;
    }
  }
}

describe('on-prem ingest: identity resolution before the transaction', () => {
  let t: TestDatabase;
  let h: Awaited<ReturnType<typeof openDb>>;
  let dir: WatchedDirectory;
  let ingestor: OnPremIngestor;
  let ledger: Ledger;
  const beforeBatch: string[][] = [];

  beforeEach(async () => {
    t = await createTestDatabase();
    h = await openDb(t);
    const clock = new FakeClock('2026-03-02T09:20:00Z');
    const events = new EventHooks();
    const integration = new IntegrationService(h.db, clock, events);
    await integration.init();
    await integration.enable({ id: 'admin', name: 'Admin' });
    ledger = new Ledger(h.db, clock, events);
    dir = new WatchedDirectory(() => h.openTransactions());
    const resolver = new IdentityResolver(dir, silent, clock);
    ledger.resolveUsers = (users) => resolver.resolve(users);
    beforeBatch.length = 0;
    ledger.beforeBatch.push(async (users) => {
      expect(await h.openTransactions()).toBe(0);
      beforeBatch.push(users.map((u) => u.key));
    });
    ingestor = new OnPremIngestor({ db: h.db, integration, ledger, events, health: new SensorHealthStore(h.db), clock, metrics: createMetrics(), log: silent });
  });
  afterEach(async () => {
    await ingestor.close();
    await h.close();
    await t.drop();
  });

  test('the check sees a transaction when one is open (so the assertions below can fail)', async () => {
    expect(await h.openTransactions()).toBe(0);
    const inside = await h.db.transaction().execute(async (trx) => {
      await trx.selectFrom('integration').selectAll().execute();
      return h.openTransactions();
    });
    expect(inside).toBe(1);
  });

  test('the directory is never asked while a transaction is open; each distinct account of a batch once, at most 8 at once', async () => {
    const accounts = ['CONTOSO\\\\jdoe', 'Wofford Thurston', 'CONTOSO\\\\nobody1', 'CONTOSO\\\\nobody2', 'CONTOSO\\\\nobody3', 'CONTOSO\\\\nobody4', 'CONTOSO\\\\nobody5', 'CONTOSO\\\\nobody6', 'CONTOSO\\\\nobody7', 'CONTOSO\\\\nobody8', 'CONTOSO\\\\nobody9', 'CONTOSO\\\\nobody10'];
    // The first message drains alone (the lane starts at once); the rest queue behind it as one batch.
    const first = ingestor.submit(alertLine(guid(0), { user: 'CONTOSO\\\\first' }), 'http');
    const rest = Array.from({ length: 60 }, (_, i) => ingestor.submit(alertLine(guid(i + 1), { user: accounts[i % accounts.length] }), 'http'));
    const outcomes = await Promise.all([first, ...rest]);
    expect(outcomes.every((o) => o === 'new')).toBe(true);

    expect(dir.openDuring.length).toBeGreaterThan(0);
    expect(dir.openDuring.every((n) => n === 0)).toBe(true);
    // Every lookup form of every account was asked exactly once, though each account is named 5 times.
    const counts = new Map<string, number>();
    for (const q of dir.asked) counts.set(q, (counts.get(q) ?? 0) + 1);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect(dir.asked.some((q) => q.includes('nobody10'))).toBe(true);
    expect(dir.maxInFlight).toBeLessThanOrEqual(8);

    // The hooks saw the resolved users of each batch, once each.
    expect(beforeBatch).toHaveLength(2);
    expect(beforeBatch[1]).toContain('aad:00000000-0000-0000-0000-000000000004');
    expect(new Set(beforeBatch[1]).size).toBe(beforeBatch[1].length);
    const row = await ledger.get(`atp:${guid(1)}`);
    expect(row?.users[0]).toMatchObject({ key: 'aad:00000000-0000-0000-0000-000000000004', resolution: 'resolved' });
  });

  test('a re-trigger in the same batch as its new alert asks nobody again and is counted as updated', async () => {
    const first = ingestor.submit(alertLine(guid(100), { user: 'CONTOSO\\\\first' }), 'http');
    const a = ingestor.submit(alertLine(guid(101)), 'http');
    const again = ingestor.submit(alertLine(guid(101), { trigger: 'update', cnt: 7 }), 'http');
    expect(await Promise.all([first, a, again])).toEqual(['new', 'new', 'updated']);
    expect(dir.openDuring.every((n) => n === 0)).toBe(true);
    expect((await ledger.get(`atp:${guid(101)}`))?.trigger_count).toBe(2);
  });
});
