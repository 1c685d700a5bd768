import fc from 'fast-check';
import { FakeClock } from '../../../bot/clock';
import { alertHash, markupToText, normalizeMcasAlert } from '../../../bot/sources/cloud/normalize-mcas';
import { RollingTokenBucket } from '../../../bot/sources/cloud/rate-limiter';
import { makeMcasAlert } from '../../fakes/mcas';

describe('normalizeMcasAlert', () => {
  test('maps the documented fields', () => {
    const raw = makeMcasAlert({
      _id: '5f4f0b7c2c1a4e0012345678',
      timestamp: Date.parse('2026-03-02T08:15:00.123Z'),
      severityValue: 3,
      resolutionStatusValue: 3,
      entities: [
        { type: 'user', id: '00000000-0000-0000-0000-00000000000A', pa: 'Lee@Contoso.com', label: 'Lee Gu' },
        { type: 'account', label: 'svc-backup' },
        { type: 'device', label: 'WKS-17' },
        { type: 'service', id: 20940, label: 'Active Directory' },
        { type: 'policyRule', id: 'p1', label: 'Mass download' },
        { type: 'ip', id: '10.0.0.1' },
        'garbage',
      ],
    });
    const r = normalizeMcasAlert(raw);
    if (!r.ok) throw new Error(r.reason);
    expect(r.value.serviceId).toBe('20940');
    expect(r.value.alert).toMatchObject({
      source: 'cloud',
      sourceId: '5f4f0b7c2c1a4e0012345678',
      start: '2026-03-02T08:15:00.123Z',
      severity: 'informational',
      status: 'closed',
      resolution: 'falsePositive',
      app: 'Active Directory',
      policy: 'Mass download',
      type: 'policy:p1',
      hosts: ['WKS-17'],
      threatScore: 42,
      url: raw.URL,
    });
    expect(r.value.alert.users).toEqual([
      { raw: 'Lee@Contoso.com', key: 'aad:00000000-0000-0000-0000-00000000000a', aadObjectId: '00000000-0000-0000-0000-00000000000a', upn: 'lee@contoso.com', displayName: 'Lee Gu' },
      { raw: 'svc-backup', key: 'cloud:svc-backup', displayName: 'svc-backup' },
    ]);
    for (const [v, s] of [[0, 'low'], [1, 'medium'], [2, 'high'], [3, 'informational']] as const) {
      const n = normalizeMcasAlert({ ...raw, severityValue: v });
      expect(n.ok && n.value.alert.severity).toBe(s);
    }
  });

  test('markup descriptions become text; scripts dropped; entities decoded', () => {
    expect(markupToText('<p>Hello <b>world</b></p><script>evil()</script>&lt;x&gt; &#65;&#x42; &bogus;')).toBe('Hello world\n<x> AB &bogus;');
    expect(markupToText('&#0;&#xD800;&#1114112;ok')).toBe('ok');
  });

  test('hash ignores key order, not content', () => {
    expect(alertHash({ a: 1, b: [1, { c: 2, d: 3 }] })).toBe(alertHash({ b: [1, { d: 3, c: 2 }], a: 1 }));
    expect(alertHash({ a: 1 })).not.toBe(alertHash({ a: 2 }));
  });

  test('property: never throws on any JSON value; accepted alerts have a valid ISO start and severity', () => {
    const base = makeMcasAlert();
    const arb = fc.oneof(
      fc.jsonValue(),
      fc.record({ _id: fc.oneof(fc.string(), fc.stringMatching(/^[0-9a-f]{24}$/)), timestamp: fc.oneof(fc.integer(), fc.double(), fc.string()), title: fc.string(), severityValue: fc.oneof(fc.integer({ min: -2, max: 5 }), fc.string()), entities: fc.array(fc.jsonValue(), { maxLength: 5 }) }, { requiredKeys: [] }).map((o) => ({ ...base, ...o })),
    );
    fc.assert(
      fc.property(arb, (v) => {
        const r = normalizeMcasAlert(v);
        if (r.ok) {
          expect(new Date(r.value.alert.start).toISOString()).toBe(r.value.alert.start);
          expect(['low', 'medium', 'high', 'informational']).toContain(r.value.alert.severity);
          expect(r.value.alert.title.length).toBeGreaterThan(0);
        } else {
          expect(r.reason.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('RollingTokenBucket', () => {
  test('property: whatever the arrival pattern, no rolling 60 s window holds more than 30 completions', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 0, max: 20_000 }), { minLength: 1, maxLength: 120 }), fc.array(fc.integer({ min: 0, max: 3_000 }), { minLength: 1, maxLength: 10 }), async (gaps, durations) => {
        const clock = new FakeClock();
        const sleep = async (ms: number) => clock.advance(ms);
        const bucket = new RollingTokenBucket(clock, sleep, 30, 60_000);
        const starts: number[] = [];
        for (let i = 0; i < gaps.length; i++) {
          clock.advance(gaps[i]);
          const release = await bucket.acquire();
          starts.push(clock.now().getTime()); // the server sees it now or later
          clock.advance(durations[i % durations.length]);
          release();
        }
        for (let i = 30; i < starts.length; i++) expect(starts[i] - starts[i - 30]).toBeGreaterThanOrEqual(60_000);
      }),
      { numRuns: 60 },
    );
  });
});
