import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import type { AddressInfo } from 'node:net';

export interface FakeGraphUser {
  id: string;
  userPrincipalName: string;
  displayName: string;
  onPremisesSamAccountName?: string;
  onPremisesDomainName?: string;
  onPremisesSecurityIdentifier?: string;
  /** Role template ids held directly. */
  roles?: string[];
  /** Group ids the user is in. */
  groups?: string[];
}

/** A Graph request as a route sees it. */
export interface FakeGraphRequest {
  method: string;
  /** Path without the query string, e.g. /v1.0/security/alerts_v2 */
  path: string;
  query: URLSearchParams;
  headers: Record<string, unknown>;
  body: any;
}

export interface FakeGraphAnswer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Destroy the socket instead of answering (a network error for the client). */
  drop?: boolean;
  /** Answer this much later (real time): a slow Graph, so concurrent clicks overlap. */
  delayMs?: number;
}

/** Extra endpoints (subclasses add theirs): the first route that returns an answer wins. */
export type FakeGraphRoute = (req: FakeGraphRequest) => FakeGraphAnswer | undefined;

/**
 * Entra token endpoint + Microsoft Graph on https://127.0.0.1 (MSAL refuses http authorities).
 * Trust comes from NODE_EXTRA_CA_CERTS=test/fakes/tls/cert.pem, set by `npm test`.
 * Subclasses add Graph endpoints through `routes` (see graph-security.ts).
 */
export class FakeGraph {
  protected readonly routes: FakeGraphRoute[] = [];
  users: FakeGraphUser[] = [];
  /** Role template ids held by a group (role-assignable groups): transitive membership. */
  groupRoles: Record<string, string[]> = {};
  /** When set, Graph calls (not token calls) answer this status. */
  failWith: number | null = null;
  tokenFailWith: number | null = null;
  readonly requests: Array<{ method: string; path: string; query: string; headers: Record<string, unknown>; body: any }> = [];
  tokensIssued = 0;
  private server = https.createServer({
    key: fs.readFileSync(path.join(__dirname, 'tls/key.pem')),
    cert: fs.readFileSync(path.join(__dirname, 'tls/cert.pem')),
  }, (req, res) => this.handle(req, res));
  url = '';

  async start(): Promise<string> {
    if (!process.env.NODE_EXTRA_CA_CERTS) {
      throw new Error('FakeGraph serves https with a test CA: run through `npm test` (it sets NODE_EXTRA_CA_CERTS=test/fakes/tls/cert.pem)');
    }
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `https://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections?.();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  /** Headers on every Graph answer (a subclass sets Date from its clock). */
  protected responseHeaders(): Record<string, string> {
    return {};
  }

  get graphBaseUrl(): string {
    return `${this.url}/v1.0`;
  }

  graphCalls(): number {
    return this.requests.filter((r) => r.path.startsWith('/v1.0/')).length;
  }

  private handle(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const u = new URL(req.url ?? '/', this.url);
      let body: any = raw;
      try {
        body = raw && req.headers['content-type']?.includes('json') ? JSON.parse(raw) : raw;
      } catch {
        /* keep raw */
      }
      this.requests.push({ method: req.method ?? '', path: u.pathname, query: u.search, headers: req.headers, body });
      const json = (status: number, obj: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', ...this.responseHeaders(), ...headers });
        res.end(obj === undefined ? '' : JSON.stringify(obj));
      };

      const oidc = u.pathname.match(/^\/([^/]+)\/v2\.0\/\.well-known\/openid-configuration$/);
      if (oidc) {
        const t = oidc[1];
        return json(200, {
          token_endpoint: `${this.url}/${t}/oauth2/v2.0/token`,
          authorization_endpoint: `${this.url}/${t}/oauth2/v2.0/authorize`,
          issuer: `${this.url}/${t}/v2.0`,
          jwks_uri: `${this.url}/${t}/discovery/v2.0/keys`,
          response_modes_supported: ['query'],
          end_session_endpoint: `${this.url}/${t}/oauth2/v2.0/logout`,
        });
      }
      if (/\/oauth2\/v2\.0\/token$/.test(u.pathname)) {
        if (this.tokenFailWith) return json(this.tokenFailWith, { error: 'invalid_client', error_description: 'fake failure' });
        const form = new URLSearchParams(raw);
        if (form.get('grant_type') !== 'client_credentials' || !form.get('client_secret')) return json(400, { error: 'invalid_request' });
        this.tokensIssued++;
        return json(200, { token_type: 'Bearer', expires_in: 3600, ext_expires_in: 3600, access_token: `fake-token-${this.tokensIssued}` });
      }
      if (!u.pathname.startsWith('/v1.0/')) return json(404, { error: { code: 'NotFound', message: u.pathname } });
      if (!String(req.headers.authorization ?? '').startsWith('Bearer fake-token-')) return json(401, { error: { code: 'InvalidAuthenticationToken', message: 'no token' } });
      if (this.failWith) return json(this.failWith, { error: { code: 'ServiceUnavailable', message: 'fake failure' } });
      for (const route of this.routes) {
        const a = route({ method: req.method ?? '', path: u.pathname, query: u.searchParams, headers: req.headers, body });
        if (!a) continue;
        if (a.drop) return void req.socket.destroy();
        if (a.delayMs) return void setTimeout(() => json(a.status, a.body, a.headers), a.delayMs);
        return json(a.status, a.body, a.headers);
      }

      const check = u.pathname.match(/^\/v1\.0\/users\/([^/]+)\/checkMemberObjects$/);
      if (check && req.method === 'POST') {
        const user = this.users.find((x) => x.id === decodeURIComponent(check[1]));
        if (!user) return json(404, { error: { code: 'Request_ResourceNotFound', message: 'no such user' } });
        const held = new Set([...(user.roles ?? []), ...(user.groups ?? []).flatMap((g) => this.groupRoles[g] ?? []), ...(user.groups ?? [])]);
        return json(200, { value: (body?.ids ?? []).filter((id: string) => held.has(id)) });
      }
      const one = u.pathname.match(/^\/v1\.0\/users\/([^/]+)$/);
      if (one && req.method === 'GET') {
        const user = this.users.find((x) => x.id === decodeURIComponent(one[1]) || x.userPrincipalName === decodeURIComponent(one[1]));
        return user ? json(200, strip(user)) : json(404, { error: { code: 'Request_ResourceNotFound', message: 'no such user' } });
      }
      if (u.pathname === '/v1.0/users' && req.method === 'GET') {
        const filter = u.searchParams.get('$filter') ?? '';
        const clauses = [...filter.matchAll(/(\w+) eq '((?:[^']|'')*)'/g)].map((m) => [m[1], m[2].replace(/''/g, "'")] as const);
        const needsAdvanced = /onPremisesSamAccountName|onPremisesUserPrincipalName/.test(filter);
        if (needsAdvanced && (req.headers.consistencylevel !== 'eventual' || u.searchParams.get('$count') !== 'true')) {
          return json(400, { error: { code: 'Request_UnsupportedQuery', message: 'Unsupported or invalid query filter clause specified for property' } });
        }
        const found = this.users.filter((x) => clauses.some(([k, v]) => String((x as any)[k] ?? '').toLowerCase() === v.toLowerCase()));
        return json(200, { value: found.map(strip) });
      }
      return json(404, { error: { code: 'NotFound', message: u.pathname } });
    });
  }
}

function strip(u: FakeGraphUser) {
  const { roles: _r, groups: _g, ...rest } = u;
  return rest;
}
