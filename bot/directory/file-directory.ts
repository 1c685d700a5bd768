import fs from 'node:fs';
import { z } from 'zod';
import { DirectoryError } from '../errors';
import type { AccountQuery, Directory, DirectoryUser } from './directory';
import { ROLE_NAMES, type RoleName } from './roles';

const FileUser = z.object({
  aadObjectId: z.string().min(1),
  userPrincipalName: z.string().min(1),
  displayName: z.string().min(1),
  onPremisesSamAccountName: z.string().optional(),
  onPremisesDomainName: z.string().optional(),
  onPremisesSecurityIdentifier: z.string().optional(),
  roles: z.array(z.enum(ROLE_NAMES as [RoleName, ...RoleName[]])).default([]),
});
const FileSchema = z.object({ users: z.array(FileUser) });
type FileUserT = z.infer<typeof FileSchema>['users'][number];

const low = (s?: string) => (s === undefined ? undefined : s.toLowerCase());

/** Case-insensitive lookups by each identifier (the file can hold thousands of users; no scan per lookup). */
class Index {
  private readonly maps = { id: new Map<string, FileUserT[]>(), sid: new Map<string, FileUserT[]>(), upn: new Map<string, FileUserT[]>(), sam: new Map<string, FileUserT[]>(), name: new Map<string, FileUserT[]>() };
  constructor(users: FileUserT[]) {
    for (const u of users) {
      const add = (m: Map<string, FileUserT[]>, k?: string) => k !== undefined && m.set(k, [...(m.get(k) ?? []), u]);
      add(this.maps.id, low(u.aadObjectId));
      add(this.maps.sid, low(u.onPremisesSecurityIdentifier));
      add(this.maps.upn, low(u.userPrincipalName));
      add(this.maps.sam, low(u.onPremisesSamAccountName));
      add(this.maps.name, low(u.displayName));
    }
  }
  get(by: keyof Index['maps'], value?: string): FileUserT[] {
    const k = low(value);
    return k === undefined ? [] : this.maps[by].get(k) ?? [];
  }
}

/** Local mode: roles and identities from DIRECTORY_FILE (re-read when the file changes). */
export class FileDirectory implements Directory {
  private users: FileUserT[] = [];
  private index = new Index([]);
  private mtimeMs = -1;

  constructor(private readonly file: string) {
    this.load();
  }

  private load(): void {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(this.file);
    } catch {
      throw new DirectoryError(`the directory file ${this.file} does not exist`, 'Set DIRECTORY_FILE to a JSON file like directory.sample.json.');
    }
    if (stat.mtimeMs === this.mtimeMs) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(fs.readFileSync(this.file, 'utf8'));
    } catch (e) {
      throw new DirectoryError(`the directory file ${this.file} is not valid JSON (${(e as Error).message})`, 'Fix the JSON in DIRECTORY_FILE.');
    }
    const result = FileSchema.safeParse(parsed);
    if (!result.success) {
      const issue = result.error.issues[0];
      throw new DirectoryError(`the directory file ${this.file} is invalid at ${issue.path.join('.')}: ${issue.message}`, 'See directory.sample.json for the format.');
    }
    this.users = result.data.users;
    this.index = new Index(this.users);
    this.mtimeMs = stat.mtimeMs;
  }

  private fresh(): Index {
    this.load();
    return this.index;
  }

  async rolesOf(aadObjectId: string): Promise<RoleName[]> {
    return this.fresh().get('id', aadObjectId)[0]?.roles ?? [];
  }

  async getUser(aadObjectId: string): Promise<DirectoryUser | null> {
    const u = this.fresh().get('id', aadObjectId)[0];
    return u ? strip(u) : null;
  }

  async findUsers(q: AccountQuery): Promise<DirectoryUser[]> {
    const index = this.fresh();
    if (q.aadObjectId) return index.get('id', q.aadObjectId).map(strip);
    if (q.sid) return index.get('sid', q.sid).map(strip);
    if (q.upn) return index.get('upn', q.upn).map(strip);
    if (q.sam) return index.get('sam', q.sam).filter((u) => !q.domain || domainMatches(u.onPremisesDomainName, q.domain)).map(strip);
    if (q.displayName) return index.get('name', q.displayName).map(strip);
    return [];
  }

  async listUsers(): Promise<Array<DirectoryUser & { roles: RoleName[] }>> {
    this.load();
    return this.users.map((u) => ({ ...strip(u), roles: u.roles }));
  }
}

/** "CONTOSO" matches "contoso.local": NetBIOS names are the first label of the DNS domain by default. */
export function domainMatches(dnsDomain: string | undefined, given: string): boolean {
  if (!dnsDomain) return false;
  const d = dnsDomain.toLowerCase();
  const g = given.toLowerCase();
  return d === g || d.split('.')[0] === g;
}

function strip(u: FileUserT): DirectoryUser {
  const { roles: _roles, ...rest } = u;
  return rest;
}
