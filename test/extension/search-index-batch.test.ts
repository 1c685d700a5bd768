import { EventHooks, type HybridEvent } from '../../bot/events';
import { SearchIndex } from '../../bot/extension/search-index';
import type { AlertRow, AlertUser } from '../../bot/hybrid/alert';
import { alertRow, openCountedStore } from '../helpers/counted-store';

/** The search tables written set-based for a batch (emitAll) hold exactly what indexing event by event leaves. */
const AT = '2026-03-02T09:00:10.000Z';
const user = (key: string, over: Partial<AlertUser> = {}): AlertUser => ({ raw: `CONTOSO\\${key}`, key, sam: key, domain: 'contoso.local', resolution: 'unresolved', ...over });
const created = (alert: AlertRow): HybridEvent => ({ type: 'alert.new', alert, at: AT });

async function run(mode: 'batch' | 'single', batches: HybridEvent[][]) {
  const s = await openCountedStore();
  try {
    const events = new EventHooks();
    const index = new SearchIndex(s.db);
    events.on((trx, e) => index.onEvent(trx, e), (trx, es) => index.onEvents(trx, es));
    let statements = 0;
    for (const batch of batches) {
      const before = s.statements();
      await events.transaction(s.db, async (trx) => {
        if (mode === 'batch') await events.emitAll(trx, batch);
        else for (const e of batch) await events.emit(trx, e);
      });
      statements += s.statements() - before;
    }
    return {
      statements,
      rows: {
        alerts: await s.db.selectFrom('alert_search').selectAll().orderBy('alert_id').execute(),
        users: await s.db.selectFrom('user_search').selectAll().orderBy('user_key').execute(),
        terms: await s.db.selectFrom('user_search_terms').selectAll().orderBy('user_key').orderBy('term').execute(),
      },
    };
  } finally {
    await s.close();
  }
}

describe('search index: a batch written set-based gives the rows indexing one by one gives', () => {
  test('new, re-triggered and changed alerts; users named more or less fully across alerts and batches', async () => {
    const a = alertRow('atp:1', { users: [user('u1'), user('u2', { upn: 'u2@contoso.com' })] });
    const b = alertRow('atp:2', { users: [user('u1', { displayName: 'Una One', upn: 'una@contoso.com' }), user('u3', { raw: 'Third User' })], hosts: ['DC-01'] });
    const c = alertRow('atp:3', { users: [user('u1', { raw: 'u1', sam: undefined, domain: undefined }), user('', { raw: 'nobody' })], title: 'Impossible travel' });
    const d = alertRow('atp:4', { users: [user('u3', { displayName: 'Third User Renamed' }), user('u3', { upn: 'third@contoso.com' })] });
    const batches: HybridEvent[][] = [
      [created(a), created(b), created(c), { type: 'alert.updated', alert: { ...a, severity: 'high', last_seen: '2026-03-02T09:05:00.000Z' }, previous: a, at: AT }],
      [{ type: 'alert.changed', alert: { ...b, status: 'closed' }, action: 'close', actor: { id: 'x', name: 'X' }, at: AT }, created(d), created(alertRow('atp:5', { users: [user('u2')] }))],
    ];
    const batched = await run('batch', batches);
    const single = await run('single', batches);
    expect(batched.rows).toEqual(single.rows);
    expect(batched.rows.alerts.find((r) => r.alert_id === 'atp:2')?.status).toBe('closed');
    expect(batched.rows.users.find((u) => u.user_key === 'u1')).toMatchObject({ display_name: 'Una One', upn: 'una@contoso.com', account: 'CONTOSO\\u1' });
    expect(batched.rows.users.find((u) => u.user_key === 'u3')).toMatchObject({ display_name: 'Third User Renamed', upn: 'third@contoso.com' });
    expect(batched.rows.terms.filter((t) => t.user_key === 'u3').map((t) => t.term)).toContain('renamed');
  });

  test('statements per alert.new: a spray over many users costs a handful of statements per batch', async () => {
    const n = 200;
    const spray = [Array.from({ length: n }, (_, i) => created(alertRow(`atp:s${i}`, { users: [user(`u${i}`, { upn: `u${i}@contoso.com`, displayName: `User ${i}` })] })))];
    const batched = await run('batch', spray);
    const single = await run('single', spray);
    expect(batched.rows).toEqual(single.rows);
    // eslint-disable-next-line no-console
    console.log(`search index statements for ${n} alert.new (one new user each): one by one ${single.statements} (${(single.statements / n).toFixed(2)}/alert), batched ${batched.statements} (${(batched.statements / n).toFixed(3)}/alert)`);
    expect(batched.statements).toBeLessThanOrEqual(6);
  });
});
