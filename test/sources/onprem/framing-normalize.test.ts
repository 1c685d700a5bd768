import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { SyslogFramer, datagramMessage } from '../../../bot/sources/onprem/syslog-framer';
import { parseCefLine } from '../../../bot/sources/onprem/cef-parser';
import { alertIdFromUrl, normalize, parseAccount, severityOf } from '../../../bot/sources/onprem/normalize';
import { ATP_DETECTIONS, detectionFor } from '../../../bot/sources/onprem/atp-catalog';
import { BadInputLog } from '../../../bot/sources/onprem/bad-input-log';
import { FakeClock } from '../../../bot/clock';

const FIX = path.join(__dirname, '../../fixtures/cef');
const lines = (f: string) => fs.readFileSync(path.join(FIX, f), 'utf8').split('\n').filter(Boolean);

function collect(max?: number) {
  const frames: string[] = [];
  const bad: string[] = [];
  const framer = new SyslogFramer({ frame: (b) => frames.push(b.toString('utf8')), bad: (r) => bad.push(r) }, max);
  return { framer, frames, bad };
}
const octet = (m: string) => `${Buffer.byteLength(m)} ${m}`;

describe('RFC 6587 framing', () => {
  const msgs = ['<13>1 - h a - - \uFEFF0|V|P|1|S|N|5|msg=one', '<13>Mar  2 09:00:00 h CEF:0|V|P|1|S|N|5|msg=two\nstill two? no', 'CEF:0|V|P|1|S|N|5|msg=three'];

  test('newline-delimited, octet-counted and mixed; CRLF and NULs trimmed', () => {
    const { framer, frames, bad } = collect();
    framer.push(Buffer.from('a\nb\r\n\n' + octet('c c') + octet('<1>multi\nline') + 'd\0\n'));
    expect(frames).toEqual(['a', 'b', 'c c', '<1>multi\nline', 'd']);
    expect(bad).toEqual([]);
  });

  test('"1 2026-…" (RFC 5424 without PRI) and "0|…" stay newline-framed', () => {
    const { framer, frames } = collect();
    framer.push(Buffer.from('1 2026-03-02T09:00:00Z h CEF 1 S \uFEFF0|V|P|1|S|N|5|a=b\n0|V|P|1|S|N|5|a=b\n'));
    expect(frames).toEqual(['1 2026-03-02T09:00:00Z h CEF 1 S \uFEFF0|V|P|1|S|N|5|a=b', '0|V|P|1|S|N|5|a=b']);
  });

  test('any split of the stream into reads gives the same frames (fast-check)', () => {
    const stream = Buffer.from(msgs[0] + '\n' + octet(msgs[1]) + msgs[2] + '\n' + octet(msgs[0]) + octet(msgs[2]));
    const want = [msgs[0], msgs[1], msgs[2], msgs[0], msgs[2]];
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: stream.length - 1 }), { maxLength: 30 }), (cuts) => {
        const { framer, frames, bad } = collect();
        let prev = 0;
        for (const c of [...cuts].sort((a, b) => a - b)) {
          framer.push(stream.subarray(prev, c));
          prev = c;
        }
        framer.push(stream.subarray(prev));
        framer.end();
        expect(frames).toEqual(want);
        expect(bad).toEqual([]);
      }),
      { numRuns: 500 },
    );
  });

  test('byte-at-a-time reads', () => {
    const { framer, frames } = collect();
    for (const b of Buffer.from(octet(msgs[0]) + msgs[2] + '\n')) framer.push(Buffer.from([b]));
    expect(frames).toEqual([msgs[0], msgs[2]]);
  });

  test('a 64 KB line is refused once, skipped without buffering it, and the next frame still arrives', () => {
    const { framer, frames, bad } = collect(32 * 1024);
    const big = 'x'.repeat(64 * 1024);
    for (let i = 0; i < big.length; i += 1000) framer.push(Buffer.from(big.slice(i, i + 1000)));
    framer.push(Buffer.from('\nok\n'));
    expect(bad).toEqual(['too_large']);
    expect(frames).toEqual(['ok']);
  });

  test('an octet count over the limit is refused and its bytes skipped', () => {
    const { framer, frames, bad } = collect(100);
    framer.push(Buffer.from(`200 <1>${'y'.repeat(150)}`));
    framer.push(Buffer.from(`${'y'.repeat(47)}after\n`));
    expect(bad).toEqual(['too_large']);
    expect(frames).toEqual(['after']);
  });

  test('half a frame then the peer closes: counted as partial_frame', () => {
    for (const half of [octet(msgs[0]).slice(0, 30), msgs[2].slice(0, 20), '12']) {
      const { framer, frames, bad } = collect();
      framer.push(Buffer.from(half));
      framer.end();
      expect(frames).toEqual([]);
      expect(bad).toEqual(['partial_frame']);
    }
  });

  test('UDP datagram: trailing newline / NUL dropped', () => {
    expect(datagramMessage(Buffer.from('abc\r\n\0')).toString()).toBe('abc');
  });
});

