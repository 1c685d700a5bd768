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

const eq = (a?: string, b?: string) => a !== undefined && b !== undefined && a.toLowerCase() === b.toLowerCase();

/** Local mode: roles and identities from DIRECTORY_FILE (re-read when the file changes). */
export class FileDirectory implements Directory {
  private users: FileUserT[] = [];
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
    this.mtimeMs = stat.mtimeMs;
  }

  private fresh(): FileUserT[] {
    this.load();
    return this.users;
  }

  async rolesOf(aadObjectId: string): Promise<RoleName[]> {
    return this.fresh().find((u) => eq(u.aadObjectId, aadObjectId))?.roles ?? [];
  }

  async getUser(aadObjectId: string): Promise<DirectoryUser | null> {
    const u = this.fresh().find((x) => eq(x.aadObjectId, aadObjectId));
    return u ? strip(u) : null;
  }

  async findUsers(q: AccountQuery): Promise<DirectoryUser[]> {
    const users = this.fresh();
    const by = (pred: (u: FileUserT) => boolean) => users.filter(pred).map(strip);
    if (q.aadObjectId) return by((u) => eq(u.aadObjectId, q.aadObjectId));
    if (q.sid) return by((u) => eq(u.onPremisesSecurityIdentifier, q.sid));
    if (q.upn) return by((u) => eq(u.userPrincipalName, q.upn));
    if (q.sam) {
      return by((u) => eq(u.onPremisesSamAccountName, q.sam) && (!q.domain || domainMatches(u.onPremisesDomainName, q.domain)));
    }
    if (q.displayName) return by((u) => eq(u.displayName, q.displayName));
    return [];
  }

  async listUsers(): Promise<Array<DirectoryUser & { roles: RoleName[] }>> {
    return this.fresh().map((u) => ({ ...strip(u), roles: u.roles }));
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
