import fc from 'fast-check';
import Database from 'better-sqlite3';
import { domainMatches, linkDomains, matchLink, MAX_LINK } from '../../bot/extension/links';
import { containsPattern, fold, parseQuery, prefixPattern, userTerms, MAX_QUERY } from '../../bot/extension/search-text';
import { alertIdFromUrl } from '../../bot/sources/onprem/normalize';
import { linkNoticeModel } from '../../cards/link-notice-card';

const S = { atpWorkspaceUrl: 'https://contoso.atp.azure.com', mcasUrl: 'https://contoso.eu2.portal.cloudappsecurity.com' };
const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?$/);
const values = (r: ReturnType<typeof matchLink>, column: string) => (r?.match?.refs ?? []).filter((x) => x.column === column).map((x) => x.value);

describe('link matchers (pure)', () => {
  test('property: never throws, and every id handed to the database is a plain id', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 300 }), fc.webUrl({ withFragments: true, withQueryParameters: true }), fc.constantFrom('https://contoso.atp.azure.com/securityAlert/', 'https://security.microsoft.com/alerts/aa', 'https://x.portal.cloudappsecurity.com/#/alerts/')).map((s) => s), (s) => {
        const r = matchLink(s, S);
        for (const ref of r?.match?.refs ?? []) expect(ref.value).toMatch(/^[A-Za-z0-9_.-]{1,200}$/);
      }),
      { numRuns: 500 },
    );
  });

  test('property: a CEF cs1 URL of any workspace resolves to exactly the id the syslog source stores', () => {
    fc.assert(
      fc.property(label, fc.uuid(), fc.boolean(), (ws, guid, upper) => {
        const cs1 = `https://${ws}.atp.azure.com/securityAlert/${upper ? guid.toUpperCase() : guid}`;
        const r = matchLink(cs1, {});
        expect(r?.match?.matcher).toBe('atp-workspace');
        expect(values(r, 'onprem_id')).toContain(alertIdFromUrl(cs1));
      }),
    );
  });

  test('property: a Defender XDR link `aa<guid>` names the Defender for Identity (Azure ATP) alert', () => {
    fc.assert(
      fc.property(fc.uuid(), fc.option(fc.uuid(), { nil: undefined }), (guid, tid) => {
        const r = matchLink(`https://security.microsoft.com/alerts/aa${guid}${tid ? `?tid=${tid}` : ''}`, {});
        expect(r?.match?.portal).toBe('Microsoft Defender XDR');
        expect(values(r, 'onprem_id')).toEqual(expect.arrayContaining([guid.toLowerCase(), `aa${guid.toLowerCase()}`]));
      }),
    );
  });

  test('property: a Cloud App Security alert link names its `_id`', () => {
    fc.assert(
      fc.property(label, fc.stringMatching(/^[0-9a-f]{24}$/), fc.constantFrom('', '?tab=x', '/details'), (tenant, id, tail) => {
        const r = matchLink(`https://${tenant}.portal.cloudappsecurity.com/#/alerts/${id}${tail}`, {});
        expect(values(r, 'cloud_id')).toEqual([id]);
      }),
    );
  });

  test('links Hybridwatch does not read, and hostile input', () => {
    expect(matchLink('https://example.com/securityAlert/x', S)).toEqual({ url: expect.any(URL), match: null });
    expect(matchLink('https://security.microsoft.com/incidents/28282', S)?.match?.refs).toEqual([{ column: 'incident_id', value: '28282' }]);
    expect(matchLink('https://security.microsoft.com/incident2/29/overview?tid=x', S)?.match?.refs).toEqual([{ column: 'incident_id', value: '29' }]);
    expect(matchLink('https://security.microsoft.com/incidents', S)?.match).toBeNull();
    expect(matchLink('https://contoso.portal.cloudappsecurity.com/#/policy', S)?.match).toBeNull();
    for (const bad of ['http://contoso.atp.azure.com/securityAlert/x', 'javascript:alert(1)', '', 'x', 42, null, undefined, {}, 'https://' + 'a'.repeat(MAX_LINK)]) expect(matchLink(bad, S)).toBeNull();
    // The MCAS_URL host, with or without its region, is a Cloud App Security portal.
    expect(matchLink('https://contoso.eu2.portal.cloudappsecurity.com/#/alerts/abc', S)?.match?.portal).toBe('Cloud App Security');
  });

  test('domains: Teams `*` is exactly one label', () => {
    expect(linkDomains({})).toEqual(['*.atp.azure.com', 'security.microsoft.com']);
    expect(linkDomains(S)).toEqual(['contoso.atp.azure.com', '*.atp.azure.com', 'contoso.eu2.portal.cloudappsecurity.com', 'contoso.portal.cloudappsecurity.com', 'security.microsoft.com']);
    expect(linkDomains({ atpWorkspaceUrl: 'not a url', mcasUrl: 'https://mcas.contoso.net' })).toEqual(['*.atp.azure.com', 'mcas.contoso.net', 'security.microsoft.com']);
    expect(domainMatches('*.atp.azure.com', 'contoso.atp.azure.com')).toBe(true);
    expect(domainMatches('*.atp.azure.com', 'ATP.azure.com')).toBe(false);
    expect(domainMatches('*.atp.azure.com', 'a.b.atp.azure.com')).toBe(false);
    expect(domainMatches('security.microsoft.com', 'Security.Microsoft.com')).toBe(true);
    fc.assert(fc.property(label, label, (a, b) => expect(domainMatches(`*.${b}.com`, `${a}.${b}.com`)).toBe(true)));
  });
});

