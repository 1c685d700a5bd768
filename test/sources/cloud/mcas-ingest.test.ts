import { makeMcasAlert } from '../../fakes/mcas';
import { makeMessage, USERS } from '../../helpers/activities';
import { cardText } from '../../helpers/cards';
import { startTestApp, type TestApp } from '../../helpers/test-app';
import { hex24, INGEST_TOKEN } from './cloud-helpers';

const T0 = Date.parse('2026-03-02T08:00:00.000Z');
const alert = (i: number, over: Record<string, any> = {}) => makeMcasAlert({ _id: hex24(i, 'd'), timestamp: T0 + i * 1000, title: `Impossible travel ${i}`, ...over });

describe('POST /api/ingest/mcas (push path; works without MCAS_URL)', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await startTestApp({ env: { INGEST_TOKEN } });
  });
  afterEach(async () => {
    await t.close();
  });

  const post = async (body: string, headers: Record<string, string> = {}) => {
    const res = await fetch(`${t.url}/api/ingest/mcas`, { method: 'POST', headers: { authorization: `Bearer ${INGEST_TOKEN}`, 'content-type': 'application/json', ...headers }, body });
    return { status: res.status, body: await res.json() };
  };

  test('one object, an array, the {data} envelope; duplicates counted; the cloud source is not polled', async () => {
    expect(t.app.services.cloudActions).toBeUndefined();
    expect(await post(JSON.stringify(alert(1)))).toEqual({ status: 200, body: { accepted: 1, duplicates: 0, ignored: 0, rejected: [] } });
    expect((await post(JSON.stringify([alert(1), alert(2), alert(3)]))).body).toEqual({ accepted: 2, duplicates: 1, ignored: 0, rejected: [] });
    // Same alert in another key order: same canonical hash, still a duplicate.
    const reordered = Object.fromEntries(Object.entries(alert(4)).reverse());
    expect((await post(JSON.stringify({ data: [alert(4), reordered], hasNext: false }))).body).toMatchObject({ accepted: 1, duplicates: 1 });
    // A changed alert (same _id) updates its row in place.
    expect((await post(JSON.stringify(alert(4, { threatScore: 90 })))).body).toMatchObject({ accepted: 1, duplicates: 0 });
    const row = await t.app.services.ledger.get(`mcas:${hex24(4, 'd')}`);
    expect(row).toMatchObject({ source: 'cloud', threat_score: 90, trigger_count: 2, severity: 'medium', app: 'Office 365', policy: 'Impossible travel', status: 'open' });
    expect(row!.users).toEqual([expect.objectContaining({ key: 'aad:00000000-0000-0000-0000-000000000004', aadObjectId: '00000000-0000-0000-0000-000000000004', upn: 'jdoe@contoso.com' })]);
    expect((await t.app.services.integration.get()).lastCloudAt).not.toBeNull();

    // The status card says the cloud poller is not configured (on-prem alone works).
    await t.post(makeMessage('status', USERS.securityReader, t.connector.url));
    expect(cardText(t.connector.cards()[0])).toMatch(/cloud source not configured/);
  });

  test('bad items are rejected by position with a reason, the rest kept', async () => {
    const r = await post(JSON.stringify([alert(1), { _id: 'x' }, null, alert(2, { severityValue: 9 }), alert(3, { timestamp: 1700000000 }), alert(4, { _id: '$where' }), alert(5)]));
    expect(r.status).toBe(200);
    expect(r.body.accepted).toBe(2);
    expect(r.body.rejected.map((x: any) => x.line)).toEqual([2, 3, 4, 5, 6]);
    expect(r.body.rejected[0].reason).toMatch(/timestamp is missing|timestamp/);
    expect(r.body.rejected[1].reason).toMatch(/not an alert object/);
    expect(r.body.rejected[2].reason).toMatch(/severityValue must be 0, 1, 2 or 3/);
    expect(r.body.rejected[3].reason).toMatch(/timestamp must be epoch milliseconds/);
    expect(r.body.rejected[4].reason).toMatch(/_id/);
  });

  test('hostile and malformed bodies: never a crash, a clear answer', async () => {
    expect((await post('{"data": [')).body.rejected[0].reason).toMatch(/not JSON/);
    expect((await post('42')).body.rejected[0].reason).toMatch(/expected an alert object/);
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    const d = await post(deep);
    expect(d.status).toBe(200);
    expect(d.body.accepted).toBe(0);
    const proto = await post(`{"__proto__": {"polluted": true}, "_id": "${hex24(7, 'e')}", "timestamp": ${T0}, "title": "<script>alert(1)</script>", "severityValue": 2, "isMarkdown": true, "description": "<script>x()</script><b>bold</b> &amp; <i>more</i>"}`);
    expect(proto.body).toMatchObject({ accepted: 1 });
    expect(({} as any).polluted).toBeUndefined();
    const row = await t.app.services.ledger.get(`mcas:${hex24(7, 'e')}`);
    expect(row).toMatchObject({ title: '<script>alert(1)</script>', description: 'bold & more', severity: 'high' });
    expect((await post(' '.repeat(1024 * 1024 + 10))).status).toBe(413);
    expect((await post('{}', { 'content-type': 'text/plain' })).status).toBe(415);
    expect((await post('{}', { authorization: 'Bearer nope' })).status).toBe(401);
    expect((await t.app.services.ledger.counts()).total).toBe(1);
  });

  test('without INGEST_TOKEN the endpoint answers 503 with how to enable it', async () => {
    const off = await startTestApp();
    try {
      const res = await fetch(`${off.url}/api/ingest/mcas`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(res.status).toBe(503);
      expect((await res.json()).error).toMatch(/INGEST_TOKEN/);
    } finally {
      await off.close();
    }
  });
});
