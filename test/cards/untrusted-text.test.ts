import fc from 'fast-check';
import { alertCard, alertModel } from '../../cards/alert-card';
import { alertsCard, alertsModel } from '../../cards/alerts-card';
import { esc, MAX_CARD_BYTES, plain, sizeOf, type CardMessage } from '../../cards/card';
import { enableConfirmCard, enableConfirmModel } from '../../cards/confirm-card';
import { digestCard, digestModel, type DigestCardInput } from '../../cards/digest-card';
import { integrationCard, integrationModel } from '../../cards/integration-card';
import { policiesCard, policiesModel } from '../../cards/policies-card';
import { BUILT_INS } from '../../cards/render';
import { riskyCard, riskyModel } from '../../cards/risky-card';
import { riskyUserCard, riskyUserModel } from '../../cards/risky-user-card';
import { SAMPLE_INPUTS, sampleAlertRow, sampleResponse } from '../../cards/samples';
import type { ResponseInput } from '../../cards/response-section';
import { statusCard, statusModel } from '../../cards/status-card';
import type { TemplateName } from '../../cards/templates';
import { userCard, userModel } from '../../cards/user-card';
import { healthCard, healthModel } from '../../cards/health-card';
import { healthIssueCard, healthIssueModel } from '../../cards/health-issue-card';
import { DEFAULT_LINK_HOSTS } from '../../cards/card';
import type { HealthSnapshot } from '../../bot/sources/graph/mdi-health';

const SAMPLE_HEALTH_ISSUE_OF = (h: HealthSnapshot) => (h.issues.ok ? h.issues.items[0] : SAMPLE_INPUTS['health-issue']().issue);
import { cardProblems, cardUrls, markdownText } from '../helpers/cards';

const DONE_WHEN = "Identity theft using Pass-the-Hash attack (O'Brien's PC, v1.2)";

/** Every TextRun text on a card. */
function runs(card: unknown): string[] {
  const out: string[] = [];
  const walk = (x: any) => {
    if (!x || typeof x !== 'object') return;
    if (Array.isArray(x)) return x.forEach(walk);
    if (x.type === 'TextRun' && typeof x.text === 'string') out.push(x.text);
    Object.values(x).forEach(walk);
  };
  walk(card);
  return out;
}

/** A card that shows untrusted text: its input with `s` in every untrusted field, its builder and view model. */
interface Case<I> {
  template: TemplateName;
  input: (s: string) => I;
  card: (i: I) => CardMessage;
  model: (i: I) => object;
}
const c = <I>(x: Case<I>): Case<any> => x;
/** Identity response (issue 15) with `s` in every field that comes from outside (names, Graph's enums, reasons). */
const hostileResponse = (s: string): ResponseInput =>
  sampleResponse({
    target: { name: s, upn: s, onPremAccount: s },
    entra: { riskLevel: s, riskState: s, riskDetail: s, riskLastUpdatedDateTime: s },
    history: [{ action: 'revokeSessions', status: 'done', byName: s, at: '2026-03-02T09:00:00.000Z' }],
    actions: [
      { verb: 'revokeSessions', available: true, reason: null, done: true },
      { verb: 'disableAccount', available: false, reason: s, done: false },
    ],
  });
