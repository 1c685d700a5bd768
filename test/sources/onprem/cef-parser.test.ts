import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { escapeExtensionValue, escapeHeaderField, parseCefLine, parseExtension, type CefMessage } from '../../../bot/sources/onprem/cef-parser';
import { headerTime } from '../../../bot/sources/onprem/syslog-header';

const FIX = path.join(__dirname, '../../fixtures/cef');
const lines = (f: string) => fs.readFileSync(path.join(FIX, f), 'utf8').split('\n').filter(Boolean);
const ok = (line: string): CefMessage => {
  const r = parseCefLine(line);
  if (!r.ok) throw new Error(`expected to parse, got ${r.reason}: ${r.detail}`);
  return r.message;
};
const reason = (line: string) => {
  const r = parseCefLine(line);
  return r.ok ? 'ok' : r.reason;
};

describe('CEF parser: the shapes Azure ATP (and ATA, and relays) send', () => {
  test('the reference example: RFC 5424 header, BOM body, escapes, values with spaces', () => {
    const m = ok(lines('atp-reference.log')[0]);
    expect(m.syslog).toMatchObject({ format: 'rfc5424', pri: 132, timestamp: '2026-03-02T09:15:44.120Z', host: 'DC01', appName: 'CEF', procId: '4120', msgId: 'BruteForceSecurityAlert' });
    expect(m).toMatchObject({ version: 0, vendor: 'Microsoft', product: 'Azure ATP', deviceVersion: '2.230.0.0', signatureId: 'BruteForceSecurityAlert', name: 'Suspected brute force attack (Kerberos, NTLM)', severity: '5' });
    expect({ ...m.ext }).toEqual({
      start: '2026-03-02T09:14:59.0000000Z',
      app: 'Kerberos',
      shost: 'WKS-17',
      suser: 'CONTOSO\\jdoe',
      msg: 'Password guessing against jdoe from WKS-17 (42 attempts).',
      cnt: '42',
      externalId: '2023',
      cs1Label: 'url',
      cs1: 'https://contoso.atp.azure.com/securityAlert/0d2f6f38-5d0e-4f7e-9a4e-2b1e6c3f7a10',
      cs2Label: 'trigger',
      cs2: 'new',
    });
  });

  test('receiver prefix with tabs + RFC 5424 without PRI; display name with spaces', () => {
    const m = ok(lines('atp-samples.log')[0]);
    expect(m.syslog.relay).toEqual({ receivedAt: '02-21-2018 16:19:35', level: 'Auth.Warning', from: '192.168.0.220' });
    expect(m.syslog).toMatchObject({ format: 'rfc5424', host: 'CENTER', timestamp: '2018-02-21T14:19:27.540731+00:00' });
    expect(m.ext.suser).toBe('Wofford Thurston');
    expect(m.ext.msg).toBe('Wofford Thurston (user) on CLIENT1 suspiciously used an encryption type in Kerberos.');
  });

  test('RFC 3164 header with a literal CEF: prefix (ATA); \\r\\n in msg', () => {
    const m = ok(lines('atp-samples.log')[1]);
    expect(m.syslog).toMatchObject({ format: 'rfc3164', pri: 131, timestamp: 'Mar  2 09:20:11'.replace('  ', ' '), host: 'DC02' });
    expect(m.product).toBe('ATA');
    expect(m.ext.msg).toBe('jdoe on WKS-22 sent replication requests to DC02.\r\nReview the account.');
    expect(m.ext.cs3).toBe('wks-22.contoso.local');
    expect(headerTime(m.syslog, new Date('2026-03-02T10:00:00Z'))).toBe('2026-03-02T09:20:11.000Z');
    // Read on 1 January: the message was from last year.
    expect(headerTime({ format: 'rfc3164', timestamp: 'Dec 31 23:59:00' }, new Date('2027-01-01T00:01:00Z'))).toBe('2026-12-31T23:59:00.000Z');
  });

  test('bare 0| body without any header; unknown keys kept', () => {
    const m = ok(lines('atp-samples.log')[2]);
    expect(m.syslog.format).toBe('none');
    expect(m.ext.customKey).toBe('some value here');
  });

  test.each([
    ['CEF:0|Microsoft|ATA|1.9|Sig|Name|5|suser=a', 'CEF: prefix, no header'],
    ['\uFEFF0|Microsoft|Azure ATP|2|Sig|Name|5|suser=a', 'BOM, no header'],
    ['<134>Mar 2 09:20:11 DC02 CEF: 0|Microsoft|ATA|1.9|Sig|Name|5|suser=a', 'CEF: followed by a space'],
    ['<134>2026-03-02T09:20:11Z DC02 CEF:0|Microsoft|ATA|1.9|Sig|Name|5|suser=a', 'rsyslog-style ISO timestamp'],
    ['<134>1 - - - - - \uFEFF0|Microsoft|Azure ATP|2|Sig|Name|5|suser=a', 'RFC 5424 with every header field nil'],
  ])('%s (%s)', (line) => {
    const m = ok(line);
    expect(m.signatureId).toBe('Sig');
    expect(m.ext.suser).toBe('a');
  });

  test('header escapes \\| and \\\\; extension escapes \\= \\\\ \\n \\r; a lone backslash stays', () => {
    const m = ok('0|Micro\\|soft|A\\\\B|1|Sig|Na\\|me|10|msg=a\\=b c\\\\d\\ne\\rf g=h suser=CONTOSO\\jdoe url=https\\://x.example/a');
    expect(m.vendor).toBe('Micro|soft');
    expect(m.product).toBe('A\\B');
    expect(m.name).toBe('Na|me');
    expect(m.ext.msg).toBe('a=b c\\d\ne\rf');
    expect(m.ext.g).toBe('h');
    expect(m.ext.suser).toBe('CONTOSO\\jdoe');
    expect(m.ext.url).toBe('https://x.example/a');
  });

  test('an = inside a value without a key before it stays in the value; empty values', () => {
    expect({ ...parseExtension('msg=a=b c d=e') }).toEqual({ msg: 'a=b c', d: 'e' });
    expect({ ...parseExtension('a= b=x') }).toEqual({ a: '', b: 'x' });
    expect({ ...parseExtension('') }).toEqual({});
    expect({ ...parseExtension('no keys at all') }).toEqual({});
    const hostile = parseExtension('__proto__=x constructor=y');
    expect(Object.entries(hostile)).toEqual([['__proto__', 'x'], ['constructor', 'y']]);
    expect(Object.getPrototypeOf(hostile)).toBeNull();
  });

  test('bad input gets a reason, never an exception', () => {
    expect(reason('')).toBe('empty');
    expect(reason('   ')).toBe('empty');
    expect(reason('hello world, this is not CEF')).toBe('not_cef');
    expect(reason('<132>1 2026-03-02T09:15:44.120Z DC01 CEF 4120 BruteForceSecurityAlert')).toBe('not_cef');
    expect(reason('<132>1 2026-03-02T09:15:44.120Z DC01 CEF 4120 Brute \uFEFF0|Microsoft|Azure ATP|2.230')).toBe('truncated_header');
    expect(reason('\uFEFF')).toBe('empty');
    expect(reason('x \uFEFF')).toBe('truncated_header');
    expect(reason('CEF:0')).toBe('truncated_header');
    expect(reason('0|Microsoft|Azure ATP|Sig|Name|5|start=x suser=y')).toBe('wrong_field_count');
    expect(reason('0|Microsoft|Azure ATP|2.2|Sig|Name|extra|5|start=x suser=y')).toBe('wrong_field_count');
    expect(reason('0|Microsoft|Azure ATP|2.2|Sig|Name|urgent|start=x')).toBe('bad_severity');
    expect(reason('CEF:x|Microsoft|Azure ATP|2.2|Sig|Name|5|start=x')).toBe('bad_version');
    expect(reason('0|Microsoft|\u0000\u0001\u0002|Sig|Name|5|a=b')).toBe('binary');
  });

  test('every fixture line parses', () => {
    for (const f of ['atp-reference.log', 'atp-reference-update.log', 'atp-samples.log']) for (const l of lines(f)) expect(reason(l)).toBe('ok');
  });
});