describe('search text (pure) and LIKE patterns (against SQLite)', () => {
  const db = new Database(':memory:');
  const like = db.prepare<[string, string], { m: number }>("select ? like ? escape '\\' as m");
  afterAll(() => db.close());
  const text = fc.string({ unit: fc.constantFrom('a', 'b', '%', '_', '\\', "'", ' ', 'é', '🙂'), maxLength: 12 });

  test('property: a contains pattern matches exactly the texts that contain the word, wildcards and escapes literal', () => {
    fc.assert(
      fc.property(text, text.filter((w) => w.length > 0), (hay, word) => {
        expect(Boolean(like.get(hay, containsPattern(word))!.m)).toBe(hay.includes(word));
        expect(Boolean(like.get(hay, prefixPattern(word))!.m)).toBe(hay.startsWith(word));
      }),
      { numRuns: 1000 },
    );
  });

  test('property: fold is idempotent and parseQuery never throws; long queries are refused, words bounded', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (s) => {
        expect(fold(fold(s))).toBe(fold(s));
        const q = parseQuery(s);
        if (Array.from(s.trim()).length > MAX_QUERY) expect(q.kind).toBe('tooLong');
        if (q.kind === 'words') {
          expect(q.words.length).toBeLessThanOrEqual(8);
          for (const w of q.words) expect(w).toBe(fold(w));
        }
      }),
    );
    expect(parseQuery(42)).toEqual({ kind: 'empty' });
    expect(parseQuery('  John   DOE ')).toEqual({ kind: 'words', text: 'john doe', words: ['john', 'doe'] });
  });

  test('user terms: the name and its words, UPN and its local part, DOMAIN\\sam, sam', () => {
    expect(userTerms({ displayName: 'Doe, John', upn: 'JDoe@Contoso.com', account: 'CONTOSO\\jdoe', sam: 'jdoe' }).sort()).toEqual(['contoso\\jdoe', 'doe', 'doe, john', 'jdoe', 'jdoe@contoso.com', 'john'].sort());
    expect(userTerms({})).toEqual([]);
  });
});

describe('link-notice card', () => {
  test('offers "Open in …" only for an https link on a known host; every sentence is our own', () => {
    const hosts = ['atp.azure.com'];
    expect(linkNoticeModel({ reason: 'unknown', portal: 'Azure ATP', url: 'https://contoso.atp.azure.com/securityAlert/x', linkHosts: hosts }).links).toEqual([{ title: 'Open in Azure ATP', url: 'https://contoso.atp.azure.com/securityAlert/x' }]);
    for (const url of ['https://evil.example/x', 'http://contoso.atp.azure.com/x', 'javascript:alert(1)', null]) expect(linkNoticeModel({ reason: 'unknown', portal: 'Azure ATP', url, linkHosts: hosts }).links).toEqual([]);
    const noRole = linkNoticeModel({ reason: 'noRole', portal: 'Azure ATP', url: 'https://contoso.atp.azure.com/securityAlert/x', linkHosts: hosts });
    expect(noRole.heading).toBe('alert link');
    expect(noRole.text).not.toContain('securityAlert');
  });
});