const CASES: Array<Case<any>> = [
  c({ template: 'alert', card: alertCard, model: alertModel, input: (s) => ({ ...SAMPLE_INPUTS.alert(), alert: sampleAlertRow({ title: s, description: s, type_name: s, hosts: [s, s], app: s, users: [{ raw: s, key: 'k', displayName: s, upn: s, sam: s, domain: s, resolution: 'ambiguous', note: s }], closed_by_name: s, assigned_to_name: s, graph_id: 'g1', graph_url: `https://evil.example/${s}` }), context: { other: 'cloud' as const, count: 2, topTitles: [s, s], hybridChain: true }, xdr: { status: 'resolved', classification: s, determination: s, assignedTo: s, category: s }, comments: { count: 3, latest: [{ byName: s, at: '2026-03-02T09:00:00.000Z', text: s }] } }) }),
  c({ template: 'health', card: (i: HealthSnapshot) => healthCard(i, [...DEFAULT_LINK_HOSTS]), model: (i: HealthSnapshot) => healthModel(i, [...DEFAULT_LINK_HOSTS]), input: (s): HealthSnapshot => { const h = SAMPLE_INPUTS.health(); return { ...h, sensors: { ok: true, items: [{ id: s, name: s, domain: s, type: s, health: s, deployment: s, service: s, version: s, openIssues: 1 }] }, issues: { ok: true, items: [{ ...SAMPLE_HEALTH_ISSUE_OF(h), title: s, description: s, severity: s, sensors: [s], domains: [s], recommendations: [s] }] } }; } }),
  c({ template: 'health', card: (i: HealthSnapshot) => healthCard(i, [...DEFAULT_LINK_HOSTS]), model: (i: HealthSnapshot) => healthModel(i, [...DEFAULT_LINK_HOSTS]), input: (s): HealthSnapshot => ({ at: SAMPLE_INPUTS.health().at, sensors: { ok: false, problem: 'forbidden', message: s, fix: s }, issues: { ok: false, problem: 'unavailable', message: `${s}!`, fix: s } }) }),
  c({ template: 'health-issue', card: healthIssueCard, model: healthIssueModel, input: (s) => { const n = SAMPLE_INPUTS['health-issue'](); return { ...n, issue: { ...n.issue, title: s, description: s, sensors: [s], domains: [s], recommendations: [s], severity: s } }; } }),
  c({ template: 'alerts', card: alertsCard, model: alertsModel, input: (s) => ({ ...SAMPLE_INPUTS.alerts(), items: SAMPLE_INPUTS.alerts().items.map((i) => ({ ...i, title: s, users: [s, s], severity: s })) }) }),
  c({ template: 'risky', card: riskyCard, model: riskyModel, input: (s) => ({ ...SAMPLE_INPUTS.risky(), rows: SAMPLE_INPUTS.risky().rows.map((r) => ({ ...r, displayName: s, upn: s, onPremAccount: s, resolution: s })) }) }),
  c({ template: 'risky-user', card: riskyUserCard, model: riskyUserModel, input: (s) => ({ ...SAMPLE_INPUTS['risky-user'](), displayName: s, upn: s, onPremAccount: s, reasons: [{ source: 'onprem' as const, text: s }], dismissed: { byName: s, at: '2026-03-02T09:00:00.000Z' }, notice: s, response: hostileResponse(s) }) }),
  c({ template: 'risky-user', card: riskyUserCard, model: riskyUserModel, input: (s) => ({ ...SAMPLE_INPUTS['risky-user'](), response: { ...hostileResponse(s), entra: null, entraNote: s } }) }),
  c({ template: 'user', card: userCard, model: userModel, input: (s) => ({ ...SAMPLE_INPUTS.user(), displayName: s, upn: s, onPremAccount: s, note: s, resolution: s, roles: [s], notice: s, onprem: SAMPLE_INPUTS.user().onprem.map((i) => ({ ...i, title: s, status: s, severity: s })), response: hostileResponse(s) }) }),
  c({ template: 'status', card: statusCard, model: statusModel, input: (s) => ({ ...SAMPLE_INPUTS.status(), integration: { ...SAMPLE_INPUTS.status().integration, byName: s }, onPremSources: [s], health: { title: s, sensor: s, severity: 'high', at: '2026-03-02T09:00:00.000Z' }, cloud: { configured: true, lastPollAt: null, lastError: { message: s, fix: s, at: '2026-03-02T09:00:00.000Z' } } }) }),
  c({ template: 'digest', card: digestCard, model: digestModel, input: (s): DigestCardInput => ({ ...SAMPLE_INPUTS.digest(), byType: [[s, 2]], topUsers: [[s, 2]], alerts: [{ id: 'a', title: s, severity: s, users: [s] }] }) }),
  c({ template: 'integration', card: integrationCard, model: integrationModel, input: (s) => ({ ...SAMPLE_INPUTS.integration(), actorName: s }) }),
  c({ template: 'policies', card: policiesCard, model: policiesModel, input: (s) => ({ ...SAMPLE_INPUTS.policies(), otherSeen: [{ type: s, name: s, seen: 1 }], cloudPolicies: [{ policy: s, seen: 2 }] }) }),
  c({ template: 'confirm-enable', card: enableConfirmCard, model: enableConfirmModel, input: (s) => ({ ...SAMPLE_INPUTS['confirm-enable'](), onPremSources: [s], callerRoles: [s] }) }),
];
const CARDS: Array<[string, (s: string) => CardMessage]> = CASES.map((k) => [k.template, (s: string) => k.card(k.input(s))]);

// Text as a title or name might really be: any printable characters (Markdown ones included), single spaces.
const printable = fc
  .string({ unit: 'grapheme', minLength: 1, maxLength: 60 })
  .map((s) => plain(s, 1000))
  .filter((s) => s.length > 0);
const MARK = '⟦m⟧';
const HOSTILE = ['[click](https://evil.example)', '<at>x</at>', '**bold**', '- item', '# heading', '1. one', 'https://evil.example/x', 'www.evil.example', '${nosuchfield}', '${json(x)}', '\u202eevil\u0000\u0007', '{{DATE(2017-02-14T06:08:39Z, SHORT)}}', '&minus;', '`code`', '\\*', '\n\n# h\n- l'];
const hostile = fc.tuple(fc.constantFrom(...HOSTILE), fc.string({ maxLength: 40 }), fc.constantFrom(...HOSTILE)).map(([a, b, c]) => `${MARK}${a}${b}${c}`);