describe('CEF parser properties (fast-check)', () => {
  test('never throws and never reaches its defensive catch, on any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (s) => {
        const r = parseCefLine(s);
        expect(r.ok || r.reason !== 'parser_error').toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  test('never throws on mutated real messages (cut, spliced, pipes and escapes sprinkled in)', () => {
    const base = [...lines('atp-reference.log'), ...lines('atp-samples.log')];
    const noise = fc.constantFrom('|', '\\', '=', ' ', '\uFEFF', 'CEF:', '0|', '<13>', '\n', '\\|', '\\=', 'k=', '');
    fc.assert(
      fc.property(fc.constantFrom(...base), fc.nat(), fc.nat(), fc.array(fc.tuple(fc.nat(), noise), { maxLength: 8 }), (line, a, b, edits) => {
        let s = line.slice(Math.min(a, b) % (line.length + 1), Math.max(a, b) % (line.length + 1) || line.length);
        for (const [at, ins] of edits) {
          const i = at % (s.length + 1);
          s = s.slice(0, i) + ins + s.slice(i);
        }
        const r = parseCefLine(s);
        expect(r.ok || r.reason !== 'parser_error').toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  const key = fc.stringMatching(/^[A-Za-z][A-Za-z0-9]{0,11}$/);
  const printable = fc.string({ unit: 'grapheme', maxLength: 40 }).filter((s) => !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(s));

  test('extension escape round-trip: any values (even with = \\ newlines, spaces, " k=") come back exactly', () => {
    fc.assert(
      fc.property(fc.dictionary(key, fc.string({ unit: 'binary', maxLength: 40 }), { maxKeys: 8 }), (dict) => {
        const ext = Object.entries(dict).map(([k, v]) => `${k}=${escapeExtensionValue(v)}`).join(' ');
        expect({ ...parseExtension(ext) }).toEqual({ ...dict });
      }),
      { numRuns: 2000 },
    );
  });

  test('header + extension round-trip through a full syslog line', () => {
    fc.assert(
      fc.property(fc.array(printable, { minLength: 5, maxLength: 5 }), fc.constantFrom('3', '5', '10'), fc.dictionary(key, printable, { maxKeys: 6 }), fc.constantFrom('rfc5424', 'rfc3164', 'none'), (h, sev, dict, fmt) => {
        const body = `0|${h.map(escapeHeaderField).join('|')}|${sev}|${Object.entries(dict).map(([k, v]) => `${k}=${escapeExtensionValue(v)}`).join(' ')}`;
        const line = fmt === 'rfc5424' ? `<132>1 2026-03-02T09:15:44.120Z DC01 CEF 4120 Sig \uFEFF${body}` : fmt === 'rfc3164' ? `<132>Mar  2 09:15:44 DC01 CEF:${body}` : body;
        const m = ok(line);
        expect([m.vendor, m.product, m.deviceVersion, m.signatureId, m.name]).toEqual(h);
        expect(m.severity).toBe(sev);
        expect({ ...m.ext }).toEqual({ ...dict });
      }),
      { numRuns: 2000 },
    );
  });
});
