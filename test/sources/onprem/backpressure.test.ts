import { spawnSync } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import { sql } from 'kysely';
import { startTestApp, type TestApp } from '../../helpers/test-app';
import { makeMessage, USERS } from '../../helpers/activities';
import { cardText } from '../../helpers/cards';
import { alertLine, metric, nl, onprem, sendUdp, until } from './helpers';

const TOKEN = 'test-ingest-token-0123456789';
const ADMIN = { id: USERS.globalAdmin.aadObjectId, name: USERS.globalAdmin.name };
const id = (prefix: string, i: number) => `${prefix}-4444-4444-8444-${String(i).padStart(12, '0')}`;

/**
 * Back-pressure (issue 16), over real sockets and HTTP on a small INGEST_MAX_QUEUE. The database is held
 * (SQLite: its one connection; PostgreSQL: an exclusive lock on alerts) so the pipeline saturates for sure.
 */
describe('back-pressure: a saturated pipeline slows TCP, refuses HTTP batches whole, counts UDP drops', () => {
  let t: TestApp;
  let tcp: number;
  let udp: number;
  let release: (() => void) | null = null;
  let held: Promise<unknown> | null = null;

  const start = async (env: Record<string, string>) => {
    t = await startTestApp({ env: { INGEST_TOKEN: TOKEN, ...env } });
    const ports = await onprem(t.app).listen({ udpPort: 0, tcpPort: 0 });
    tcp = ports.tcp!;
    udp = ports.udp!;
    await t.app.services.integration.enable(ADMIN);
  };
  /** Resolves once the database is held; `release()` lets it go. */
  const holdDatabase = async () => {
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => (locked = r));
    const gate = new Promise<void>((r) => (release = r));
    held = t.app.store.db.transaction().execute(async (trx) => {
      if (t.app.store.dialect === 'postgres') await sql`lock table alerts in exclusive mode`.execute(trx);
      else await sql`select 1`.execute(trx);
      locked();
      await gate;
    });
    await isLocked;
  };
  const letGo = async () => {
    release?.();
    release = null;
    await held;
  };
  afterEach(async () => {
    await letGo();
    await t.close();
  });

  const ingestor = () => onprem(t.app).ingestor;
  const total = async () => (await t.app.services.ledger.counts()).total;

  test('TCP: the reader pauses while the queue is full (the rest waits in the socket), resumes, and every alert is stored', async () => {
    await start({ INGEST_MAX_QUEUE: '200' });
    const N = 3000;
    const lines = Array.from({ length: N }, (_, i) => nl(alertLine(id('55555555', i), { user: `CONTOSO\\\\u${i % 50}` })));
    const shortest = Math.min(...lines.map((l) => l.length));
    await holdDatabase();
    const client = net.connect(tcp, '127.0.0.1');
    const sent = new Promise<void>((resolve, reject) => {
      client.on('error', reject);
      client.on('connect', () => client.end(Buffer.concat(lines), () => resolve()));
    });

    const listener = onprem(t.app).listener;
    await until(() => listener.pausedConnections === 1, 'the TCP reader to pause');
    // Paused at 75 % of 200; one read (≤ 64 KiB) may overshoot. Nothing is stored while the database is
    // held, so the rest of the 3,000 messages is unread in the socket, not dropped and not buffered by us.
    expect(ingestor().queued).toBeGreaterThanOrEqual(150);
    expect(ingestor().queued).toBeLessThanOrEqual(150 + Math.ceil((64 * 1024) / shortest));
    expect(ingestor().queued).toBeLessThan(N);
    expect(listener.pausedConnections).toBe(1);

    await letGo();
    await sent;
    await until(async () => (await total()) === N, `all ${N} alerts stored`, 60_000);
    expect(await metric(t.url, 'hybridwatch_ingest_rejected_total')).toBe(0);
    expect(await metric(t.url, 'hybridwatch_ingest_total', { source: 'tcp', result: 'new' })).toBe(N);
    expect(await metric(t.url, 'hybridwatch_syslog_tcp_pauses_total')).toBeGreaterThanOrEqual(1);
    expect(await metric(t.url, 'hybridwatch_syslog_tcp_paused_connections')).toBe(0);
    client.destroy();
  });

  test('TCP: connections past SYSLOG_TCP_MAX_CONNECTIONS are closed at accept and counted; the open ones keep working', async () => {
    await start({ SYSLOG_TCP_MAX_CONNECTIONS: '2' });
    const open = (): Promise<net.Socket> =>
      new Promise((resolve, reject) => {
        const s = net.connect(tcp, '127.0.0.1', () => resolve(s));
        s.on('error', reject);
      });
    const a = await open();
    const b = await open();
    await until(async () => (await metric(t.url, 'hybridwatch_syslog_connections_total')) === 2, 'two connections accepted');
    const c = net.connect(tcp, '127.0.0.1');
    c.on('error', () => undefined);
    await new Promise((r) => c.on('close', r));
    expect(await metric(t.url, 'hybridwatch_syslog_connections_refused_total')).toBe(1);
    a.write(nl(alertLine(id('aaaaaaaa', 1))));
    b.write(nl(alertLine(id('aaaaaaaa', 2))));
    await until(async () => (await total()) === 2, 'both alerts stored');
    a.destroy();
    b.destroy();
  });

  const post = async (lines: Buffer[]) => {
    const res = await fetch(`${t.url}/api/ingest/cef`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'text/plain' }, body: lines.join('\n') });
    return { status: res.status, retryAfter: res.headers.get('retry-after'), body: await res.json() };
  };

  test('HTTP: a batch that does not fit is refused whole with 429 + Retry-After; resent as is, it is taken whole', async () => {
    await start({ INGEST_MAX_QUEUE: '100' });
    const a = Array.from({ length: 80 }, (_, i) => alertLine(id('66666666', i)));
    const b = Array.from({ length: 30 }, (_, i) => alertLine(id('77777777', i)));
    await holdDatabase();
    const first = post(a);
    await until(() => ingestor().queued === 80, 'the first batch queued');

    const refused = await post(b);
    expect(refused.status).toBe(429);
    expect(Number(refused.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(refused.body).toEqual({ error: expect.stringMatching(/^The ingest pipeline is full \(80 of 100 messages waiting for the database\): nothing of this batch was taken; resend it as is after the Retry-After seconds\.$/) });
    expect(ingestor().queued).toBe(80);

    // A batch with more lines than the queue can ever hold: 413, split it.
    const huge = await post(Array.from({ length: 101 }, (_, i) => alertLine(id('88888888', i))));
    expect(huge.status).toBe(413);
    expect(huge.body.error).toMatch(/101 lines is more than the ingest queue holds \(INGEST_MAX_QUEUE=100\)/);

    await letGo();
    expect((await first).body).toEqual({ accepted: 80, duplicates: 0, ignored: 0, rejected: [] });
    expect(await total()).toBe(80); // nothing of the refused batch was taken
    expect((await post(b)).body).toEqual({ accepted: 30, duplicates: 0, ignored: 0, rejected: [] });
    expect(await total()).toBe(110);
    expect(await metric(t.url, 'hybridwatch_ingest_refused_total', { route: '/api/ingest/cef', reason: 'pipeline_full' })).toBe(1);
    expect(await metric(t.url, 'hybridwatch_ingest_rejected_total', { source: 'http' })).toBe(0);
  });

  test('HTTP (CEF and the MCAS push): more requests in flight than INGEST_MAX_IN_FLIGHT get 429 before their body is read', async () => {
    await start({ INGEST_MAX_IN_FLIGHT: '1' });
    for (const route of ['/api/ingest/mcas', '/api/ingest/cef']) {
      const type = route.endsWith('mcas') ? 'application/json' : 'text/plain';
      // A slow client: headers and half its body, then nothing; it holds the one slot.
      const u = new URL(t.url);
      const slow = http.request({ host: u.hostname, port: u.port, path: route, method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': type, 'content-length': '10' } });
      const slowDone = new Promise<number>((resolve, reject) => {
        slow.on('response', (r) => (r.resume(), resolve(r.statusCode!)));
        slow.on('error', reject);
      });
      slow.write('[]   ');
      const send = () => fetch(`${t.url}${route}`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': type }, body: '[]' });
      let res = await send();
      for (let i = 0; res.status !== 429 && i < 50; i++) res = await send(); // the slow request may not be in yet
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toBe('1');
      expect((await res.json()).error).toBe('Ingest is busy with 1 other batches: nothing of this batch was taken; resend it as is after the Retry-After seconds.');
      slow.end('     ');
      expect(await slowDone).toBe(200);
      expect((await send()).status).toBe(200);
      expect(await metric(t.url, 'hybridwatch_ingest_refused_total', { route, reason: 'in_flight' })).toBeGreaterThanOrEqual(1);
    }
  });

  test('UDP: datagrams past the queue are dropped, counted in hybridwatch_syslog_udp_dropped_total and on the status card', async () => {
    await start({ INGEST_MAX_QUEUE: '20' });
    await holdDatabase();
    await sendUdp(udp, ...Array.from({ length: 100 }, (_, i) => alertLine(id('99999999', i))));
    const listener = onprem(t.app).listener;
    await until(() => listener.drops().udpDropped.queueFull + ingestor().queued === 100, 'all 100 datagrams read');
    expect(ingestor().queued).toBe(20);
    expect(listener.drops().udpDropped).toEqual({ queueFull: 80, socketBuffer: 0 });

    await letGo();
    await until(async () => (await total()) === 20, 'the 20 queued stored');
    expect(await metric(t.url, 'hybridwatch_syslog_udp_dropped_total', { reason: 'queue_full' })).toBe(80);
    expect(await metric(t.url, 'hybridwatch_syslog_udp_dropped_total', { reason: 'socket_buffer' })).toBe(0);
    expect(await metric(t.url, 'hybridwatch_ingest_rejected_total', { source: 'udp', reason: 'overloaded' })).toBe(80);

    t.connector.clear();
    await t.post(makeMessage('status', USERS.securityReader, t.connector.url));
    expect(cardText(t.connector.cards()[0])).toContain('80 since start (80 with the ingest queue full, 0 by the socket buffer); queue 0 of 20');
  });

  test('UDP: datagrams the kernel dropped because we did not read (socket buffer full) are counted too, exactly', async () => {
    await start({});
    // The sender is a child process while this process (and so the app) is blocked in spawnSync: nothing
    // reads the socket, its receive buffer overflows and the kernel drops the rest.
    const N = 60_000;
    const script = `const s=require('dgram').createSocket('udp4');const m=Buffer.from('<13>not a CEF message '+'x'.repeat(300));let n=0;const go=()=>{if(n===${N})return s.close();n++;s.send(m,${udp},'127.0.0.1',go)};go();`;
    const r = spawnSync(process.execPath, ['-e', script], { timeout: 60_000 });
    expect(r.status).toBe(0);
    const listener = onprem(t.app).listener;
    const seen = async () => (await metric(t.url, 'hybridwatch_ingest_total', { source: 'udp' })) + listener.drops().udpDropped.socketBuffer;
    await until(async () => (await seen()) === N, 'every datagram either read or counted as dropped by the kernel');
    const dropped = listener.drops().udpDropped.socketBuffer;
    expect(dropped).toBeGreaterThan(0);
    expect(await metric(t.url, 'hybridwatch_syslog_udp_dropped_total', { reason: 'socket_buffer' })).toBe(dropped);
  });
});
