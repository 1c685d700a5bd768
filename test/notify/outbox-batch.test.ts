import { EventHooks, type HybridEvent } from '../../bot/events';
import { Outbox } from '../../bot/notify/outbox';
import type { AlertRow } from '../../bot/hybrid/alert';
import { alertRow, openCountedStore, type CountedStore } from '../helpers/counted-store';

/**
 * The outbox written set-based for a batch (emitAll) must leave exactly the rows per-event processing
 * leaves: which alerts become cards and which digest lines, the digest rows, and the order by seq.
 */
const AT = '2026-03-02T09:00:10.000Z';
const LATER = '2026-03-02T09:00:40.000Z';
const NEXT_MINUTE = '2026-03-02T09:01:05.000Z';
const CONVS = [
  { id: '19:all@thread.tacv2', threshold: 'low' as const },
  { id: '19:high@thread.tacv2', threshold: 'high' as const },
  { id: '19:medium@thread.tacv2', threshold: 'medium' as const, subscribed: 0 },
];

async function setup(digestAfter: number): Promise<CountedStore & { events: EventHooks }> {
  const s = await openCountedStore();
  const events = new EventHooks();
  const outbox = new Outbox({ dialect: s.store.dialect, digestAfter, nowMs: () => 1_000, nudge: () => undefined, events });
  events.on((trx, e) => outbox.onEvent(trx, e), (trx, es) => outbox.onEvents(trx, es));
  for (const c of CONVS) {
    await s.db
      .insertInto('notify_conversations')
      .values({ id: c.id, kind: 'channel', tenant_id: null, team_id: null, service_url: 'http://x', reference: '{}', subscribed: c.subscribed ?? 1, threshold: c.threshold, active: 1, inactive_reason: null, subscribed_by_id: null, subscribed_by_mri: null, subscribed_by_name: null, subscribed_at: AT, lease_owner: null, lease_until_ms: 0, created_at: AT, updated_at: AT })
      .execute();
  }
  return { ...s, events };
}

const created = (alert: AlertRow, at = AT): HybridEvent => ({ type: 'alert.new', alert, at });
const updated = (alert: AlertRow, over: Partial<AlertRow>, at = AT): HybridEvent => ({ type: 'alert.updated', alert: { ...alert, trigger_count: alert.trigger_count + 1, ...over }, previous: alert, at });

/** Each batch in one transaction, emitted as a batch or one event at a time; between batches `between` runs. */
async function run(mode: 'batch' | 'single', batches: HybridEvent[][], between: (s: CountedStore) => Promise<void> = async () => undefined) {
  const s = await setup(3);
  try {
    for (const batch of batches) {
      await s.events.transaction(s.db, async (trx) => {
        if (mode === 'batch') await s.events.emitAll(trx, batch);
        else for (const e of batch) await s.events.emit(trx, e);
      });
      await between(s);
    }
    const outbox = await s.db.selectFrom('notify_outbox').select(['conversation_id', 'kind', 'card_key', 'payload', 'created_at', 'started_ms']).orderBy('seq').execute();
    const digest = await s.db.selectFrom('notify_digest_items').selectAll().orderBy('conversation_id').orderBy('window_start').orderBy('alert_id').execute();
    const windows = await s.db.selectFrom('notify_windows').selectAll().orderBy('conversation_id').orderBy('window_start').execute();
    return { outbox: outbox.map((r) => ({ ...r, started_ms: Number(r.started_ms) })), digest, windows: windows.map((w) => ({ ...w, cards: Number(w.cards) })) };
  } finally {
    await s.close();
  }
}

