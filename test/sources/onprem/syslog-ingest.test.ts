import net from 'node:net';
import { startTestApp, type TestApp } from '../../helpers/test-app';
import { makeMessage, USERS } from '../../helpers/activities';
import { cardText, expectValidCard } from '../../helpers/cards';
import type { HybridEvent } from '../../../bot/events';
import { alertLine, fixture, metric, nl, octet, onprem, sendTcp, sendUdp, until } from './helpers';

const ADMIN = { id: USERS.globalAdmin.aadObjectId, name: USERS.globalAdmin.name };

describe('on-premises source over real syslog sockets (UDP, TCP) into the ledger', () => {
  let t: TestApp;
  let udp: number;
  let tcp: number;
  let events: HybridEvent[];
  beforeEach(async () => {
    t = await startTestApp();
    const ports = await onprem(t.app).listen({ udpPort: 0, tcpPort: 0 });
    udp = ports.udp!;
    tcp = ports.tcp!;
    events = [];
    t.app.services.events.on(async (_trx, e) => void events.push(e));
  });
  afterEach(async () => {
    await t.close();
  });

  const total = (source?: string) => metric(t.url, 'hybridwatch_ingest_total', source ? { source } : {});
  const alerts = () => t.app.store.db.selectFrom('alerts').selectAll().execute();
  const state = async () => (await t.app.services.integration.get()).state;

  test('the bound listeners are described for the status card and /readyz checks them', async () => {
    expect(t.app.services.onPremSources).toEqual([`syslog UDP 127.0.0.1:${udp}`, `syslog TCP 127.0.0.1:${tcp}`]);
    const ready = await (await fetch(`${t.url}/readyz`)).json();
    expect(ready.checks.syslog).toBe(true);
  });

  test('disabled → ignored; pending → first event activates; UDP then TCP same bytes → one alert; cs2=update → updated in place', async () => {
    const [ref] = fixture('atp-reference.log');
    const [upd] = fixture('atp-reference-update.log');

    // Disabled: counted as ignored, nothing stored.
    await sendUdp(udp, ref);
    await until(async () => (await total('udp')) === 1, 'the UDP message');
    expect(await metric(t.url, 'hybridwatch_ingest_total', { source: 'udp', result: 'ignored' })).toBe(1);
    expect(await alerts()).toHaveLength(0);
    expect((await t.app.services.integration.get()).ignoredCount).toBe(1);

    // Pending: the first on-prem event flips the integration to active, in the same transaction as the alert.
    await t.app.services.integration.enable(ADMIN);
    await sendUdp(udp, ref);
    await until(async () => (await total('udp')) === 2, 'the second UDP message');
    expect(await state()).toBe('active');
    let rows = await alerts();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ id: 'atp:0d2f6f38-5d0e-4f7e-9a4e-2b1e6c3f7a10', type: '2023', severity: 'medium', trigger_count: 1, first_seen: '2026-03-02T09:14:59.000Z' });
    expect(Number(rows[0].cnt)).toBe(42);
    // Identity resolution (bot/hybrid) may map the account to a directory user; the raw account stays.
    expect(JSON.parse(rows[0].users)[0]).toMatchObject({ raw: 'CONTOSO\\jdoe', sam: 'jdoe', domain: 'CONTOSO' });
    expect(events.map((e) => e.type).filter((x) => x.startsWith('integration.') || x.startsWith('alert.'))).toEqual(['integration.changed', 'integration.changed', 'alert.new']);
    const activate = await t.app.store.db.selectFrom('audit_log').selectAll().where('action', '=', 'integration.activate').execute();
    expect(activate).toHaveLength(1);

    // The same bytes again over TCP: a duplicate, nothing changes.
    await sendTcp(tcp, [nl(ref)]);
    await until(async () => (await total('tcp')) === 1, 'the TCP message');
    expect(await metric(t.url, 'hybridwatch_ingest_total', { source: 'tcp', result: 'duplicate' })).toBe(1);
    expect(Number((await alerts())[0].trigger_count)).toBe(1);

    // The re-trigger (cs2=update, cnt 57) over TCP, octet-counted: the same alert, updated.
    await sendTcp(tcp, [octet(upd)]);
    await until(async () => (await total('tcp')) === 2, 'the update');
    rows = await alerts();
    expect(rows).toHaveLength(1);
    expect(Number(rows[0].trigger_count)).toBe(2);
    expect(Number(rows[0].cnt)).toBe(57);
    expect(rows[0].last_seen).toBe('2026-03-02T09:25:01.500Z');
    expect(rows[0].description).toContain('57 attempts');
    const updated = events.find((e) => e.type === 'alert.updated');
    expect(updated && updated.type === 'alert.updated' && [updated.previous.trigger_count, updated.alert.trigger_count]).toEqual([1, 2]);

    // And the update resent byte for byte: duplicate.
    await sendUdp(udp, upd);
    await until(async () => (await metric(t.url, 'hybridwatch_ingest_total', { result: 'duplicate' })) === 2, 'the resent update');
    expect(Number((await alerts())[0].trigger_count)).toBe(2);
  });

  test('sensor health is kept apart and shown on the status card', async () => {
    await t.app.services.integration.enable(ADMIN);
    const samples = fixture('atp-samples.log');
    await sendTcp(tcp, samples.map(nl));
    await until(async () => (await total('tcp')) === 4, 'four samples');
    expect(await metric(t.url, 'hybridwatch_ingest_total', { result: 'health' })).toBe(1);
    expect(await alerts()).toHaveLength(3);
    const health = await t.app.store.db.selectFrom('sensor_health').selectAll().execute();
    expect(health).toHaveLength(1);
    expect(health[0]).toMatchObject({ sensor: 'DC03', title: 'Sensor stopped communicating' });

    t.connector.clear();
    await t.post(makeMessage('status', USERS.securityReader, t.connector.url));
    const card = t.connector.cards()[0];
    expectValidCard(card);
    const txt = cardText(card);
    expect(txt).toContain('Sensor stopped communicating on DC03');
    expect(txt).toContain(`syslog UDP 127.0.0.1:${udp}`);
  });

  test('many concurrent TCP connections, mixed framing, partial reads: every alert arrives exactly once', async () => {
    await t.app.services.integration.enable(ADMIN);
    const conns = 20;
    const per = 10;
    await Promise.all(
      Array.from({ length: conns }, (_, c) => {
        const stream = Buffer.concat(Array.from({ length: per }, (_, i) => {
          const m = alertLine(`00000000-0000-4000-8000-${String(c * per + i).padStart(12, '0')}`, { user: `CONTOSO\\\\u${c}-${i}` });
          return i % 2 ? octet(m) : nl(m);
        }));
        // Cut the stream into odd-sized writes so frames straddle reads.
        const chunks: Buffer[] = [];
        for (let o = 0; o < stream.length; o += 97 + c) chunks.push(stream.subarray(o, o + 97 + c));
        return sendTcp(tcp, chunks);
      }),
    );
    await until(async () => (await total('tcp')) === conns * per, 'all TCP messages');
    expect(await metric(t.url, 'hybridwatch_ingest_total', { source: 'tcp', result: 'new' })).toBe(conns * per);
    expect((await t.app.services.ledger.counts()).total).toBe(conns * per);
  });

  test('bad input is survived and counted by reason in /metrics; the listener keeps serving', async () => {
    await t.app.services.integration.enable(ADMIN);
    const [ref] = fixture('atp-reference.log');
    const refText = ref.toString('utf8');
    const bad = {
      not_cef: Buffer.from('<13>Mar  2 09:00:00 host sshd[1]: Accepted password for root'),
      truncated_header: Buffer.from(refText.slice(0, refText.indexOf('|Suspected')), 'utf8'),
      wrong_field_count: Buffer.from(refText.replace('|BruteForceSecurityAlert|Suspected', '|Suspected'), 'utf8'),
      invalid_utf8: Buffer.concat([ref.subarray(0, 120), Buffer.from([0xc3, 0x28, 0xff, 0xfe]), ref.subarray(120)]),
      binary: Buffer.from([0x00, 0x01, 0x02, 0x03, 0x7f, 0x10, 0x41, 0x42, 0x00, 0x1b]),
    };
    for (const b of Object.values(bad)) await sendUdp(udp, b);
    await sendTcp(tcp, Object.values(bad).map(nl));
    // 64 KB: a line over TCP, and a near-maximal datagram over UDP.
    await sendTcp(tcp, [Buffer.from('x'.repeat(64 * 1024)), Buffer.from('\n')]);
    await sendUdp(udp, Buffer.alloc(60 * 1024, 0x41));
    // Half a frame, then the peer goes away (octet-counted and newline-framed).
    await sendTcp(tcp, [octet(ref).subarray(0, 200)], { destroy: true });
    await sendTcp(tcp, [ref.subarray(0, 100)]);
    // Binary garbage on TCP that happens to look like an octet count over the limit.
    await sendTcp(tcp, [Buffer.from('99999999 '), Buffer.alloc(1000, 0xff)]);

    const rej = (source: string, reason: string) => metric(t.url, 'hybridwatch_ingest_rejected_total', { source, reason });
    await until(async () => (await metric(t.url, 'hybridwatch_ingest_rejected_total')) >= 15, 'all rejections');
    for (const reason of Object.keys(bad)) {
      expect([reason, await rej('udp', reason)]).toEqual([reason, 1]);
      expect([reason, await rej('tcp', reason)]).toEqual([reason, 1]);
    }
    expect(await rej('tcp', 'too_large')).toBe(2);
    expect(await rej('udp', 'too_large')).toBe(1);
    expect(await rej('tcp', 'partial_frame')).toBe(2);

    // 10,000 connections opened and closed (bounded concurrency), some with nothing sent.
    const N = 10_000;
    const before = await metric(t.url, 'hybridwatch_syslog_connections_total');
    let opened = 0;
    const worker = async () => {
      while (opened < N) {
        opened++;
        await new Promise<void>((resolve) => {
          const s = net.connect(tcp, '127.0.0.1', () => s.end());
          s.on('error', () => resolve());
          s.on('close', () => resolve());
        });
      }
    };
    await Promise.all(Array.from({ length: 100 }, worker));
    await until(async () => (await metric(t.url, 'hybridwatch_syslog_connections_total')) === before + N, 'the server to see every connection');

    // Still serving, on both transports.
    await sendUdp(udp, alertLine('11111111-1111-4111-8111-111111111111'));
    await sendTcp(tcp, [nl(alertLine('22222222-2222-4222-8222-222222222222'))]);
    await until(async () => (await metric(t.url, 'hybridwatch_ingest_total', { result: 'new' })) === 2, 'good messages after the bad ones');
    expect((await t.app.services.ledger.counts()).total).toBe(2);
    expect(await metric(t.url, 'hybridwatch_ingest_rejected_total')).toBe(15);
  });
});
