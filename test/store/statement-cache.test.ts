import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { StatementCache } from '../../bot/store/statement-cache';

interface T {
  t: { id: number; name: string; extra?: string | null };
}

function open(max: number): { db: Kysely<T>; cache: StatementCache } {
  const cache = new StatementCache(new SqliteDatabase(':memory:'), max);
  return { db: new Kysely<T>({ dialect: new SqliteDialect({ database: cache }) }), cache };
}

/** The same workload (writes, reads, a transaction, a failing statement) on a Kysely over `database`. */
async function workload(db: Kysely<T>): Promise<unknown[]> {
  const out: unknown[] = [];
  await sql`create table t (id integer primary key, name text not null)`.execute(db);
  for (let round = 0; round < 3; round++) {
    for (let i = 0; i < 5; i++) {
      const r = await db.insertInto('t').values({ id: round * 10 + i, name: `n${i}` }).executeTakeFirst();
      out.push(Number(r.numInsertedOrUpdatedRows));
    }
    out.push(await db.selectFrom('t').selectAll().where('name', '=', 'n1').orderBy('id').execute());
    out.push(Number((await db.updateTable('t').set({ name: 'x' }).where('id', '=', round * 10).executeTakeFirst()).numUpdatedRows));
    out.push(
      await db.transaction().execute(async (trx) => {
        await trx.deleteFrom('t').where('id', '=', round * 10 + 4).execute();
        return trx.selectFrom('t').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      }),
    );
    out.push(await db.insertInto('t').values({ id: round * 10, name: 'dup' }).execute().then(() => 'inserted', (e: Error) => e.message));
  }
  return out;
}

describe('StatementCache (SQLite prepared statements by SQL text)', () => {
  test('a Kysely over the cache answers exactly what one preparing every query answers, and reuses statements', async () => {
    const plain = new Kysely<T>({ dialect: new SqliteDialect({ database: new SqliteDatabase(':memory:') }) });
    const { db, cache } = open(1000);
    const expected = await workload(plain);
    expect(await workload(db)).toEqual(expected);
    expect(expected.length).toBeGreaterThan(20);
    // Each round repeats the first's SQL texts (begin and commit too).
    expect(cache.hits).toBeGreaterThan(cache.misses);
    await plain.destroy();
    await db.destroy();
  });

  test('bounded: never more than `max` statements, the least recently used goes first', () => {
    const cache = new StatementCache(new SqliteDatabase(':memory:'), 3);
    const a = cache.prepare('select 1');
    cache.prepare('select 2');
    cache.prepare('select 3');
    expect(cache.prepare('select 1')).toBe(a); // a hit makes it the most recent
    for (let i = 4; i < 50; i++) {
      if (i % 2 === 0) expect(cache.prepare('select 1')).toBe(a);
      cache.prepare(`select ${i}`);
      expect(cache.size).toBeLessThanOrEqual(3);
    }
    expect(cache.size).toBe(3);
    expect(cache.prepare('select 1')).toBe(a);
    const before = cache.misses;
    cache.prepare('select 2'); // evicted long ago: prepared again
    expect(cache.misses).toBe(before + 1);
    cache.close();
  });

  test('a schema change (a migration adding a column, a table rebuilt) does not break a cached statement', async () => {
    const { db, cache } = open(1000);
    await sql`create table t (id integer primary key, name text not null)`.execute(db);
    await db.insertInto('t').values({ id: 1, name: 'a' }).execute();
    const readAll = () => db.selectFrom('t').selectAll().orderBy('id').execute();
    expect(await readAll()).toEqual([{ id: 1, name: 'a' }]);
    const misses = cache.misses;

    await db.schema.alterTable('t').addColumn('extra', 'text').execute();
    await db.updateTable('t').set({ extra: 'e' }).where('id', '=', 1).execute();
    // The cached `select *` is re-prepared by SQLite and now sees the new column.
    expect(await readAll()).toEqual([{ id: 1, name: 'a', extra: 'e' }]);

    await db.schema.dropTable('t').execute();
    await sql`create table t (id integer primary key, name text not null)`.execute(db);
    await db.insertInto('t').values({ id: 2, name: 'b' }).execute();
    expect(await readAll()).toEqual([{ id: 2, name: 'b' }]);
    expect(await db.insertInto('t').values({ id: 1, name: 'a' }).execute().then(() => 'ok')).toBe('ok');
    expect(await readAll()).toEqual([{ id: 1, name: 'a' }, { id: 2, name: 'b' }]);
    // The select and insert texts were served from the cache across both changes.
    const readSql = db.selectFrom('t').selectAll().orderBy('id').compile().sql;
    expect(cache.prepare(readSql)).toBe(cache.prepare(readSql));
    expect(cache.hits).toBeGreaterThan(0);
    expect(cache.misses).toBeLessThan(misses + 10);

    await db.schema.dropTable('t').execute();
    // Gone: the cached statement fails as a fresh one would, and works again once the table is back.
    expect(await readAll().then((r) => `resolved ${JSON.stringify(r)}`, (e: unknown) => String((e as Error)?.message ?? e))).toMatch(/no such table/);
    await sql`create table t (id integer primary key, name text not null)`.execute(db);
    expect(await readAll()).toEqual([]);
    await db.destroy();
  });

  test('a statement still iterating is not handed out again: the second query gets its own', () => {
    const cache = new StatementCache(new SqliteDatabase(':memory:'), 10);
    cache.database.exec('create table n (v integer); insert into n values (1), (2), (3)');
    const text = 'select v from n order by v';
    const first = cache.prepare(text);
    const it = first.iterate([]);
    expect(it.next().value).toEqual({ v: 1 });
    const second = cache.prepare(text);
    expect(second).not.toBe(first);
    expect(second.all([])).toEqual([{ v: 1 }, { v: 2 }, { v: 3 }]);
    expect([...it]).toEqual([{ v: 2 }, { v: 3 }]);
    expect(cache.prepare(text)).toBe(first); // done iterating: reused
    cache.close();
  });
});
