import type { FakeGraphAnswer, FakeGraphRequest, FakeGraphUser } from './graph';

/**
 * Issue 15's Graph endpoints for FakeGraphSecurity (same https fake, same scripts and call log):
 * Entra ID Protection (riskyUsers get, confirmCompromised, dismiss — at most one request a second, a
 * faster caller gets 429 without Retry-After, as documented), `POST /users/{id}/revokeSignInSessions`,
 * and Defender for Identity's identityAccounts list (filtered by SID) and invokeAction. Bodies follow the
 * documented examples (riskyuser-get.md, user-revokesigninsessions.md,
 * security-identitycontainer-list-identityaccounts.md, security-identityaccounts-invokeaction.md).
 */

const V = '/v1.0';

/** A riskyUser as riskyuser-get.md shows it. */
export function makeRiskyUser(over: Record<string, any> = {}): any {
  return {
    id: 'c2b6c2b9-dddc-acd0-2b39-d519d803dbc3',
    isDeleted: false,
    isProcessing: false,
    riskLastUpdatedDateTime: '2026-03-02T09:21:00.0000000Z',
    riskLevel: 'medium',
    riskState: 'atRisk',
    riskDetail: 'none',
    userDisplayName: 'Alex Wilber',
    userPrincipalName: 'alexw@contoso.com',
    ...over,
  };
}

/** An identityAccounts item as the documented list example shows it (accounts[] name their `provider`). */
export function makeIdentityAccount(over: Record<string, any> = {}): any {
  return {
    id: '00104216-0539-4838-88b1-55baafdc296b',
    displayName: 'accoundJon',
    domain: 'domain1.test.local',
    onPremisesSecurityIdentifier: 'S-1-5-21-989687458-3461180213-172365591-281652',
    cloudSecurityIdentifier: 'S-1-12-4-2492432728-1225839317-3974870967-847981844',
    isEnabled: true,
    accounts: [
      { provider: 'ActiveDirectory', identifier: '256db173-930a-4991-9061-0d51a9a93ba5', actions: [] },
      { provider: 'EntraID', identifier: '69dfa3ea-1295-4e2c-b469-59564581143d', actions: [] },
    ],
    ...over,
  };
}

export type IdentityArea = 'riskyUsers' | 'riskyUserWrites' | 'revokeSessions' | 'identityAccounts' | 'identityActions';

/** Which paths are issue 15's (and so go through FakeGraphSecurity's script, permissions and call log). */
export function identityArea(path: string, method: string): IdentityArea | null {
  if (path.startsWith(`${V}/identityProtection/riskyUsers`)) return method === 'GET' ? 'riskyUsers' : 'riskyUserWrites';
  if (/^\/v1\.0\/users\/[^/]+\/revokeSignInSessions$/.test(path)) return 'revokeSessions';
  if (path === `${V}/security/identities/identityAccounts`) return 'identityAccounts';
  if (/^\/v1\.0\/security\/identities\/identityAccounts\/[^/]+\/invokeAction$/.test(path)) return 'identityActions';
  return null;
}

export const IDENTITY_PERMISSIONS: Record<IdentityArea, string> = {
  riskyUsers: 'IdentityRiskyUser.Read.All',
  riskyUserWrites: 'IdentityRiskyUser.ReadWrite.All',
  revokeSessions: 'User.RevokeSessions.All',
  identityAccounts: 'SecurityIdentitiesAccount.Read.All',
  identityActions: 'SecurityIdentitiesActions.ReadWrite.All',
};

const ACTIONS = ['disable', 'enable', 'forcePasswordReset', 'revokeAllSessions', 'requireUserToSignInAgain', 'markUserAsCompromised'];
const PROVIDERS = ['entraID', 'activeDirectory', 'okta'];
const bad = (message: string): FakeGraphAnswer => ({ status: 400, body: { error: { code: 'BadRequest', message } } });

export class FakeIdentityEndpoints {
  /** riskyUsers by user id (a user never flagged is absent: GET answers 404). */
  readonly riskyUsers = new Map<string, any>();
  identityAccounts: any[] = [];
  /** Tenant without Entra ID P2: Entra ID Protection answers 403 (message shape undocumented; assumed). */
  unlicensed = false;
  /** Answers of writes this much later (real ms), so concurrent clicks overlap in flight. */
  writeDelayMs = 0;
  /** Documented: ~1 request a second per tenant; a faster caller gets 429 without Retry-After. */
  identityProtectionIntervalMs = 1_000;
  readonly confirmed: string[] = [];
  readonly dismissed: string[] = [];
  readonly revoked: string[] = [];
  readonly invoked: Array<{ identityAccountId: string; body: any }> = [];
  /** 429s sent because a caller went faster than one request a second. */
  paceViolations = 0;
  private lastIdentityProtectionAt = -Infinity;
  private correlation = 0;

  constructor(private readonly now: () => number, private readonly users: () => FakeGraphUser[]) {}