describe('untrusted text is drawn exactly as written and stays inert', () => {
  test('done when: the Pass-the-Hash title appears exactly so in the card JSON', () => {
    const { card } = alertCard({ ...SAMPLE_INPUTS.alert(), alert: sampleAlertRow({ title: DONE_WHEN }) });
    expect(JSON.stringify(card)).toContain(JSON.stringify(DONE_WHEN));
    expect(runs(card)).toContain(DONE_WHEN);
    expect(cardProblems(card)).toEqual([]);
  });

  test.each(CARDS)('property (%s): literal text survives exactly, in a TextRun', (_name, build) => {
    fc.assert(
      fc.property(printable, (s) => {
        const { card } = build(s);
        expect(runs(card).some((r) => r.includes(s))).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  test.each(CARDS)('property (%s): hostile text is inert, the card valid and under the size limit', (_name, build) => {
    fc.assert(
      fc.property(hostile, (s) => {
        const m = build(s);
        expect(markdownText(m.card)).not.toContain(MARK); // never where Teams renders Markdown
        expect(cardUrls(m.card).every((u) => !u.includes('evil') && u.startsWith('https://'))).toBe(true);
        expect(runs(m.card).some((r) => r.includes(MARK))).toBe(true); // shown, as text
        expect(JSON.stringify(m.card)).not.toMatch(/[\u0000-\u0008\u202e]/);
        expect(sizeOf(m.card)).toBeLessThanOrEqual(MAX_CARD_BYTES);
        expect(m.summary).not.toMatch(/[\u0000-\u001f\u202e]/);
      }),
      { numRuns: 25 },
    );
    // Validating with the adaptivecards library is slower: a few hostile cards, and a 100 KB one.
    for (const s of [`${MARK}${HOSTILE.join(' ')}`, `${MARK}${'A'.repeat(100_000)}`, `${MARK}${'[x](https://evil.example) '.repeat(4000)}`]) {
      const m = build(s);
      expect(cardProblems(m.card)).toEqual([]);
      expect(markdownText(m.card)).not.toContain(MARK);
    }
  });

  test.each(CASES.map((k) => [k.template, k] as const))('%s with hostile data: nothing unbound, "${…}" in data stays text', (_name, k) => {
    const input = k.input(`${MARK}\${nosuchfield} \${json('x')} \${$root.title} [x](https://evil.example)`);
    const { card, unbound } = BUILT_INS.expand(k.template, k.model(input));
    expect(unbound).toEqual([]);
    expect(runs(card).some((r) => r.includes('${nosuchfield} ${json(\'x\')} ${$root.title}'))).toBe(true);
    expect(cardProblems(k.card(input).card)).toEqual([]);
  });
});

describe('esc: for chat messages (Markdown), escapes only what Markdown would act on', () => {
  test('ordinary text is unchanged byte for byte', () => {
    for (const s of [DONE_WHEN, 'CONTOSO\\jdoe', 'jdoe@contoso.com', 'WKS-17.contoso.local', 'Suspected brute force attack (Kerberos, NTLM)', 'svc-backup 2.0!', 'a - b', 'O\'Brien "quoted"']) expect(esc(s)).toBe(s);
  });

  test.each([
    ['[click](https://evil.example)', '\\[click\\](https:\\/\\/evil.example)'],
    ['<at>x</at>', '\\<at\\>x\\</at\\>'],
    ['**bold** _i_', '\\*\\*bold\\*\\* \\_i\\_'],
    ['- item', '\\- item'],
    ['# heading', '\\# heading'],
    ['1. one', '1\\. one'],
    ['C:\\temp\\*', 'C:\\temp\\\\\\*'],
    ['www.evil.example', 'www\\.evil.example'],
    ['&minus; &amp', '\\&minus; &amp'],
  ])('escapes %j as %j', (input, expected) => {
    expect(esc(input)).toBe(expected);
  });

  test('property: text without Markdown-active characters is unchanged', () => {
    const safe = fc.string({ unit: fc.constantFrom(...'abcXYZ019 -.,()\'"!?:;/@=+%$é漢'.split('')), maxLength: 80 }).map((s) => plain(s, 1000));
    fc.assert(
      fc.property(safe, (s) => {
        fc.pre(!/^([#>+-]|\d+[.)])(\s|$)/.test(s) && !s.includes('://') && !/\bwww\./i.test(s));
        expect(esc(s, 1000)).toBe(s);
      }),
    );
  });

  test('property: no unescaped Markdown-active character survives, and no autolink', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (s) => {
        const e = esc(s, 1000);
        const unescaped = e.replace(/\\./g, '');
        expect(unescaped).not.toMatch(/[*_`~[\]<>]/);
        expect(unescaped).not.toContain('://');
        expect(e).not.toMatch(/^\s*([#>+-]|\d+[.)])(\s|$)/); // the text does not start a list, heading or quote
        expect(e).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u202e]/);
      }),
    );
  });

  test('property: plain strips control characters and bounds length', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 1000 }), fc.integer({ min: 1, max: 300 }), (s, max) => {
        const p = plain(s, max);
        expect(Array.from(p).length).toBeLessThanOrEqual(max);
        expect(p).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
      }),
    );
  });
});
