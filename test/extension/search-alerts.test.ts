import { account, DETECTIONS, makeAlert } from '../helpers/alerts';
import { makeQuery, USERS } from '../helpers/activities';
import { cardText, expectInert, expectValidCard } from '../helpers/cards';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { HYBRID_DIRECTORY, jdoeAttack, minutes } from '../hybrid/helpers';
import { flakyDirectory, results, search, titleOf } from './helpers';

/**
 * `composeExtension/query` for `searchAlerts`, Teams-shaped invokes over HTTP to the real server:
 * what matches, the card and preview of each result, ranking and paging, roles, hostile queries.
 */
describe('message extension: searchAlerts', () => {
  let t: TestApp;
  const now = () => t.clock.now().toISOString();
  const titles = (ce: any) => results(ce).map((r) => titleOf(r.card));

  beforeEach(async () => {
    t = await startTestApp({ env: { DIRECTORY_FILE: HYBRID_DIRECTORY }, overrides: { directory: flakyDirectory(HYBRID_DIRECTORY, USERS.globalAdmin.aadObjectId) } });
  });
  afterEach(async () => {
    await t.close();
  });

  async function seed() {
    for (const a of jdoeAttack(minutes(now(), -30))) await t.app.services.ledger.record(a);
    await t.app.services.ledger.record(makeAlert({ ...DETECTIONS.ldapRecon, users: [account('CONTOSO\\mbowen')], hosts: ['DC01.contoso.local'], seenAt: minutes(now(), -20), start: minutes(now(), -20) }));
    await t.app.services.ledger.record(makeAlert({ title: '100% CPU on DC01_backup (O\'Brien\'s "test")', typeName: 'Custom', type: 'custom-1', severity: 'low', users: [account('svc_backup')], hosts: ['DC01_backup'], seenAt: minutes(now(), -10), start: minutes(now(), -10) }));
  }

  test('a reader finds alerts by title, detection type, user and host, case-insensitively; each result is the alert card with a thumbnail preview', async () => {
    await seed();
    expect(titles(await search(t, 'searchAlerts', 'PASS-THE-HASH', USERS.securityReader))).toEqual(['Suspected identity theft (pass-the-hash)']);
    expect(titles(await search(t, 'searchAlerts', 'passthehashsecurityalert', USERS.securityReader))).toEqual(['Suspected identity theft (pass-the-hash)']);
    expect(titles(await search(t, 'searchAlerts', '2017', USERS.securityReader))).toEqual(['Suspected identity theft (pass-the-hash)']);
    expect(titles(await search(t, 'searchAlerts', 'dc01.CONTOSO', USERS.securityReader))).toEqual(['Security principal reconnaissance (LDAP)']);
    expect(titles(await search(t, 'searchAlerts', 'megan', USERS.securityReader))).toEqual(['Security principal reconnaissance (LDAP)']);
    expect(titles(await search(t, 'searchAlerts', 'Contoso\\MBowen', USERS.securityReader))).toEqual(['Security principal reconnaissance (LDAP)']);
    // A user in the cloud (UPN) and on-premises (CONTOSO\jdoe): every alert of John Doe, newest first.
    expect(titles(await search(t, 'searchAlerts', 'jdoe@contoso.com', USERS.securityReader)).sort()).toEqual(['Impossible travel activity', 'Suspected brute force attack (Kerberos, NTLM)', 'Suspected identity theft (pass-the-hash)']);
    // Every word must match, in any field.
    expect(titles(await search(t, 'searchAlerts', 'john  Brute', USERS.securityReader))).toEqual(['Suspected brute force attack (Kerberos, NTLM)']);
    expect(results(await search(t, 'searchAlerts', 'nothing-like-this', USERS.securityReader))).toEqual([]);

    const [r] = results(await search(t, 'searchAlerts', 'pass-the-hash', USERS.securityReader));
    expectValidCard(r.card);
    expect(r.preview).toEqual({ title: 'Suspected identity theft (pass-the-hash)', subtitle: 'High · open · last seen 2026-03-02 08:30 UTC', text: 'John Doe · WKS-17' });
    const text = cardText(r.card);
    expect(text).toMatch(/Drawn at 2026-03-02 09:00 UTC from Hybridwatch's ledger\. Refresh shows the current state\./);
    expect(text).toContain('[Refresh]');
    expect(text).toContain('[Open in chat with Hybridwatch]');
    // Inserted into a conversation: no operate buttons on the card itself; operators get them by refresh.
    expect(JSON.stringify(r.card)).not.toMatch(/alert\.close|alert\.assign|alert\.mute/);
    expect(r.card.refresh.userIds).toContain(`8:orgid:${USERS.securityOperator.aadObjectId}`);
    const open = r.card.actions.find((a: any) => a.title === 'Open in chat with Hybridwatch');
    expect(open).toMatchObject({ type: 'Action.Submit', data: { verb: 'alert.openInChat', alertId: expect.stringMatching(/^atp:/) } });
  });

  test('newest first, then most severe; paging with queryOptions.skip / count covers every alert exactly once', async () => {
    const sev = ['low', 'medium', 'high'] as const;
    for (let i = 0; i < 23; i++) {
      // Pairs share a last-seen time: the more severe one comes first.
      const at = minutes(now(), -(Math.floor(i / 2) * 3) - 1);
      await t.app.services.ledger.record(makeAlert({ title: `Paged alert ${String(i).padStart(2, '0')}`, severity: sev[i % 3], users: [account(`CONTOSO\\u${i}`)], seenAt: at, start: at }));
    }
    const pages: string[][] = [];
    for (let skip = 0; skip < 30; skip += 10) pages.push(titles(await search(t, 'searchAlerts', 'paged', USERS.securityReader, { skip, count: 10 })));
    expect(pages.map((p) => p.length)).toEqual([10, 10, 3]);
    const all = pages.flat();
    expect(new Set(all).size).toBe(23);
    const rows = await t.app.store.db.selectFrom('alerts').select(['title', 'last_seen', 'severity']).execute();
    const rank = { informational: 0, low: 1, medium: 2, high: 3 } as const;
    const expected = rows.sort((a, b) => (a.last_seen < b.last_seen ? 1 : a.last_seen > b.last_seen ? -1 : rank[b.severity] - rank[a.severity])).map((r) => r.title);
    expect(all).toEqual(expected);
    // A count Teams did not send, or out of range, is bounded (default 25, at most 25).
    expect(results(await search(t, 'searchAlerts', 'paged', USERS.securityReader, { count: 1000 }))).toHaveLength(23);
    expect(results(await search(t, 'searchAlerts', 'paged', USERS.securityReader, { skip: -5, count: 2 })).map((r) => titleOf(r.card))).toEqual(expected.slice(0, 2));
  });

  test('open and recent: closed alerts stay findable 30 days after they were last seen; open ones at any age', async () => {
    const old = minutes(now(), -40 * 24 * 60);
    const recent = minutes(now(), -2 * 24 * 60);
    await t.app.services.ledger.record(makeAlert({ title: 'Old open alert', seenAt: old, start: old }));
    await t.app.services.ledger.record(makeAlert({ title: 'Old closed alert', status: 'closed', resolution: 'benign', seenAt: old, start: old }));
    await t.app.services.ledger.record(makeAlert({ title: 'Recent closed alert', status: 'closed', resolution: 'benign', seenAt: recent, start: recent }));
    expect(titles(await search(t, 'searchAlerts', 'alert', USERS.securityReader))).toEqual(['Recent closed alert', 'Old open alert']);
  });

  test('closing an alert reaches the search (indexed inside the ledger transaction of every change)', async () => {
    await seed();
    const id = (await t.app.store.db.selectFrom('alerts').select('id').where('title', '=', 'Impossible travel activity').executeTakeFirstOrThrow()).id;
    const { click } = await import('../hybrid/helpers');
    await click(t, 'alert.close', { alertId: id, resolution: 'benign' }, USERS.securityOperator);
    const [r] = results(await search(t, 'searchAlerts', 'impossible', USERS.securityReader));
    expect(r.preview.subtitle).toMatch(/closed/);
    expect(cardText(r.card)).toMatch(/Closed \(Benign\) by Isaiah Langer/);
  });

  test('an empty query and initialRun show the latest alerts', async () => {
    await seed();
    const latest = titles(await search(t, 'searchAlerts', '', USERS.securityReader));
    expect(latest[0]).toBe('100% CPU on DC01_backup (O\'Brien\'s "test")');
    expect(latest).toHaveLength(5);
    expect(titles(await search(t, 'searchAlerts', null, USERS.securityReader, { initialRun: true }))).toEqual(latest);
    expect(titles(await search(t, 'searchAlerts', '   ', USERS.securityReader))).toEqual(latest);
  });

  test('roles: readers and up see alerts; no role, no Entra id or a role check that fails gets a sentence and no alert data', async () => {
    await seed();
    for (const u of [USERS.securityReader, USERS.securityOperator, USERS.securityAdmin]) expect(results(await search(t, 'searchAlerts', 'jdoe', u)).length).toBe(3);
    const none = await search(t, 'searchAlerts', 'jdoe', USERS.noRole);
    expect(none).toEqual({ type: 'message', text: expect.stringMatching(/^Searching Hybridwatch alerts needs one of these roles: .*Security Reader/) });
    // Alex Wilber is a Global Administrator, but the directory cannot answer for him right now: fail closed.
    const failed = await search(t, 'searchAlerts', 'jdoe', USERS.globalAdmin);
    expect(failed).toEqual({ type: 'message', text: expect.stringMatching(/could not verify your directory role/) });
    const noId = makeQuery('searchAlerts', 'jdoe', USERS.securityReader, t.connector.url);
    delete noId.from.aadObjectId;
    const anon = await t.post(noId);
    expect(anon.body.composeExtension).toEqual({ type: 'message', text: expect.stringMatching(/did not include an Entra object id/) });
    for (const body of [none, failed, anon.body]) expect(JSON.stringify(body)).not.toMatch(/pass-the-hash|brute force|John Doe|WKS-17/i);
  });

  test('hostile queries are answered safely: LIKE wildcards, escapes and quotes are literal, SQL stays data, 10 KB is refused with a sentence', async () => {
    await seed();
    const before = (await t.app.services.ledger.counts()).total;
    const cpu = '100% CPU on DC01_backup (O\'Brien\'s "test")';
    expect(titles(await search(t, 'searchAlerts', '%', USERS.securityReader))).toEqual([cpu]);
    expect(titles(await search(t, 'searchAlerts', '100%', USERS.securityReader))).toEqual([cpu]);
    // `_` is literal: the two alerts with an underscore (DC01_backup, type ALERT_IMPOSSIBLE_TRAVEL), not every alert.
    expect(titles(await search(t, 'searchAlerts', '_', USERS.securityReader))).toEqual([cpu, 'Impossible travel activity']);
    expect(titles(await search(t, 'searchAlerts', '%%', USERS.securityReader))).toEqual([]);
    expect(titles(await search(t, 'searchAlerts', 'dc01_b', USERS.securityReader))).toEqual([cpu]);
    expect(titles(await search(t, 'searchAlerts', 'dc01%b', USERS.securityReader))).toEqual([]);
    expect(titles(await search(t, 'searchAlerts', "o'brien's", USERS.securityReader))).toEqual([cpu]);
    expect(titles(await search(t, 'searchAlerts', '"test"', USERS.securityReader))).toEqual([cpu]);
    // A backslash is literal: it finds DOMAIN\sam accounts, and `\%` is not an escaped wildcard.
    for (const r of results(await search(t, 'searchAlerts', '\\', USERS.securityReader))) expect(JSON.stringify(r.card)).toContain('\\\\');
    expect(titles(await search(t, 'searchAlerts', '\\%', USERS.securityReader))).toEqual([]);
    expect(titles(await search(t, 'searchAlerts', '\\_', USERS.securityReader))).toEqual([]);
    for (const q of ["'; drop table alerts; --", '" or 1=1 --', "' OR '1'='1", 'x%\' escape \'x', '${json(x)}', 'x\u0000\u202ey', '🙂 ×💥', 'ǅ İ ß']) {
      expect(results(await search(t, 'searchAlerts', q, USERS.securityReader))).toEqual([]);
    }
    // Only control characters: nothing was typed, so the latest alerts.
    expect(results(await search(t, 'searchAlerts', '\u0000\u202e\t', USERS.securityReader))).toHaveLength(5);
    const long = await search(t, 'searchAlerts', 'a'.repeat(10 * 1024), USERS.securityReader);
    expect(long).toEqual({ type: 'message', text: expect.stringMatching(/at most 256 characters/) });
    // Not a string, no parameters, nonsense options: still an answer.
    for (const value of [{ commandId: 'searchAlerts', parameters: [{ name: 'query', value: 42 }] }, { commandId: 'searchAlerts' }, { commandId: 'searchAlerts', parameters: 'x', queryOptions: { skip: 'a', count: -1 } }, { commandId: 'searchAlerts', parameters: [null, { name: 'query', value: { $ne: 1 } }], queryOptions: null }]) {
      const a = makeQuery('searchAlerts', '', USERS.securityReader, t.connector.url);
      a.value = value;
      const r = await t.post(a);
      expect(r.status).toBe(200);
      expect(r.body.composeExtension.type).toBe('result');
    }
    expect((await t.app.services.ledger.counts()).total).toBe(before);
  });

  test('an untrusted title is drawn literally on the card and made inert in the preview', async () => {
    const hostile = '<b>[click](https://evil.example)</b> **x** <at>Lee</at>';
    await t.app.services.ledger.record(makeAlert({ title: hostile, seenAt: now(), start: now() }));
    const [r] = results(await search(t, 'searchAlerts', 'click', USERS.securityReader));
    expectInert(r.card, 'evil.example');
    expect(titleOf(r.card)).toBe(hostile);
    expect(r.preview.title).toBe('‹b›[click](https://evil.example)‹/b› **x** ‹at›Lee‹/at›');
    expect(JSON.stringify(r.preview)).not.toMatch(/[<>]/);
  });

  test('an unknown command gets a sentence; another tenant gets nothing at all', async () => {
    await seed();
    expect(await search(t, 'searchEverything', 'x', USERS.securityReader)).toEqual({ type: 'message', text: expect.stringMatching(/not one Hybridwatch knows/) });
    await t.close();
    t = await startTestApp({ env: { DIRECTORY_FILE: HYBRID_DIRECTORY, ALLOWED_TENANT_IDS: '11111111-1111-4111-8111-111111111111' } });
    await seed();
    const r = await t.post(makeQuery('searchAlerts', 'jdoe', USERS.securityReader, t.connector.url));
    expect(r.status).not.toBe(200);
    expect(JSON.stringify(r.body ?? '')).not.toMatch(/composeExtension|pass-the-hash/);
  });
});
