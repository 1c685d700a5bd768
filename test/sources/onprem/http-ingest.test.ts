import { execFileSync, spawnSync } from 'node:child_process';
import net from 'node:net';
import dgram from 'node:dgram';
import { startTestApp, type TestApp } from '../../helpers/test-app';
import { makeMessage, USERS } from '../../helpers/activities';
import { cardText, expectValidCard } from '../../helpers/cards';
import { alertLine, fixture, metric, onprem, until } from './helpers';

const TOKEN = 'test-ingest-token-0123456789';
const ADMIN = { id: USERS.globalAdmin.aadObjectId, name: USERS.globalAdmin.name };

describe('POST /api/ingest/cef', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await startTestApp({ env: { INGEST_TOKEN: TOKEN } });
  });
  afterEach(async () => {
    await t.close();
  });

  const post = async (body: string | Buffer, headers: Record<string, string> = {}) => {
    const res = await fetch(`${t.url}/api/ingest/cef`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'text/plain; charset=utf-8', ...headers }, body: body as BodyInit });
    return { status: res.status, body: await res.json() };
  };

  test('per-line outcome: accepted, duplicates, rejected with line numbers; CRLF and blank lines fine', async () => {
    await t.app.services.integration.enable(ADMIN);
    const ref = fixture('atp-reference.log')[0].toString('utf8');
    const upd = fixture('atp-reference-update.log')[0].toString('utf8');
    const body = [ref, ref, 'garbage line', '', upd, '0|Microsoft|Azure ATP|2.2|Sig|Name', '\u0000\u0001binary', 'x'.repeat(40 * 1024), ...fixture('atp-samples.log').map((b) => b.toString('utf8'))].join('\r\n');
    const r = await post(body);
    expect(r.status).toBe(200);
    expect(r.body.accepted).toBe(2 + 4);
    expect(r.body.duplicates).toBe(1);
    expect(r.body.ignored).toBe(0);
    expect(r.body.rejected.map((x: any) => [x.line, x.reason.split(':')[0]])).toEqual([
      [3, 'not_cef'],
      [6, 'truncated_header'],
      [7, 'binary'],
      [8, 'too_large'],
    ]);
    expect(r.body.rejected[0].reason).toMatch(/no CEF body/);
    const alert = await t.app.services.ledger.get('atp:0d2f6f38-5d0e-4f7e-9a4e-2b1e6c3f7a10');
    expect([alert?.trigger_count, alert?.cnt]).toEqual([2, 57]);
    expect(await metric(t.url, 'hybridwatch_ingest_rejected_total', { source: 'http' })).toBe(4);
    expect(await metric(t.url, 'hybridwatch_ingest_total', { source: 'http', result: 'updated' })).toBe(1);
  });

  test('invalid UTF-8 in a line is rejected as such; the other lines still count', async () => {
    await t.app.services.integration.enable(ADMIN);
    const body = Buffer.concat([Buffer.from('<13>bad \xff\xfe line'.split('').map((c) => c.charCodeAt(0))), Buffer.from('\n'), alertLine('33333333-3333-4333-8333-333333333333')]);
    const r = await post(body);
    expect(r.body.rejected).toEqual([{ line: 1, reason: expect.stringMatching(/^invalid_utf8/) }]);
    expect(r.body.accepted).toBe(1);
  });

  test('disabled: counted as ignored, nothing stored', async () => {
    const r = await post(fixture('atp-samples.log').map((b) => b.toString('utf8')).join('\n'));
    expect(r.body).toEqual({ accepted: 0, duplicates: 0, ignored: 4, rejected: [] });
    expect((await t.app.services.ledger.counts()).total).toBe(0);
    expect((await t.app.services.integration.get()).ignoredCount).toBe(4);
    expect(await t.app.store.db.selectFrom('sensor_health').selectAll().execute()).toHaveLength(0);
  });

  test('401 without / with a wrong token, 415 wrong content type, 413 over 1 MiB', async () => {
    expect((await post('x', { authorization: '' })).status).toBe(401);
    expect((await post('x', { authorization: 'Bearer nope' })).status).toBe(401);
    expect((await post('{}', { 'content-type': 'application/json' })).status).toBe(415);
    expect((await post('x'.repeat(1024 * 1024 + 1))).status).toBe(413);
    expect((await t.app.services.ledger.counts()).total).toBe(0);
  });

  test('many lines in one body (more than one batch) all land', async () => {
    await t.app.services.integration.enable(ADMIN);
    const lines = Array.from({ length: 600 }, (_, i) => alertLine(`44444444-4444-4444-8444-${String(i).padStart(12, '0')}`, { user: `CONTOSO\\\\u${i}` }).toString('utf8'));
    const r = await post(lines.join('\n'));
    expect(r.body).toEqual({ accepted: 600, duplicates: 0, ignored: 0, rejected: [] });
  });

  test('policies: the Azure ATP catalog with what was seen here; readers only', async () => {
    await t.app.services.integration.enable(ADMIN);
    await post([fixture('atp-reference.log')[0].toString('utf8'), fixture('atp-samples.log')[2].toString('utf8')].join('\n'));
    t.connector.clear();
    await t.post(makeMessage('policies', USERS.securityReader, t.connector.url));
    const card = t.connector.cards()[0];
    expectValidCard(card);
    const txt = cardText(card);
    expect(txt).toContain('2023 · Medium: Suspected brute force attack (Kerberos, NTLM) (1 seen)');
    expect(txt).toContain('2018 · High/Medium');
    expect(txt).toContain('2419 · High');
    expect(txt).toMatch(/2999: Suspicious thing nobody has seen before/);
    expect(txt).toContain('cloud source is not configured');

    t.connector.clear();
    await t.post(makeMessage('policies', USERS.noRole, t.connector.url));
    expect(t.connector.sent()[0].text).toMatch(/needs one of these roles/);
  });
});

