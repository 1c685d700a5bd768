import { DAY_MS, HOUR_MS } from '../../bot/clock';
import { EventHooks, type HybridEvent } from '../../bot/events';
import type { NormalizedAlert } from '../../bot/hybrid/alert';
import { Ledger } from '../../bot/hybrid/ledger';
import { percentileOf } from '../../bot/hybrid/priority';
import { DETECTIONS, account, makeAlert, retrigger } from '../helpers/alerts';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { HYBRID_DIRECTORY, captureRisky, hybrid } from './helpers';

/**
 * The set-based batch path (PriorityService.onEvents: Evidence.syncMany, one rescore at the batch's
 * end) must write exactly what the per-event path writes for the same batch in one transaction:
 * alert_users, user_scores, score_history and the user.risky events, on SQLite and PostgreSQL.
 */
// Three apps with four days of history each: slow on a loaded machine.
jest.setTimeout(120_000);

describe('scoring a batch set-based ≡ event by event', () => {
  const apps: TestApp[] = [];
  afterAll(async () => {
    for (const t of apps) await t.close();
  });

  const T0 = '2026-03-02T09:00:00.000Z';
  const ago = (iso: string, ms: number) => new Date(Date.parse(iso) - ms).toISOString();
  const SMB = { source: 'onprem', type: '2033', typeName: 'AbnormalProtocolSecurityAlert', title: 'Suspected brute force attack (SMB)', severity: 'medium' } as const;
  const onprem = (sam: string, d: Partial<NormalizedAlert>, at: string, start = at) => makeAlert({ ...d, users: [account(`CONTOSO\\${sam}`)], seenAt: at, start });
  const cloud = (upn: string, d: Partial<NormalizedAlert>, at: string) => makeAlert({ ...d, users: [account(upn, { upn })], seenAt: at, start: at, threatScore: 60 });

  /** Four days of history (recorded one by one), a dismissed risky user, then one batch of alerts. */
  function scenario() {
    const days: NormalizedAlert[][] = [];
    for (let d = 4; d >= 1; d--) {
      const at = ago(T0, d * DAY_MS);
      const day: NormalizedAlert[] = [];
      for (let i = 0; i < 30; i++) day.push(onprem(`noise${(d * 7 + i) % 40}`, SMB, at));
      for (let i = 0; i < 5; i++) day.push(onprem(`user00${1 + (i % 9)}`, DETECTIONS.ldapRecon, at));
      days.push(day);
    }
    // A user made risky, then dismissed, before the batch: the batch's new type must re-fire them.
    const risky = [onprem('lgu', DETECTIONS.bruteForce, ago(T0, 2 * HOUR_MS)), onprem('lgu', DETECTIONS.passTheHash, ago(T0, HOUR_MS)), cloud('lee@contoso.com', DETECTIONS.impossibleTravel, ago(T0, HOUR_MS / 2))];
    // First in the batch, a backlog alert from six days ago: today's alert of that type after it sees it in its baseline.
    const ENUM = { ...SMB, type: '2012', typeName: 'AccountEnumerationSecurityAlert', title: 'Account enumeration reconnaissance' } as const;
    const batch: NormalizedAlert[] = [onprem('backlog', ENUM, ago(T0, 6 * DAY_MS)), onprem('noise5', ENUM, T0)];
    const early = onprem('noise3', SMB, T0);
    batch.push(early);
    for (let i = 0; i < 150; i++) {
      const who = i % 3 === 0 ? `spray${i % 97}` : `noise${i % 40}`;
      batch.push(onprem(who, i % 5 === 0 ? DETECTIONS.bruteForce : SMB, T0));
    }
    // Resolved users with roles (impact), a hybrid chain for jdoe and awilber, and a backlog alert from two days ago.
    batch.push(onprem('jdoe', DETECTIONS.passTheHash, T0), cloud('jdoe@contoso.com', DETECTIONS.impossibleTravel, T0), onprem('jdoe', DETECTIONS.bruteForce, T0));
    batch.push(onprem('awilber', DETECTIONS.passTheHash, T0), onprem('awilber', DETECTIONS.ldapRecon, T0), cloud('alex@contoso.com', DETECTIONS.impossibleTravel, T0));
    batch.push(onprem('mbowen', SMB, ago(T0, DAY_MS), ago(T0, 2 * DAY_MS)), onprem('user002', DETECTIONS.ldapRecon, T0, ago(T0, DAY_MS)));
    batch.push(onprem('lgu', { ...DETECTIONS.ldapRecon, severity: 'high' }, T0));
    // Re-triggers: of an alert new in this batch, of one from the history, and the same bytes again.
    batch.push(retrigger(early, { seenAt: '2026-03-02T09:30:00.000Z', severity: 'high' }), retrigger(days[3][0], { seenAt: T0 }), early);
    for (let i = 0; i < 60; i++) batch.push(onprem(`spray${i}`, DETECTIONS.passTheHash, T0));
    return { days, risky, batch };
  }

  async function prepared(s: ReturnType<typeof scenario>) {
    const t = await startTestApp({ env: { DIRECTORY_FILE: HYBRID_DIRECTORY } });
    apps.push(t);
    const fired = captureRisky(t.app);
    t.clock.set(new Date(ago(T0, 4 * DAY_MS)));
    for (const day of s.days) {
      for (const a of day) await t.app.services.ledger.record(a);
      t.clock.advance(DAY_MS);
    }
    t.clock.set(new Date(ago(T0, HOUR_MS / 2)));
    for (const a of s.risky) await t.app.services.ledger.record(a);
    const lee = 'aad:00000000-0000-0000-0000-000000000003';
    expect(fired.map((e) => e.userKey)).toContain(lee);
    await t.app.store.db.transaction().execute((trx) => hybrid(t.app).priority.dismiss(trx, lee, { id: 'soc', name: 'SOC' }));
    fired.length = 0;
    t.clock.set(new Date(T0));
    return { t, fired };
  }

  async function rows(t: TestApp) {
    const db = t.app.store.db;
    const num = (r: Record<string, unknown>) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v]));
    return {
      alertUsers: (await db.selectFrom('alert_users').selectAll().orderBy('alert_id').orderBy('user_key').execute()).map(num),
      scores: (await db.selectFrom('user_scores').selectAll().orderBy('user_key').execute()).map(num),
      history: (await db.selectFrom('score_history').selectAll().orderBy('user_key').orderBy('at').orderBy('cause').orderBy('score_centi').execute()).map(num),
    };
  }

  /** The ledger's writes for `batch` in `app`'s transaction, its events handed to the app's listeners at once. */
  async function emitAllIn(t: TestApp, batch: NormalizedAlert[]): Promise<HybridEvent[]> {
    const app = t.app;
    return app.store.db.transaction().execute((trx) => app.services.events.batch(trx, async () => {
      const quiet = new EventHooks();
      const seen: HybridEvent[] = [];
      quiet.on(async (_trx, e) => void seen.push(e));
      const ledger = new Ledger(app.store.db, t.clock, quiet);
      ledger.resolveUsers = app.services.ledger.resolveUsers;
      ledger.mergeNew = app.services.ledger.mergeNew;
      await ledger.recordManyIn(trx, batch);
      await app.services.events.emitAll(trx, seen);
      return seen;
    }));
  }

  test('the same alert_users, user_scores, score_history and user.risky events', async () => {
    const s = scenario();
    // Event by event: recordIn per alert inside one batch (the listener's per-event path).
    const one = await prepared(s);
    await one.t.app.store.db.transaction().execute((trx) => one.t.app.services.events.batch(trx, async () => {
      for (const a of s.batch) await one.t.app.services.ledger.recordIn(trx, a);
    }));
    // Set-based: the same ledger writes, their events handed over at once (EventHooks.emitAll), as the ingestor does.
    const many = await prepared(s);
    const seen = await emitAllIn(many.t, s.batch);
    expect(seen.filter((e) => e.type === 'alert.updated').length).toBeGreaterThanOrEqual(2);
    // And through the app's own recordManyIn (whichever way its ledger hands the events over).
    const ledgerBatch = await prepared(s);
    await ledgerBatch.t.app.store.db.transaction().execute((trx) => ledgerBatch.t.app.services.ledger.recordManyIn(trx, s.batch));

    const expected = await rows(one.t);
    expect(expected.scores.length).toBeGreaterThan(100);
    expect(expected.history.length).toBeGreaterThan(expected.scores.length);
    expect(one.fired.map((e) => e.userKey).sort()).toEqual(['aad:00000000-0000-0000-0000-000000000001', 'aad:00000000-0000-0000-0000-000000000003', 'aad:00000000-0000-0000-0000-000000000004']);
    for (const other of [many, ledgerBatch]) {
      const got = await rows(other.t);
      expect(got.alertUsers).toEqual(expected.alertUsers);
      expect(got.scores).toEqual(expected.scores);
      expect(got.history).toEqual(expected.history);
      expect(other.fired.map((e) => [e.userKey, e.detail])).toEqual(one.fired.map((e) => [e.userKey, e.detail]));
    }
  });

  test('users scored in one batch are ranked among everyone after the write, each other included', async () => {
    const s = scenario();
    const { t } = await prepared(s);
    await emitAllIn(t, s.batch);
    t.clock.advance(HOUR_MS);
    const at = t.clock.now().toISOString();
    const spray = Array.from({ length: 120 }, (_, i) => onprem(i % 2 ? `noise${i % 40}` : `fresh${i}`, i % 3 ? DETECTIONS.passTheHash : DETECTIONS.ldapRecon, at));
    await emitAllIn(t, spray);
    const all = await t.app.store.db.selectFrom('user_scores').select(['user_key', 'score_centi', 'percentile', 'scored_at']).execute();
    const scores = all.map((r) => Number(r.score_centi));
    const batchUsers = all.filter((r) => r.scored_at === at);
    expect(batchUsers.length).toBeGreaterThan(60);
    for (const r of batchUsers) expect([r.user_key, Number(r.percentile)]).toEqual([r.user_key, percentileOf(Number(r.score_centi), scores)]);
    expect(new Set(batchUsers.map((r) => Number(r.percentile))).size).toBeGreaterThan(3);
  });
});
