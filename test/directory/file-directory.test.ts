import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FileDirectory, domainMatches } from '../../bot/directory/file-directory';
import { DirectoryError } from '../../bot/errors';
import { SAMPLE_DIRECTORY } from '../helpers/test-app';

describe('FileDirectory (local mode)', () => {
  const d = new FileDirectory(SAMPLE_DIRECTORY);

  test('the sample has a Global Administrator, a Security Administrator, a Security Reader and a user with no role, each with on-prem identity', async () => {
    const users = await d.listUsers();
    const roles = users.map((u) => u.roles);
    expect(roles).toEqual(expect.arrayContaining([['Global Administrator'], ['Security Administrator'], ['Security Reader'], []]));
    for (const u of users) expect(u).toMatchObject({ onPremisesSamAccountName: expect.any(String), onPremisesDomainName: expect.any(String), onPremisesSecurityIdentifier: expect.stringMatching(/^S-1-5-21-/) });
  });

  test('finds users by object id, SID, UPN, DOMAIN\\sam and display name (case-insensitive)', async () => {
    expect((await d.findUsers({ sid: 'S-1-5-21-1004336348-1177238915-682003330-1107' }))[0]?.displayName).toBe('John Doe');
    expect((await d.findUsers({ upn: 'JDOE@contoso.com' }))[0]?.displayName).toBe('John Doe');
    expect((await d.findUsers({ sam: 'jdoe', domain: 'CONTOSO' }))[0]?.displayName).toBe('John Doe');
    expect(await d.findUsers({ sam: 'jdoe', domain: 'fabrikam' })).toEqual([]);
    expect((await d.findUsers({ displayName: 'john doe' }))[0]?.userPrincipalName).toBe('jdoe@contoso.com');
    expect(await d.rolesOf('00000000-0000-0000-0000-000000000001')).toEqual(['Global Administrator']);
    expect(await d.rolesOf('unknown')).toEqual([]);
  });

  test('NetBIOS domain matches the first DNS label', () => {
    expect(domainMatches('contoso.local', 'CONTOSO')).toBe(true);
    expect(domainMatches('contoso.local', 'contoso.local')).toBe(true);
    expect(domainMatches('contoso.local', 'fabrikam')).toBe(false);
    expect(domainMatches(undefined, 'x')).toBe(false);
  });

  test('a broken or missing file fails closed with a DirectoryError naming the fix', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hw-dir-'));
    const f = path.join(dir, 'd.json');
    fs.writeFileSync(f, JSON.stringify({ users: [{ aadObjectId: 'a', userPrincipalName: 'a@b', displayName: 'A', roles: ['Global Administrator'] }] }));
    const fd = new FileDirectory(f);
    expect(await fd.rolesOf('a')).toEqual(['Global Administrator']);
    fs.writeFileSync(f, '{ not json');
    fs.utimesSync(f, new Date(), new Date(Date.now() + 5000));
    await expect(fd.rolesOf('a')).rejects.toBeInstanceOf(DirectoryError);
    fs.writeFileSync(f, JSON.stringify({ users: [{ aadObjectId: 'a', userPrincipalName: 'a@b', displayName: 'A', roles: ['Supreme Leader'] }] }));
    fs.utimesSync(f, new Date(), new Date(Date.now() + 10000));
    await expect(fd.rolesOf('a')).rejects.toThrow(/invalid at users\.0\.roles\.0/);
    expect(() => new FileDirectory(path.join(dir, 'missing.json'))).toThrow(DirectoryError);
  });
});
