import { ClientSecretCredential } from '@azure/identity';
import { Client, GraphError } from '@microsoft/microsoft-graph-client';
import { TokenCredentialAuthenticationProvider } from '@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials';
import { DirectoryError } from '../errors';
import type { AccountQuery, Directory, DirectoryUser } from './directory';
import { ROLE_TEMPLATE_IDS, roleNameForTemplateId, type RoleName } from './roles';
import { domainMatches } from './file-directory';

export interface GraphOptions {
  tenantId: string;
  clientId: string;
  clientSecret: string;
  /** e.g. https://graph.microsoft.com/v1.0 */
  baseUrl: string;
  authorityHost: string;
}

const USER_SELECT = 'id,userPrincipalName,displayName,onPremisesSamAccountName,onPremisesDomainName,onPremisesSecurityIdentifier';

interface GraphUser {
  id: string;
  userPrincipalName: string;
  displayName: string;
  onPremisesSamAccountName?: string | null;
  onPremisesDomainName?: string | null;
  onPremisesSecurityIdentifier?: string | null;
}

/** The GRAPH_* app's client-credentials identity (@azure/identity caches and renews its tokens). */
export function graphCredential(opts: Pick<GraphOptions, 'tenantId' | 'clientId' | 'clientSecret' | 'authorityHost'>): ClientSecretCredential {
  const authority = new URL(opts.authorityHost);
  return new ClientSecretCredential(opts.tenantId, opts.clientId, opts.clientSecret, {
    authorityHost: opts.authorityHost,
    // Instance discovery asks login.microsoftonline.com first; only skip it for a non-Microsoft authority (tests).
    disableInstanceDiscovery: !/\.microsoftonline\.(com|us|cn)$|\.microsoft\.com$/.test(authority.hostname),
  });
}

/** Production: roles and identities from Microsoft Graph with client credentials. */
export class GraphDirectory implements Directory {
  private readonly client: Client;

  constructor(opts: GraphOptions) {
    const credential = graphCredential(opts);
    const base = new URL(opts.baseUrl);
    const parts = base.pathname.replace(/\/+$/, '').split('/');
    const version = parts.pop() || 'v1.0';
    this.client = Client.initWithMiddleware({
      authProvider: new TokenCredentialAuthenticationProvider(credential, { scopes: ['https://graph.microsoft.com/.default'] }),
      baseUrl: `${base.origin}${parts.join('/')}/`,
      defaultVersion: version,
      customHosts: new Set([base.hostname]),
    });
  }

  async rolesOf(aadObjectId: string): Promise<RoleName[]> {
    const res = await this.call<{ value: string[] }>(() =>
      this.client.api(`/users/${encodeURIComponent(aadObjectId)}/checkMemberObjects`).post({ ids: Object.values(ROLE_TEMPLATE_IDS) }),
    );
    const names = (res.value ?? []).map(roleNameForTemplateId).filter((n): n is RoleName => !!n);
    return [...new Set(names)];
  }

  async getUser(aadObjectId: string): Promise<DirectoryUser | null> {
    try {
      const u = await this.call<GraphUser>(() => this.client.api(`/users/${encodeURIComponent(aadObjectId)}`).select(USER_SELECT).get());
      return toUser(u);
    } catch (e) {
      if (e instanceof DirectoryError && e.status === 404) return null;
      throw e;
    }
  }

  async findUsers(q: AccountQuery): Promise<DirectoryUser[]> {
    if (q.aadObjectId) {
      const u = await this.getUser(q.aadObjectId);
      return u ? [u] : [];
    }
    const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;
    let filter: string;
    let advanced = false;
    if (q.sid) filter = `onPremisesSecurityIdentifier eq ${lit(q.sid)}`;
    else if (q.upn) filter = `userPrincipalName eq ${lit(q.upn)} or onPremisesUserPrincipalName eq ${lit(q.upn)}`;
    else if (q.sam) {
      filter = `onPremisesSamAccountName eq ${lit(q.sam)}`;
      advanced = true; // only filterable as an advanced query
    } else if (q.displayName) filter = `displayName eq ${lit(q.displayName)}`;
    else return [];
    if (q.upn) advanced = true; // 'or' across onPremisesUserPrincipalName needs the advanced query too
    const res = await this.call<{ value: GraphUser[] }>(() => {
      let req = this.client.api('/users').select(USER_SELECT).filter(filter).top(10);
      if (advanced) req = req.header('ConsistencyLevel', 'eventual').query({ $count: 'true' });
      return req.get();
    });
    let users = (res.value ?? []).map(toUser);
    if (q.sam && q.domain) users = users.filter((u) => domainMatches(u.onPremisesDomainName, q.domain!));
    return users;
  }

  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw toDirectoryError(e);
    }
  }
}

function toUser(u: GraphUser): DirectoryUser {
  return {
    aadObjectId: u.id,
    userPrincipalName: u.userPrincipalName,
    displayName: u.displayName,
    onPremisesSamAccountName: u.onPremisesSamAccountName ?? undefined,
    onPremisesDomainName: u.onPremisesDomainName ?? undefined,
    onPremisesSecurityIdentifier: u.onPremisesSecurityIdentifier ?? undefined,
  };
}

export function toDirectoryError(e: unknown): DirectoryError {
  if (e instanceof DirectoryError) return e;
  const status = e instanceof GraphError ? e.statusCode : undefined;
  if (status === 401 || status === 403) {
    return new DirectoryError(`Microsoft Graph refused Hybridwatch's app (HTTP ${status})`, 'An administrator must grant the Graph application permission Directory.Read.All (admin consent) to the app in GRAPH_CLIENT_ID.', status);
  }
  if (status === 404) return new DirectoryError('the user was not found in the directory', 'Check that you are signed in with a work account of this tenant.', 404);
  if (status === 429) return new DirectoryError('Microsoft Graph is throttling requests (HTTP 429)', 'Try again in a minute.', 429);
  if (status && status >= 500) return new DirectoryError(`Microsoft Graph is unavailable (HTTP ${status})`, 'Try again in a few minutes.', status);
  const name = (e as { name?: string })?.name ?? '';
  if (name === 'AuthenticationError' || name === 'CredentialUnavailableError') {
    return new DirectoryError('Hybridwatch could not sign in to Microsoft Graph', 'An administrator should check GRAPH_TENANT_ID, GRAPH_CLIENT_ID and GRAPH_CLIENT_SECRET (the secret may have expired).');
  }
  return new DirectoryError('Microsoft Graph could not be reached', 'Try again in a few minutes; an administrator can check the network path to Graph.', status);
}
