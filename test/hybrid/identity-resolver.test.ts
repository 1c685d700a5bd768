import path from 'node:path';
import fc from 'fast-check';
import { FakeClock } from '../../bot/clock';
import { CachedDirectory } from '../../bot/directory/cached-directory';
import type { Directory } from '../../bot/directory/directory';
import { FileDirectory } from '../../bot/directory/file-directory';
import { GraphDirectory } from '../../bot/directory/graph-directory';
import { DirectoryError } from '../../bot/errors';
import { IdentityResolver, accountQueries, fallbackKey } from '../../bot/hybrid/identity-resolver';
import { FakeGraph } from '../fakes/graph';
import { account } from '../helpers/alerts';

const FIXTURE = path.join(__dirname, '../fixtures/directory-hybrid.json');
const JDOE = 'aad:00000000-0000-0000-0000-000000000004';

describe('IdentityResolver over DIRECTORY_FILE', () => {
  const resolver = new IdentityResolver(new CachedDirectory(new FileDirectory(FIXTURE), new FakeClock()));

  test.each([
    ['CONTOSO\\jdoe', 'DOMAIN\\sam'],
    ['contoso.local\\JDOE', 'DOMAIN\\sam'],
    ['jdoe', 'sam'],
    ['jdoe@contoso.com', 'UPN'],
    ['John Doe', 'display name'],
    ['S-1-5-21-1004336348-1177238915-682003330-1107', 'SID'],
    ['00000000-0000-0000-0000-000000000004', 'object id'],
  ])('%s resolves to one Entra user (by %s)', async (raw, by) => {
    const [u] = await resolver.resolve([account(raw)]);
    expect(u).toMatchObject({ key: JDOE, resolution: 'resolved', upn: 'jdoe@contoso.com', displayName: 'John Doe', aadObjectId: '00000000-0000-0000-0000-000000000004', note: `resolved by ${by}` });
    expect(u.raw).toBe(raw);
  });

  test('two directory users share a display name: never merged, the note says why', async () => {
    const [u] = await resolver.resolve([account('Wofford Thurston', { key: 'onprem:name:wofford thurston' })]);
    expect(u.resolution).toBe('ambiguous');
    expect(u.key).toBe('onprem:name:wofford thurston');
    expect(u.aadObjectId).toBeUndefined();
    expect(u.note).toMatch(/2 directory users are named Wofford Thurston; not merged/);
  });

  test('the same sam in two domains: ambiguous without a domain, resolved with one', async () => {
    const [bare] = await resolver.resolve([account('wthurston')]);
    expect(bare.resolution).toBe('ambiguous');
    expect(bare.note).toMatch(/^2 directory users/);
    const [a] = await resolver.resolve([account('CONTOSO\\wthurston')]);
    const [b] = await resolver.resolve([account('FABRIKAM\\wthurston')]);
    expect(a.key).toBe('aad:00000000-0000-0000-0000-000000000101');
    expect(b.key).toBe('aad:00000000-0000-0000-0000-000000000102');
  });

  test('parsed fields win over the raw text (a UPN beside an ambiguous name)', async () => {
    const [u] = await resolver.resolve([account('Wofford Thurston', { upn: 'wofford.thurston@fabrikam.com' })]);
    expect(u.key).toBe('aad:00000000-0000-0000-0000-000000000102');
  });

  test('unknown accounts stay on-premises only with a note; empty and oversized names do not throw', async () => {
    const [ghost, empty, huge] = await resolver.resolve([account('CONTOSO\\ghost'), account('   '), account('x'.repeat(5000))]);
    expect(ghost).toMatchObject({ key: 'onprem:contoso\\ghost', resolution: 'unresolved' });
    expect(ghost.note).toMatch(/no directory user matches/);
    expect(empty.resolution).toBe('unresolved');
    expect(huge.resolution).toBe('unresolved');
    expect(huge.key.length).toBeLessThan(300);
  });

  test('two forms of one person in one alert count once', async () => {
    const users = await resolver.resolve([account('CONTOSO\\jdoe'), account('jdoe@contoso.com')]);
    expect(users.map((u) => u.key)).toEqual([JDOE]);
  });

  test('a directory error keeps the account unresolved with a note, never throws (the alert is not lost)', async () => {
    const broken: Directory = {
      rolesOf: async () => [],
      getUser: async () => null,
      findUsers: async () => {
        throw new DirectoryError('Microsoft Graph is unavailable (HTTP 503)', 'Try again.', 503);
      },
    };
    const [u] = await new IdentityResolver(broken).resolve([account('CONTOSO\\jdoe')]);
    expect(u).toMatchObject({ key: 'onprem:contoso\\jdoe', resolution: 'unresolved' });
    expect(u.note).toMatch(/directory could not be asked \(Microsoft Graph is unavailable/);
  });

  test('any account string: never throws, bounded key, a resolution and a note (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string({ maxLength: 600 }), fc.constantFrom('CONTOSO\\', '\\jdoe', '@', 'a@b', 'S-1-5', '00000000-0000-0000-0000-00000000000g', '\u0000', ' '.repeat(40))), async (raw) => {
        expect(accountQueries(account(raw)).length).toBeLessThanOrEqual(5);
        expect(fallbackKey(account(raw)).length).toBeLessThanOrEqual(270);
        const [u] = await resolver.resolve([account(raw)]);
        expect(['resolved', 'ambiguous', 'unresolved']).toContain(u.resolution);
        expect(u.note).toBeTruthy();
      }),
      { numRuns: 200 },
    );
  });

  test('hostile raw forms are looked up as data', () => {
    expect(accountQueries(account("o'brien@contoso.com"))[0]).toEqual({ by: 'UPN', q: { upn: "o'brien@contoso.com" } });
    expect(accountQueries(account('CONTOSO\\a\\b')).map((x) => x.by)).toEqual(['display name']);
  });
});