  handle(area: IdentityArea, r: FakeGraphRequest): FakeGraphAnswer {
    if (area === 'riskyUsers' || area === 'riskyUserWrites') {
      const t = this.now();
      const tooSoon = t - this.lastIdentityProtectionAt < this.identityProtectionIntervalMs;
      this.lastIdentityProtectionAt = t;
      if (tooSoon) {
        this.paceViolations++;
        return { status: 429, body: { error: { code: 'TooManyRequests', message: 'Too many requests.' } } };
      }
      if (this.unlicensed) return { status: 403, body: { error: { code: 'Forbidden', message: 'Your tenant is not licensed for this feature (Microsoft Entra ID P2 is required for Identity Protection).' } } };
    }
    const delayed = (a: FakeGraphAnswer): FakeGraphAnswer => (this.writeDelayMs ? { ...a, delayMs: this.writeDelayMs } : a);
    switch (area) {
      case 'riskyUsers': {
        const m = r.path.match(/^\/v1\.0\/identityProtection\/riskyUsers\/([^/]+)$/);
        if (!m) return { status: 404, body: { error: { code: 'UnknownError', message: `No HTTP resource was found that matches the request URI '${r.path}'` } } };
        const u = this.riskyUsers.get(decodeURIComponent(m[1]));
        return u ? { status: 200, body: { '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#identityProtection/riskyUsers/$entity', ...u } } : { status: 404, body: { error: { code: 'NotFound', message: 'Resource not found' } } };
      }
      case 'riskyUserWrites': {
        const op = r.path.slice(`${V}/identityProtection/riskyUsers/`.length);
        if (r.method !== 'POST' || !['confirmCompromised', 'dismiss'].includes(op)) return { status: 405, body: { error: { code: 'BadRequest', message: 'Method not allowed' } } };
        const ids = r.body?.userIds;
        if (!Array.isArray(ids) || !ids.length || !ids.every((x: unknown) => typeof x === 'string')) return bad('userIds must be a non-empty list of user ids');
        for (const id of ids) if (!this.users().some((u) => u.id === id)) return { status: 404, body: { error: { code: 'NotFound', message: `User ${id} not found` } } };
        for (const id of ids) {
          const user = this.users().find((u) => u.id === id)!;
          const at = new Date(this.now()).toISOString();
          const state = op === 'confirmCompromised' ? { riskLevel: 'high', riskState: 'confirmedCompromised', riskDetail: 'adminConfirmedUserCompromised' } : { riskLevel: 'none', riskState: 'dismissed', riskDetail: 'adminDismissedAllRiskForUser' };
          this.riskyUsers.set(id, makeRiskyUser({ id, userDisplayName: user.displayName, userPrincipalName: user.userPrincipalName, riskLastUpdatedDateTime: at, ...state }));
          (op === 'confirmCompromised' ? this.confirmed : this.dismissed).push(id);
        }
        return delayed({ status: 204 });
      }
      case 'revokeSessions': {
        if (r.method !== 'POST') return { status: 405, body: { error: { code: 'BadRequest', message: 'Method not allowed' } } };
        const id = decodeURIComponent(r.path.split('/')[3]);
        const user = this.users().find((u) => u.id === id || u.userPrincipalName === id);
        if (!user) return { status: 404, body: { error: { code: 'Request_ResourceNotFound', message: `Resource '${id}' does not exist or one of its queried reference-property objects are not present.` } } };
        this.revoked.push(user.id);
        return delayed({ status: 200, body: { '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#Edm.Boolean', value: true } });
      }
      case 'identityAccounts': {
        if (r.method !== 'GET') return { status: 405, body: { error: { code: 'BadRequest', message: 'Method not allowed' } } };
        const f = (r.query.get('$filter') ?? '').trim();
        const m = /^onPremisesSecurityIdentifier eq '([^']+)'$/.exec(f);
        if (f && !m) return bad(`Invalid filter clause: ${f}`);
        const value = m ? this.identityAccounts.filter((a) => String(a.onPremisesSecurityIdentifier).toUpperCase() === m[1].toUpperCase()) : this.identityAccounts;
        return { status: 200, body: { '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#security/identities/identityAccounts', value } };
      }
      case 'identityActions': {
        const id = decodeURIComponent(r.path.split('/')[5]);
        const a = this.identityAccounts.find((x) => x.id === id);
        if (!a) return { status: 404, body: { error: { code: 'NotFound', message: `identityAccounts ${id} not found` } } };
        const b = r.body;
        if (!b || typeof b !== 'object' || typeof b.accountId !== 'string') return bad('accountId is required');
        if (!ACTIONS.includes(b.action)) return bad(`Invalid action '${b.action}'`);
        if (!PROVIDERS.includes(b.identityProvider)) return bad(`Invalid identityProvider '${b.identityProvider}'`);
        const acct = (a.accounts ?? []).find((x: any) => x.identifier === b.accountId && String(x.provider ?? x.identityProvider).toLowerCase() === b.identityProvider.toLowerCase());
        if (!acct) return bad(`No ${b.identityProvider} account ${b.accountId} on this identity`);
        if (b.identityProvider === 'activeDirectory' && !['disable', 'enable', 'forcePasswordReset'].includes(b.action)) return bad(`${b.action} is not supported for activeDirectory`);
        this.invoked.push({ identityAccountId: id, body: b });
        if (b.action === 'disable') a.isEnabled = false;
        if (b.action === 'enable') a.isEnabled = true;
        const correlationId = `ed2f052b-2a01-4cd9-acb3-${String(++this.correlation).padStart(12, '0')}`;
        return delayed({ status: 200, body: { value: { accountId: b.accountId, action: b.action, provider: b.identityProvider, correlationId } } });
      }
    }
  }
}
