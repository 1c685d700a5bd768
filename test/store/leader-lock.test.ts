import { LeaderLock, LOCK_KEYS } from '../../bot/store/leader-lock';
import { openStore } from '../../bot/store/store';
import { createTestDatabase, PG_URL } from '../helpers/db';

describe('LeaderLock', () => {
  test('SQLite: always leader (single process)', async () => {
    const db = await createTestDatabase();
    const store = await openStore({ dataDir: db.dataDir });
    if (store.dialect === 'sqlite') {
      const l = new LeaderLock(store, undefined, LOCK_KEYS.mcasPoller);
      expect(await l.tryAcquire()).toBe(true);
      expect(l.isLeader).toBe(true);
    }
    await store.close();
    await db.drop();
  });

  (PG_URL ? test : test.skip)('PostgreSQL: one holder at a time; released on holder death, taken over on the next try', async () => {
    const db = await createTestDatabase();
    const a = await openStore({ databaseUrl: db.databaseUrl, dataDir: db.dataDir });
    const b = await openStore({ databaseUrl: db.databaseUrl, dataDir: db.dataDir });
    const key = 0x7e57_0000 + Math.floor(Math.random() * 0xffff);
    const la = new LeaderLock(a, db.databaseUrl, key);
    const lb = new LeaderLock(b, db.databaseUrl, key);
    expect(await la.tryAcquire()).toBe(true);
    expect(await lb.tryAcquire()).toBe(false);
    expect(await la.tryAcquire()).toBe(true); // stays leader
    await la.release(); // the holder's connection closes, as when its process dies
    expect(await lb.tryAcquire()).toBe(true);
    expect(await la.tryAcquire()).toBe(false);
    await lb.release();
    await la.release();
    await a.close();
    await b.close();
    await db.drop();
  });
});
