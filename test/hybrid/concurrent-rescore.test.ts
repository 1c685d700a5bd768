import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { NormalizedAlert } from '../../bot/hybrid/alert';
import { DETECTIONS, account, makeAlert } from '../helpers/alerts';
import { createTestDatabase, PG_URL, type TestDatabase } from '../helpers/db';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { HYBRID_DIRECTORY, hybrid } from './helpers';

const pgOnly = PG_URL ? describe : describe.skip;

/**
 * Two transactions (two lanes, or two instances) record alerts for the same user at the same time on
 * PostgreSQL. Each reads the user's evidence at its batch's end; without a lock the second would read
 * before the first commits and overwrite the score with one that misses the first's alert.
 */
pgOnly('two transactions rescoring one user (PostgreSQL)', () => {
  let db: TestDatabase;
  let t: TestApp;
  let watcher: Client;
  const name = `hw_race_${randomBytes(4).toString('hex')}`;
  beforeAll(async () => {
    db = await createTestDatabase();
    const url = new URL(db.databaseUrl!);
    url.searchParams.set('application_name', name);
    t = await startTestApp({ db, env: { DATABASE_URL: url.toString(), DIRECTORY_FILE: HYBRID_DIRECTORY } });
    watcher = new Client({ connectionString: PG_URL });
    await watcher.connect();
  });
  afterAll(async () => {
    await watcher.end();
    await t.close();
    await db.drop();
  });

  /** Until one of the app's connections waits for a lock (the second transaction, on the first's row). */
  async function someoneWaits(): Promise<void> {
    for (let i = 0; i < 500; i++) {
      const r = await watcher.query(`select count(*)::int as n from pg_stat_activity where application_name = $1 and wait_event_type = 'Lock'`, [name]);
      if (r.rows[0].n > 0) return;
      await new Promise((res) => setTimeout(res, 20));
    }
    throw new Error('the second transaction never waited for the first');
  }

  const onprem = (sam: string, d: Partial<NormalizedAlert>) => makeAlert({ ...d, users: [account(`CONTOSO\\${sam}`)], seenAt: t.clock.now().toISOString(), start: t.clock.now().toISOString() });

  test.each([
    ['a user without a score yet', 'racer1', false],
    ['a user with a stored score', 'racer2', true],
  ])('%s ends with the score of all evidence', async (_label, sam, scoredBefore) => {
    const { ledger, events } = t.app.services;
    const pg = t.app.store.db;
    if (scoredBefore) await ledger.record(onprem(sam, DETECTIONS.ldapRecon));
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let rescored!: () => void;
    const first = new Promise<void>((r) => (rescored = r));
    let key = '';
    // The first transaction records and rescores (its batch's end), then stays open.
    const t1 = pg.transaction().execute(async (trx) => {
      key = (await events.batch(trx, () => ledger.recordIn(trx, onprem(sam, DETECTIONS.bruteForce)))).alert.users[0].key;
      rescored();
      await gate;
    });
    await first;
    // The second records another alert for the same user and reaches its own rescore meanwhile.
    const t2 = pg.transaction().execute((trx) => events.batch(trx, () => ledger.recordIn(trx, onprem(sam, DETECTIONS.passTheHash))));
    await someoneWaits();
    release();
    await Promise.all([t1, t2]);

    const priority = hybrid(t.app).priority;
    const stored = (await priority.stored(pg, [key])).get(key)!;
    const all = (await priority.compute(pg, [key], new Map([[key, stored.impact_centi]]))).get(key)!;
    expect(all.alertCount).toBe(scoredBefore ? 3 : 2);
    expect({ score: stored.score_centi, alerts: stored.alert_count }).toEqual({ score: all.scoreCenti, alerts: all.alertCount });
  });
});