describe('ingest and listener configuration', () => {
  test('INGEST_TOKEN unset: 503 with how to enable; syslog ports 0: no listener, nothing described', async () => {
    const t = await startTestApp();
    try {
      const res = await fetch(`${t.url}/api/ingest/cef`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' });
      expect(res.status).toBe(503);
      expect((await res.json()).error).toMatch(/INGEST_TOKEN/);
      expect(t.app.services.onPremSources).toEqual([]);
      expect(onprem(t.app).listener.ports()).toEqual({});
    } finally {
      await t.close();
    }
  });

  const freePort = (kind: 'tcp' | 'udp') =>
    new Promise<number>((resolve) => {
      if (kind === 'tcp') {
        const s = net.createServer().listen(0, '127.0.0.1', () => {
          const p = (s.address() as net.AddressInfo).port;
          s.close(() => resolve(p));
        });
      } else {
        const s = dgram.createSocket('udp4').bind(0, '127.0.0.1', () => {
          const p = s.address().port;
          s.close(() => resolve(p));
        });
      }
    });

  test('SYSLOG_*_PORT set: listeners start with the app; util-linux `logger` over UDP and TCP gives one alert', async () => {
    const udp = await freePort('udp');
    const tcp = await freePort('tcp');
    const t = await startTestApp({ env: { SYSLOG_UDP_PORT: String(udp), SYSLOG_TCP_PORT: String(tcp), INGEST_TOKEN: TOKEN } });
    try {
      expect(t.app.services.onPremSources).toEqual([`syslog UDP 127.0.0.1:${udp}`, `syslog TCP 127.0.0.1:${tcp}`, 'HTTP POST /api/ingest/cef']);
      const hasLogger = spawnSync('sh', ['-c', 'command -v logger']).status === 0;
      if (!hasLogger) return; // the socket tests above cover the same path
      await t.app.services.integration.enable(ADMIN);
      // logger writes its own RFC 5424 header (and structured data) in front of our CEF body.
      const body = fixture('atp-reference.log')[0].toString('utf8');
      const cef = body.slice(body.indexOf('\uFEFF'));
      execFileSync('logger', ['--rfc5424', '-n', '127.0.0.1', '-P', String(udp), '--udp', '-t', 'CEF', '--', cef]);
      execFileSync('logger', ['--rfc5424', '-n', '127.0.0.1', '-P', String(tcp), '--tcp', '-t', 'CEF', '--', cef]);
      execFileSync('logger', ['--rfc5424', '--octet-count', '-n', '127.0.0.1', '-P', String(tcp), '--tcp', '-t', 'CEF', '--', cef.replace('cs2=new', 'cs2=update').replace('cnt=42', 'cnt=50')]);
      await until(async () => (await metric(t.url, 'hybridwatch_ingest_total')) === 3, 'three logger messages');
      const rows = await t.app.store.db.selectFrom('alerts').selectAll().execute();
      expect(rows).toHaveLength(1);
      // logger stamps each message with its own time, so the TCP copy is a re-trigger, not byte-identical.
      expect(Number(rows[0].cnt)).toBe(50);
      expect(Number(rows[0].trigger_count)).toBe(3);
    } finally {
      await t.close();
    }
  });
});