describe('outbox: a batch of events written set-based gives the rows per-event processing gives', () => {
  test('alert.new for two conversations with different thresholds, more alerts than the budget, across minutes and batches', async () => {
    const sev = ['high', 'low', 'medium', 'high', 'high', 'informational', 'high', 'medium', 'high', 'high'] as const;
    const first = sev.map((severity, i) => alertRow(`atp:b1-${i}`, { severity }));
    const second = sev.map((severity, i) => alertRow(`atp:b2-${i}`, { severity }));
    const batches = [
      first.map((a) => created(a)),
      [...second.slice(0, 6).map((a) => created(a, LATER)), ...second.slice(6).map((a) => created(a, NEXT_MINUTE))],
    ];
    // The worker starts rendering the first digest between the batches: the next overflow queues a fresh digest row.
    const between = async (s: CountedStore) => {
      await s.db.updateTable('notify_outbox').set({ started_ms: 5 }).where('kind', '=', 'digest').execute();
    };
    const batched = await run('batch', batches, between);
    const single = await run('single', batches, between);
    expect(batched).toEqual(single);

    // And what that is: 3 cards per conversation and minute, then the minute's digest.
    const [all, high] = [CONVS[0].id, CONVS[1].id];
    const kinds = (c: string) => batched.outbox.filter((r) => r.conversation_id === c).map((r) => `${r.kind} ${r.card_key}`);
    expect(kinds(all)).toEqual([
      'alert alert:atp:b1-0', 'alert alert:atp:b1-1', 'alert alert:atp:b1-2', 'digest digest:2026-03-02T09:00:00.000Z',
      'digest digest:2026-03-02T09:00:00.000Z', // the first one was started: a fresh row
      'alert alert:atp:b2-6', 'alert alert:atp:b2-7', 'alert alert:atp:b2-8', 'digest digest:2026-03-02T09:01:00.000Z',
    ]);
    expect(kinds(high)).toEqual([
      'alert alert:atp:b1-0', 'alert alert:atp:b1-3', 'alert alert:atp:b1-4', 'digest digest:2026-03-02T09:00:00.000Z',
      'digest digest:2026-03-02T09:00:00.000Z',
      'alert alert:atp:b2-6', 'alert alert:atp:b2-8', 'alert alert:atp:b2-9',
    ]);
    expect(batched.outbox.some((r) => r.conversation_id === CONVS[2].id)).toBe(false); // not subscribed
    expect(batched.windows.find((w) => w.conversation_id === all && w.window_start === '2026-03-02T09:00:00.000Z')?.cards).toBe(14);
    expect(batched.digest.filter((d) => d.conversation_id === all)).toHaveLength(6 + 5 + 1);
  });

  test('re-triggers in the batch: card updates with one summed reply, muted ones silent, digest lines, a severity rise becomes new', async () => {
    const a = alertRow('atp:r-a', { severity: 'high' });
    const b = alertRow('atp:r-b', { severity: 'low' });
    const c = alertRow('atp:r-c', { severity: 'medium' });
    const fill = [1, 2, 3, 4].map((i) => alertRow(`atp:r-f${i}`, { severity: 'high' }));
    const batches = [
      [created(a), created(b), ...fill.map((f) => created(f))],
      [
        updated(a, {}), created(c), updated(a, { trigger_count: 3 }), // two re-triggers: one reply, summed
        updated(b, { severity: 'high' }), // now passes 'high': new there (over the budget: a digest line)
        updated(fill[3], {}), // a digest line in both: the digest is ensured, not duplicated
        updated(fill[0], { muted_until: '2026-03-02T13:00:00.000Z' }), // muted: the card updates silently
        created(alertRow('atp:r-d', { severity: 'high' }), NEXT_MINUTE), updated(c, { severity: 'high' }, NEXT_MINUTE),
      ],
    ];
    // A card was posted for `a` in the first conversation between the batches.
    const between = async (s: CountedStore) => {
      await s.db.insertInto('notify_cards').values({ card_key: 'alert:atp:r-a', conversation_id: CONVS[0].id, activity_id: '1', thread_id: 't', created_at: AT, updated_at: AT }).onConflict((oc) => oc.doNothing()).execute();
    };
    const batched = await run('batch', batches, between);
    const single = await run('single', batches, between);
    expect(batched).toEqual(single);
    const replies = batched.outbox.filter((r) => r.kind === 'alert.reply');
    expect(replies.map((r) => [r.conversation_id, r.card_key, JSON.parse(r.payload).triggers])).toEqual([
      [CONVS[0].id, 'alert:atp:r-a', 2],
      [CONVS[1].id, 'alert:atp:r-a', 2],
      [CONVS[0].id, 'alert:atp:r-b', 1],
    ]);
    expect(batched.outbox.filter((r) => r.kind === 'alert.reply' && r.card_key === 'alert:atp:r-f1')).toHaveLength(0);
    expect(batched.outbox.filter((r) => r.kind === 'alert.update' && r.card_key === 'alert:atp:r-f1')).toHaveLength(2);
    expect(batched.digest.map((d) => `${d.conversation_id} ${d.alert_id}`)).toContain(`${CONVS[1].id} atp:r-b`);
  });

  test('statements per alert.new: a batch costs a handful of statements, not some per alert and conversation', async () => {
    const n = 200;
    const events = Array.from({ length: n }, (_, i) => created(alertRow(`atp:s-${i}`, { severity: i % 2 ? 'high' : 'medium' })));
    const count = async (mode: 'batch' | 'single') => {
      const s = await setup(20);
      try {
        const before = s.statements();
        await s.events.transaction(s.db, async (trx) => {
          if (mode === 'batch') await s.events.emitAll(trx, events);
          else for (const e of events) await s.events.emit(trx, e);
        });
        return s.statements() - before;
      } finally {
        await s.close();
      }
    };
    const batched = await count('batch');
    const single = await count('single');
    // eslint-disable-next-line no-console
    console.log(`outbox statements for ${n} alert.new, 2 subscribed conversations: one by one ${single} (${(single / n).toFixed(2)}/alert), batched ${batched} (${(batched / n).toFixed(3)}/alert)`);
    expect(batched).toBeLessThanOrEqual(8);
    expect(single).toBeGreaterThan(n);
  });

  test('a batch larger than one statement takes (parameter limits) is cut into chunks, order kept', async () => {
    const n = 2_100; // 2,100 outbox rows × 16 columns is past SQLite's 32,766 parameters
    const s = await setup(10_000);
    try {
      const events = Array.from({ length: n }, (_, i) => created(alertRow(`atp:c-${i}`, { severity: 'high' })));
      await s.events.transaction(s.db, (trx) => s.events.emitAll(trx, events));
      const rows = await s.db.selectFrom('notify_outbox').select(['conversation_id', 'card_key']).where('conversation_id', '=', CONVS[1].id).orderBy('seq').execute();
      expect(rows.map((r) => r.card_key)).toEqual(events.map((e) => `alert:${(e as { alert: AlertRow }).alert.id}`));
      const w = await s.db.selectFrom('notify_windows').select('cards').where('conversation_id', '=', CONVS[1].id).executeTakeFirstOrThrow();
      expect(Number(w.cards)).toBe(n);
    } finally {
      await s.close();
    }
  });
});
