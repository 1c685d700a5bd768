import { account, DETECTIONS, makeAlert } from '../helpers/alerts';
import { USERS } from '../helpers/activities';
import { cardText, expectInert, expectValidCard } from '../helpers/cards';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { HYBRID_DIRECTORY, jdoeAttack, minutes } from '../hybrid/helpers';
import { results, search } from './helpers';

/** `composeExtension/query` for `searchUsers` over HTTP: who matches, the profile card with score and percentile, ranking, paging, roles. */
describe('message extension: searchUsers', () => {
  let t: TestApp;
  const now = () => t.clock.now().toISOString();
  const names = (ce: any) => results(ce).map((r) => r.preview.title);

  beforeAll(async () => {
    t = await startTestApp({ env: { DIRECTORY_FILE: HYBRID_DIRECTORY } });
    for (const a of jdoeAttack(minutes(now(), -30))) await t.app.services.ledger.record(a);
    // Twelve more users with 1–3 alerts each (scores differ), an account the directory does not know,
    // and a name two directory users share (never merged: stays on-premises only).
    for (let i = 1; i <= 12; i++) {
      const sam = `user${String(i).padStart(3, '0')}`;
      for (let n = 0; n < 1 + (i % 3); n++) await t.app.services.ledger.record(makeAlert({ ...DETECTIONS.bruteForce, users: [account(`CONTOSO\\${sam}`)], seenAt: minutes(now(), -i - n), start: minutes(now(), -i - n) }));
    }
    await t.app.services.ledger.record(makeAlert({ ...DETECTIONS.ldapRecon, users: [account('CONTOSO\\svc-backup')], seenAt: minutes(now(), -5), start: minutes(now(), -5) }));
    await t.app.services.ledger.record(makeAlert({ ...DETECTIONS.bruteForce, users: [account('Wofford Thurston')], seenAt: minutes(now(), -4), start: minutes(now(), -4) }));
  });
  afterAll(async () => {
    await t.close();
  });

  test("typing part of a user's name offers that user's hybrid profile card, with score and percentile", async () => {
    const ce = await search(t, 'searchUsers', 'joh', USERS.securityReader);
    const [r] = results(ce);
    // A baseline still learning (rarity 0.5; other users' brute forces the same day never lower his):
    // (2.5 + 5 + 5) × 1.5 for three tactics + the chain pass-the-hash → impossible travel 50 × 0.457.
    expect(r.preview).toEqual({ title: 'John Doe', subtitle: 'Score 41.6 (100th percentile) · risky', text: 'jdoe@contoso.com · CONTOSO\\jdoe' });
    expectValidCard(r.card);
    const text = cardText(r.card);
    expect(text).toMatch(/John Doe\nRisky since/);
    expect(text).toContain('Investigation priority: 41.6 (100th percentile; impact ×1)');
    expect(text).toContain('Drawn at 2026-03-02 09:00 UTC');
    // The timelines open each alert (Universal Actions on the inserted card); no Dismiss on an inserted card.
    expect(JSON.stringify(r.card)).toContain('"verb":"alert.show"');
    expect(JSON.stringify(r.card)).not.toContain('user.dismiss');
  });

  test.each([
    ['a last-name word', 'doe'],
    ['the start of the full name, any case', 'JOHN D'],
    ['a UPN prefix', 'jdoe@con'],
    ['the UPN', 'jdoe@contoso.com'],
    ['DOMAIN\\sam, any case', 'Contoso\\JDoe'],
    ['a DOMAIN\\sam prefix', 'contoso\\jd'],
    ['the sam', 'jdoe'],
  ])('matches by %s', async (_what, q) => {
    expect(names(await search(t, 'searchUsers', q, USERS.securityReader))).toEqual(['John Doe']);
  });

  test('accounts only seen on-premises are found too (unresolved, ambiguous)', async () => {
    expect(names(await search(t, 'searchUsers', 'svc-b', USERS.securityReader))).toEqual(['CONTOSO\\svc-backup']);
    const [w] = results(await search(t, 'searchUsers', 'wofford', USERS.securityReader));
    expect(w.preview.title).toBe('Wofford Thurston');
    expect(cardText(w.card)).toMatch(/ambiguous: 2 directory users/);
  });

  test('someone no alert names yet is found by UPN or DOMAIN\\sam through the directory (score 0); a bare name prefix is not', async () => {
    for (const q of ['lee@contoso.com', 'CONTOSO\\lgu']) {
      const [r] = results(await search(t, 'searchUsers', q, USERS.securityReader));
      expect(r.preview).toMatchObject({ title: 'Lee Gu', subtitle: 'Score 0 (0th percentile)' });
      expect(cardText(r.card)).toMatch(/Not risky/);
    }
    expect(names(await search(t, 'searchUsers', 'lee', USERS.securityReader))).toEqual([]);
    expect(names(await search(t, 'searchUsers', 'nobody@contoso.com', USERS.securityReader))).toEqual([]);
  });

  test('an empty query shows the riskiest users first; a name prefix ranks by score; paging covers each user once', async () => {
    const riskiest = await search(t, 'searchUsers', '', USERS.securityReader, { count: 3 });
    expect(names(riskiest)[0]).toBe('John Doe');
    expect(names(await search(t, 'searchUsers', null, USERS.securityReader, { initialRun: true, count: 3 }))).toEqual(names(riskiest));
    const pages: Array<Array<{ title: string; score: number }>> = [];
    for (let skip = 0; skip < 15; skip += 5) {
      pages.push(results(await search(t, 'searchUsers', 'noise', USERS.securityReader, { skip, count: 5 })).map((r) => ({ title: r.preview.title, score: Number(/Score ([\d.]+)/.exec(r.preview.subtitle)![1]) })));
    }
    expect(pages.map((p) => p.length)).toEqual([5, 5, 2]);
    const all = pages.flat();
    expect(new Set(all.map((x) => x.title)).size).toBe(12);
    expect(all.map((x) => x.score)).toEqual([...all.map((x) => x.score)].sort((a, b) => b - a));
  });

  test('roles: no role gets a sentence and no user data', async () => {
    const ce = await search(t, 'searchUsers', 'joh', USERS.noRole);
    expect(ce).toEqual({ type: 'message', text: expect.stringMatching(/^Searching Hybridwatch users needs one of these roles/) });
    expect(JSON.stringify(ce)).not.toMatch(/John|jdoe/);
  });

  test('hostile queries are answered safely', async () => {
    for (const q of ['%', '_', '%oe', 'j_oe', '\\', "'", "jdoe' --", '"', '\\%', '*']) expect(names(await search(t, 'searchUsers', q, USERS.securityReader))).toEqual([]);
    expect(await search(t, 'searchUsers', 'x'.repeat(10 * 1024), USERS.securityReader)).toEqual({ type: 'message', text: expect.stringMatching(/at most 256 characters/) });
    // The index holds folded text; the card shows names as written, inert.
    const hostile = '[Eve](https://evil.example) <at>x</at>';
    await t.app.services.ledger.record(makeAlert({ users: [account(hostile)], seenAt: now(), start: now() }));
    const [r] = results(await search(t, 'searchUsers', '[eve](', USERS.securityReader));
    expect(r.preview.title).toBe('[Eve](https://evil.example) ‹at›x‹/at›');
    expectInert(r.card, 'evil.example');
  });
});