describe('normalization into the ledger shape', () => {
  const now = new Date('2026-03-02T10:00:00Z');
  const norm = (line: string, hash = 'h') => {
    const r = parseCefLine(line);
    if (!r.ok) throw new Error(r.reason);
    return normalize(r.message, hash, now);
  };

  test('the reference example', () => {
    const item = norm(lines('atp-reference.log')[0], 'abc');
    expect(item.kind).toBe('alert');
    if (item.kind !== 'alert') return;
    expect(item.alert).toEqual({
      source: 'onprem',
      sourceId: '0d2f6f38-5d0e-4f7e-9a4e-2b1e6c3f7a10',
      type: '2023',
      typeName: 'Suspected brute force attack (Kerberos, NTLM)',
      title: 'Suspected brute force attack (Kerberos, NTLM)',
      description: 'Password guessing against jdoe from WKS-17 (42 attempts).',
      severity: 'medium',
      users: [{ raw: 'CONTOSO\\jdoe', key: 'onprem:contoso\\jdoe', domain: 'CONTOSO', sam: 'jdoe' }],
      hosts: ['WKS-17'],
      start: '2026-03-02T09:14:59.000Z',
      seenAt: '2026-03-02T09:15:44.120Z',
      cnt: 42,
      url: 'https://contoso.atp.azure.com/securityAlert/0d2f6f38-5d0e-4f7e-9a4e-2b1e6c3f7a10',
      app: 'Kerberos',
      trigger: 'new',
      hash: 'abc',
    });
    const upd = norm(lines('atp-reference-update.log')[0]);
    expect(upd.kind === 'alert' && [upd.alert.sourceId, upd.alert.trigger, upd.alert.cnt]).toEqual(['0d2f6f38-5d0e-4f7e-9a4e-2b1e6c3f7a10', 'update', 57]);
  });

  test('samples: display name, UPN, hosts from shost/dhost/cs3, unknown id named from CEF, aa<guid>, health apart', () => {
    const [a, b, c, h] = lines('atp-samples.log').map((l) => norm(l));
    expect(a.kind === 'alert' && a.alert.users).toEqual([{ raw: 'Wofford Thurston', key: 'onprem:name:wofford thurston', displayName: 'Wofford Thurston' }]);
    expect(a.kind === 'alert' && a.alert.start).toBe('2018-02-21T14:19:02.604Z');
    expect(b.kind === 'alert' && [b.alert.severity, b.alert.hosts, b.alert.users[0].upn, b.alert.typeName]).toEqual(['high', ['WKS-22', 'DC02', 'wks-22.contoso.local'], 'jdoe@contoso.com', 'Suspected DCSync attack (replication of directory services)']);
    expect(c.kind === 'alert' && [c.alert.type, c.alert.typeName, c.alert.severity, c.alert.sourceId]).toEqual(['2999', 'Suspicious thing nobody has seen before', 'low', 'aa0d2f6f38-5d0e-4f7e-9a4e-2b1e6c3f7a11']);
    expect(h.kind).toBe('health');
    expect(h.kind === 'health' && h.health).toMatchObject({ sensor: 'DC03', title: 'Sensor stopped communicating', externalId: '1011', id: '5f0c4a1e-1b2c-4d3e-9f8a-7b6c5d4e3f21' });
  });

  test('no cs1 URL: a stable hash of signature + suser + shost + start', () => {
    const line = '0|Microsoft|Azure ATP|2|HoneytokenActivitySecurityAlert|Honeytoken activity|5|start=2026-03-02T09:00:00Z suser=CONTOSO\\\\honey shost=WKS-1 externalId=2014';
    const a = norm(line);
    const b = norm(line.replace('externalId=2014', 'externalId=2014 msg=changed'));
    expect(a.kind === 'alert' && a.alert.sourceId).toMatch(/^h[0-9a-f]{32}$/);
    expect(a.kind === 'alert' && b.kind === 'alert' && a.alert.sourceId === b.alert.sourceId).toBe(true);
    expect(norm(line.replace('WKS-1', 'WKS-2')).kind === 'alert' && (norm(line.replace('WKS-1', 'WKS-2')) as any).alert.sourceId).not.toBe((a as any).alert.sourceId);
  });

  test('severity 3/5/10 → low/medium/high; words', () => {
    expect(['3', '5', '10', 'Low', 'Very-High', '0'].map((s) => severityOf(s))).toEqual(['low', 'medium', 'high', 'low', 'high', 'low']);
  });

  test('accounts', () => {
    expect(parseAccount('CONTOSO\\JDoe')).toEqual({ raw: 'CONTOSO\\JDoe', key: 'onprem:contoso\\jdoe', domain: 'CONTOSO', sam: 'JDoe' });
    expect(parseAccount('JDoe@Contoso.com')?.key).toBe('onprem:jdoe@contoso.com');
    expect(parseAccount('jdoe')).toEqual({ raw: 'jdoe', key: 'onprem:jdoe', sam: 'jdoe' });
    expect(parseAccount('  ')).toBeNull();
    expect(parseAccount(undefined)).toBeNull();
  });

  test('alert id from URL', () => {
    expect(alertIdFromUrl('https://contoso.atp.azure.com/securityAlert/ABC-1?x=1#y')).toBe('abc-1');
    expect(alertIdFromUrl('not a url at all')).toBeUndefined();
    expect(alertIdFromUrl('https://x/a/<script>')).toBeUndefined();
  });

  test('catalog: every documented external id, unique, with a severity', () => {
    const ids = ATP_DETECTIONS.map((d) => d.externalId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(45);
    for (const id of ['2002', '2023', '2040', '2047', '2210', '2406', '2410', '2411', '2412', '2414', '2415', '2416', '2419']) expect(detectionFor(id)).toBeTruthy();
    expect(detectionFor('2018')).toMatchObject({ severity: 'high', alsoSeverity: 'medium' });
  });
});

describe('bad input log: once per reason per minute', () => {
  test('rate limit by reason with an injected clock', () => {
    const clock = new FakeClock();
    const logged: any[] = [];
    const log = { warn: (o: any) => logged.push(o) } as any;
    const b = new BadInputLog(log, clock);
    expect(b.note('not_cef', 'udp', 'x')).toBe(true);
    expect(b.note('not_cef', 'udp', 'x')).toBe(false);
    expect(b.note('binary', 'tcp', 'x', Buffer.from([0, 1, 0x41]))).toBe(true);
    clock.advance(59_000);
    expect(b.note('not_cef', 'udp', 'x')).toBe(false);
    clock.advance(1_000);
    expect(b.note('not_cef', 'udp', 'x')).toBe(true);
    expect(logged.map((l) => [l.reason, l.suppressedSinceLast])).toEqual([['not_cef', 0], ['binary', 0], ['not_cef', 2]]);
    expect(logged[1].sample).toBe('..A');
  });
});
