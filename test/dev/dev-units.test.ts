import fc from 'fast-check';
import path from 'node:path';
import { loadScenario } from '../../bot/dev/scenario';
import { applyDevIngestToken } from '../../bot/dev/dev-token';
import { loadConfig } from '../../bot/config';
import { FileDirectory } from '../../bot/directory/file-directory';
import { startTestApp } from '../helpers/test-app';
import { SAMPLE_DIRECTORY } from '../helpers/test-app';
// The page's Markdown renderer is plain browser JS with a CommonJS export for exactly this.
// eslint-disable-next-line @typescript-eslint/no-var-requires
const md: (s: string) => string = require(path.join(__dirname, '../../bot/dev/public/markdown.js'));

const ALLOWED_TAGS = /<\/?(p|br|strong|em|code|ul|ol|li)>/g;

describe('dev console markdown renderer', () => {
  test('renders the Teams subset and honours backslash escapes (cards/card.ts esc())', () => {
    expect(md('**State** _pending_ `code`')).toBe('<p><strong>State</strong> <em>pending</em> <code>code</code></p>');
    expect(md('\\*\\*not bold\\*\\* a\\_b')).toBe('<p>**not bold** a_b</p>');
    expect(md('- one\n- two\n\nnext\nline')).toBe('<ul><li>one</li><li>two</li></ul><p>next<br>line</p>');
    expect(md('1. a\n2. b')).toBe('<ol><li>a</li><li>b</li></ol>');
  });

  test('never emits markup from its input: no script, no attributes, no links', () => {
    expect(md('<img src=x onerror=alert(1)>')).toBe('<p>&lt;img src=x onerror=alert(1)&gt;</p>');
    expect(md('[click](javascript:alert(1)) https://evil.example')).not.toMatch(/<a|href/);
    expect(md('\\<script\\>')).toBe('<p>&lt;script&gt;</p>');
    expect(md('\uE0000\uE001')).toBe('<p>0</p>');
  });

  test('property: for any input, only the allowed tags appear and every other < is escaped', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('<', '>', '*', '_', '`', '\\', '-', '1', '.', '\n', ' ', 'a', '"', "'", '&', '\uE000', '\uE001', '0') }), (s) => {
        const out = md(s).replace(ALLOWED_TAGS, '');
        expect(out).not.toMatch(/[<>"']/);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('demo scenario', () => {
  const now = new Date('2026-03-02T10:00:00.000Z');

  test('on-prem recon → brute force (+ re-trigger) → pass-the-hash, then three cloud alerts, all for John Doe', () => {
    const steps = loadScenario(now, 'a1b2c3d4');
    expect(steps.map((s) => s.path)).toEqual([...Array(4).fill('/api/ingest/cef'), ...Array(3).fill('/api/ingest/mcas')]);
    expect(steps.map((s) => s.label)).toEqual([
      'Azure ATP: Security principal reconnaissance (LDAP)',
      'Azure ATP: Suspected brute force attack (Kerberos, NTLM)',
      'Azure ATP: Suspected brute force attack (Kerberos, NTLM) (re-triggered)',
      'Azure ATP: Suspected identity theft (pass-the-hash)',
      'Cloud App Security: Impossible travel activity',
      'Cloud App Security: Suspicious inbox forwarding',
      'Cloud App Security: Mass download by a single user',
    ]);
    for (const s of steps) expect(s.body).not.toMatch(/\{\{|\}\}/);
    const cef = steps.slice(0, 4).map((s) => s.body);
    for (const line of cef) {
      expect(line).toMatch(/^<13\d>1 \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z DC01 CEF 4120 \w+ \ufeff0\|Microsoft\|Azure ATP\|/);
      expect(line).toContain('suser=CONTOSO\\\\jdoe');
      expect(line).toMatch(/start=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z /);
      expect(line.endsWith('\n')).toBe(true);
    }
    // The re-trigger carries the same alert URL id with cs2=update.
    const url = (l: string) => /cs1=(\S+)/.exec(l)![1];
    expect(url(cef[2])).toBe(url(cef[1]));
    expect(cef[2]).toContain('cs2=update');
    const cloud = steps.slice(4).map((s) => JSON.parse(s.body));
    for (const a of cloud) {
      expect(a._id).toMatch(/^[0-9a-f]{24}$/);
      expect(typeof a.timestamp).toBe('number');
      expect(a.entities[0]).toMatchObject({ type: 'user', pa: 'jdoe@contoso.com' });
    }
    const times = cloud.map((a) => a.timestamp);
    expect(Math.max(...times)).toBeLessThanOrEqual(now.getTime());
    expect(times).toEqual([...times].sort());
  });

  test('every replay gets fresh alert ids (so a second replay makes new alerts, not duplicates)', () => {
    const a = loadScenario(now).map((s) => s.body);
    const b = loadScenario(now).map((s) => s.body);
    expect(a[0]).not.toBe(b[0]);
    expect(a[6]).not.toBe(b[6]);
  });

  test('the scenario user exists in directory.sample.json with matching on-prem and cloud names', async () => {
    const dir = new FileDirectory(SAMPLE_DIRECTORY);
    const [u] = await dir.findUsers({ sam: 'jdoe', domain: 'CONTOSO' });
    expect(u).toMatchObject({ displayName: 'John Doe', userPrincipalName: 'jdoe@contoso.com', aadObjectId: '00000000-0000-0000-0000-000000000004' });
  });
});

describe('dev ingest token', () => {
  test('generated only in local mode when INGEST_TOKEN is unset, random per process', () => {
    const a = loadConfig({});
    expect(applyDevIngestToken(a)).toBe(true);
    expect(a.ingestToken).toMatch(/^[A-Za-z0-9_-]{32}$/);
    const b = loadConfig({});
    applyDevIngestToken(b);
    expect(b.ingestToken).not.toBe(a.ingestToken);
    const set = loadConfig({ INGEST_TOKEN: 'mine' });
    expect(applyDevIngestToken(set)).toBe(false);
    expect(set.ingestToken).toBe('mine');
    const prod = loadConfig({ MicrosoftAppId: 'a', MicrosoftAppPassword: 'p', ALLOWED_TENANT_IDS: '72f988bf-86f1-41af-91ab-2d7cd011db47', GRAPH_TENANT_ID: 't', GRAPH_CLIENT_ID: 'c', GRAPH_CLIENT_SECRET: 's' });
    expect(applyDevIngestToken(prod)).toBe(false);
    expect(prod.ingestToken).toBeUndefined();
  });
});

describe('dev console in production', () => {
  test('is not there at all: /dev/ and the connector answer 404', async () => {
    const t = await startTestApp({
      env: { MicrosoftAppId: '11111111-2222-4333-8444-555555555555', MicrosoftAppPassword: 'secret', ALLOWED_TENANT_IDS: '72f988bf-86f1-41af-91ab-2d7cd011db47', GRAPH_TENANT_ID: 't', GRAPH_CLIENT_ID: 'c', GRAPH_CLIENT_SECRET: 's', HOST: '127.0.0.1' },
      overrides: { directory: new FileDirectory(SAMPLE_DIRECTORY) },
    });
    try {
      for (const p of ['/dev/', '/dev', '/dev/static/console.js', '/dev/api/session', '/dev/api/events', '/dev/cards', '/dev/api/cards', '/dev/static/cards.js']) expect((await fetch(`${t.url}${p}`)).status).toBe(404);
      const r = await fetch(`${t.url}/dev/connector/v3/conversations/x/activities`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"type":"message"}' });
      expect(r.status).toBe(404);
    } finally {
      await t.close();
    }
  });
});
