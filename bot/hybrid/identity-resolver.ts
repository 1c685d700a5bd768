import type { AccountQuery, Directory, DirectoryUser } from '../directory/directory';
import type { Logger } from '../log';
import type { Clock } from '../clock';
import type { AlertUser } from './alert';
import { Breaker } from './breaker';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SID = /^S-1-\d+(?:-\d+){1,14}$/i;
const UPN = /^[^\s@\\]+@[^\s@\\]+\.[^\s@\\]+$/;
const DOMAIN_SAM = /^([^\\\s]+)\\([^\\]+)$/;
// Windows sAMAccountName: up to 20 characters, none of these.
const SAM = /^[^\s"/\\[\]:;|=,+*?<>@]{1,20}$/;

/** The ways an account string (or a parsed AlertUser) can be looked up, strongest first. */
export function accountQueries(u: Pick<AlertUser, 'raw' | 'aadObjectId' | 'upn' | 'sam' | 'domain' | 'sid' | 'displayName'>): Array<{ by: string; q: AccountQuery }> {
  const raw = (u.raw ?? '').trim();
  if (raw.length > 512) return [];
  const out: Array<{ by: string; q: AccountQuery }> = [];
  const add = (by: string, q: AccountQuery) => {
    if (!out.some((o) => JSON.stringify(o.q).toLowerCase() === JSON.stringify(q).toLowerCase())) out.push({ by, q });
  };
  const dm = raw.match(DOMAIN_SAM);
  const aad = u.aadObjectId ?? (GUID.test(raw) ? raw : undefined);
  const sid = u.sid ?? (SID.test(raw) ? raw : undefined);
  const upn = u.upn ?? (UPN.test(raw) ? raw : undefined);
  const sam = u.sam ?? (dm ? dm[2] : !aad && !sid && !upn && SAM.test(raw) ? raw : undefined);
  const domain = u.domain ?? (dm ? dm[1] : undefined);
  if (aad && GUID.test(aad)) add('object id', { aadObjectId: aad });
  if (sid) add('SID', { sid });
  if (upn) add('UPN', { upn });
  if (sam) add(domain ? 'DOMAIN\\sam' : 'sam', domain ? { sam, domain } : { sam });
  // Anything unstructured may also be a display name ("Wofford Thurston", or a one-word name).
  const name = u.displayName ?? (!aad && !sid && !upn && !dm && raw ? raw : undefined);
  if (name) add('display name', { displayName: name.replace(/\s+/g, ' ') });
  return out;
}

/** The key an account keeps when the directory does not name exactly one user. */
export function fallbackKey(u: AlertUser): string {
  if (u.key) return u.key;
  if (u.sam) return `onprem:${(u.domain ? `${u.domain}\\${u.sam}` : u.sam).toLowerCase()}`;
  if (u.upn) return `cloud:${u.upn.toLowerCase()}`;
  const raw = (u.raw ?? '').trim().toLowerCase().slice(0, 256);
  if (UPN.test(raw)) return `cloud:${raw}`;
  return `onprem:${raw}`;
}

/**
 * Turns the accounts an alert names into directory users. One match: the Entra user
 * (`aad:<object id>`), so on-prem and cloud alerts meet under one key. Two or more: never merged
 * (resolution 'ambiguous', the note says why). None, or a directory that cannot answer: the account
 * stays as the source named it (on-prem only) with a note; the alert is never lost.
 */
export class IdentityResolver {
  private readonly breaker: Breaker;

  constructor(private readonly directory: Directory, private readonly log?: Logger, clock?: Clock) {
    this.breaker = new Breaker(clock);
  }

  async resolve(users: AlertUser[]): Promise<AlertUser[]> {
    const out: AlertUser[] = [];
    for (const u of users) {
      const r = await this.resolveOne(u);
      // Two raw forms of one person in one alert (CONTOSO\jdoe and jdoe@contoso.com) count once.
      if (!out.some((o) => o.key === r.key)) out.push(r);
    }
    return out;
  }

  async resolveOne(u: AlertUser): Promise<AlertUser> {
    return (await this.lookup(u)).user;
  }

  /** resolveOne plus the directory users that made it ambiguous (for "which one did you mean?"). */
  async lookup(u: AlertUser): Promise<{ user: AlertUser; candidates: DirectoryUser[] }> {
    const base: AlertUser = { ...u, key: fallbackKey(u) };
    const queries = accountQueries(u);
    if (queries.length === 0) return { user: { ...base, resolution: 'unresolved', note: 'the account name is empty or not a form the directory can look up' }, candidates: [] };
    const unavailable = (msg: string) => ({ user: { ...base, resolution: 'unresolved' as const, note: `the directory could not be asked (${msg}); kept as the source named it` }, candidates: [] });
    if (this.breaker.isOpen()) return unavailable(this.breaker.lastError ?? 'unavailable');
    for (const { by, q } of queries) {
      let found: DirectoryUser[];
      try {
        found = await this.directory.findUsers(q);
        this.breaker.reset();
      } catch (e) {
        // The alert still goes in, unresolved; the next minute's alerts skip the directory.
        this.breaker.trip(e);
        this.log?.warn({ err: { message: this.breaker.lastError }, account: u.raw }, 'identity resolution: directory unavailable, account kept unresolved');
        return unavailable(this.breaker.lastError ?? 'unavailable');
      }
      if (found.length === 1) return { user: toResolved(base, found[0], by), candidates: found };
      if (found.length > 1) {
        const what = by === 'display name' ? `named ${q.displayName}` : `match the ${by} ${Object.values(q).reverse().join(' in ')}`;
        const user: AlertUser = {
          ...base,
          resolution: 'ambiguous',
          note: `${found.length} directory users are ${what}; not merged (kept on-premises only)`,
        };
        return { user, candidates: found };
      }
    }
    return { user: { ...base, resolution: 'unresolved', note: `no directory user matches its ${queries.map((x) => x.by).join(' / ')}; on-premises only` }, candidates: [] };
  }
}

function toResolved(base: AlertUser, d: DirectoryUser, by: string): AlertUser {
  return {
    ...base,
    key: `aad:${d.aadObjectId.toLowerCase()}`,
    aadObjectId: d.aadObjectId,
    upn: d.userPrincipalName,
    displayName: d.displayName,
    sam: base.sam ?? d.onPremisesSamAccountName,
    domain: base.domain ?? d.onPremisesDomainName,
    sid: base.sid ?? d.onPremisesSecurityIdentifier,
    resolution: 'resolved',
    note: `resolved by ${by}`,
  };
}