describe('IdentityResolver over Microsoft Graph (FakeGraph, advanced queries enforced)', () => {
  let graph: FakeGraph;
  let resolver: IdentityResolver;
  const clock = new FakeClock();
  beforeAll(async () => {
    graph = new FakeGraph();
    await graph.start();
    graph.users = [
      { id: '00000000-0000-0000-0000-000000000004', userPrincipalName: 'jdoe@contoso.com', displayName: 'John Doe', onPremisesSamAccountName: 'jdoe', onPremisesDomainName: 'contoso.local', onPremisesSecurityIdentifier: 'S-1-5-21-1-2-3-1107' },
      { id: '00000000-0000-0000-0000-000000000101', userPrincipalName: 'wofford.thurston@contoso.com', displayName: 'Wofford Thurston', onPremisesSamAccountName: 'wthurston', onPremisesDomainName: 'contoso.local' },
      { id: '00000000-0000-0000-0000-000000000102', userPrincipalName: 'wofford.thurston@fabrikam.com', displayName: 'Wofford Thurston', onPremisesSamAccountName: 'wthurston', onPremisesDomainName: 'fabrikam.local' },
    ];
    const graphDir = new GraphDirectory({ tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47', clientId: '11111111-1111-1111-1111-111111111111', clientSecret: 'fake-secret', baseUrl: graph.graphBaseUrl, authorityHost: graph.url });
    resolver = new IdentityResolver(new CachedDirectory(graphDir, clock), undefined, clock);
  });
  afterAll(async () => {
    await graph.stop();
  });

  test('DOMAIN\\sam resolves through an advanced query (ConsistencyLevel: eventual + $count)', async () => {
    const [u] = await resolver.resolve([account('CONTOSO\\jdoe')]);
    expect(u).toMatchObject({ key: 'aad:00000000-0000-0000-0000-000000000004', resolution: 'resolved', upn: 'jdoe@contoso.com' });
    const q = graph.requests.find((r) => r.path === '/v1.0/users' && r.headers.consistencylevel === 'eventual');
    expect(q).toBeTruthy();
  });

  test('SID, UPN and object id resolve; the same sam in two domains is told apart by the domain', async () => {
    const users = await resolver.resolve([account('S-1-5-21-1-2-3-1107'), account('FABRIKAM\\wthurston'), account('wofford.thurston@contoso.com')]);
    expect(users.map((u) => u.key)).toEqual(['aad:00000000-0000-0000-0000-000000000004', 'aad:00000000-0000-0000-0000-000000000102', 'aad:00000000-0000-0000-0000-000000000101']);
  });

  test('a display name two users share stays ambiguous', async () => {
    const [u] = await resolver.resolve([account('Wofford Thurston')]);
    expect(u.resolution).toBe('ambiguous');
    expect(u.note).toMatch(/2 directory users are named Wofford Thurston/);
  });

  test('Graph refusing: unresolved with a note, no throw; the directory is skipped for a minute, then asked again', async () => {
    graph.failWith = 403;
    const [u] = await resolver.resolve([account('CONTOSO\\nobody')]);
    expect(u.resolution).toBe('unresolved');
    expect(u.note).toMatch(/directory could not be asked \(Microsoft Graph refused/);
    graph.failWith = null;
    const calls = graph.graphCalls();
    const [again] = await resolver.resolve([account('FABRIKAM\\wthurston')]);
    expect(again.resolution).toBe('unresolved');
    expect(graph.graphCalls()).toBe(calls); // breaker open: no call while it would hold the ledger transaction
    clock.advance(61_000);
    const [later] = await resolver.resolve([account('FABRIKAM\\wthurston')]);
    expect(later.key).toBe('aad:00000000-0000-0000-0000-000000000102');
  });
});
