import { startTestApp, type TestApp } from '../helpers/test-app';
import { makeChannelMessage, USERS } from '../helpers/activities';
import { makeAlert } from '../helpers/alerts';

const CHANNEL = '19:soc-alerts@thread.tacv2';

/**
 * Cards enqueued inside `events.transaction` wake the worker after the commit. With a poll interval of
 * an hour, only that wake-up can deliver them: woken before the commit (while the batch still ran) the
 * worker would find nothing and sleep for the hour.
 */
describe('outbox worker is woken after the commit', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await startTestApp({ overrides: { notify: { worker: { pollMs: 3_600_000 } } } });
  });
  afterEach(async () => {
    await t.close();
  });

  test('a batch recorded in events.transaction is delivered without waiting for the poll', async () => {
    const res = await t.post(makeChannelMessage('subscribe', USERS.securityAdmin, t.connector.url, CHANNEL));
    expect(res.status).toBe(200);
    const { events, ledger } = t.app.services;
    await events.transaction(t.app.store.db, async (trx) => {
      await ledger.recordManyIn(trx, [makeAlert({ severity: 'high', title: 'wake one' }), makeAlert({ severity: 'high', title: 'wake two' })]);
      // A long batch: the cards are in the outbox well before the commit.
      await new Promise((r) => setTimeout(r, 150));
    });
    const cards = () => t.connector.calls.filter((c) => c.method === 'POST' && c.conversationId === '' && /alert: wake/.test(c.body.activity?.summary ?? ''));
    await t.connector.waitFor(() => cards().length === 2, 10_000);
    expect(cards().map((c) => c.body.activity.summary)).toEqual([expect.stringMatching(/wake one/), expect.stringMatching(/wake two/)]);
  });
});
