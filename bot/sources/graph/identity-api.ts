import { GraphSecurityError } from '../../errors';
import { PERMISSIONS, type GraphCallOptions, type GraphSecurityClient } from './graph-security-client';

type Call = Omit<GraphCallOptions, 'op' | 'permission' | 'family'>;

/**
 * Entra ID Protection and Defender for Identity's identity actions (issue 15), through the one Graph
 * connector. Entra ID Protection calls go through its paced family (about 1 request a second per tenant).
 */

/** A riskyUser as Entra ID Protection reports it (riskyuser.md); enums kept as Graph spells them. */
export interface RiskyUserState {
  riskLevel: string;
  riskState: string;
  riskDetail: string | null;
  riskLastUpdatedDateTime: string | null;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);

/** Graph's riskyUser body → what cards show; anything unexpected is "none". */
export function normalizeRiskyUser(body: unknown): RiskyUserState {
  const o = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  return { riskLevel: str(o.riskLevel) ?? 'none', riskState: str(o.riskState) ?? 'none', riskDetail: str(o.riskDetail), riskLastUpdatedDateTime: str(o.riskLastUpdatedDateTime) };
}

/**
 * `GET /identityProtection/riskyUsers/{id}`. A 404 means Entra ID Protection never flagged the user:
 * that is "no risk", not an error.
 */
export async function getRiskyUser(c: GraphSecurityClient, userId: string, call: Call = {}): Promise<RiskyUserState> {
  try {
    const r = await c.get(`identityProtection/riskyUsers/${encodeURIComponent(userId)}`, { ...call, op: 'reading the user in Entra ID Protection', permission: PERMISSIONS.readRiskyUsers, family: 'identityProtection' });
    return normalizeRiskyUser(r.body);
  } catch (e) {
    if (e instanceof GraphSecurityError && e.status === 404) return { riskLevel: 'none', riskState: 'none', riskDetail: null, riskLastUpdatedDateTime: null };
    throw e;
  }
}

/** `POST /identityProtection/riskyUsers/confirmCompromised` `{"userIds":[…]}` → 204 (risk becomes high). */
export async function confirmCompromised(c: GraphSecurityClient, userId: string, call: Call = {}): Promise<{ status: number }> {
  const r = await c.request('POST', 'identityProtection/riskyUsers/confirmCompromised', { userIds: [userId] }, { ...call, op: 'confirming the user compromised in Entra ID Protection', permission: PERMISSIONS.writeRiskyUsers, family: 'identityProtection' });
  return { status: r.status };
}

/** `POST /identityProtection/riskyUsers/dismiss` `{"userIds":[…]}` → 204 (risk becomes none). */
export async function dismissRisk(c: GraphSecurityClient, userId: string, call: Call = {}): Promise<{ status: number }> {
  const r = await c.request('POST', 'identityProtection/riskyUsers/dismiss', { userIds: [userId] }, { ...call, op: "dismissing the user's risk in Entra ID Protection", permission: PERMISSIONS.writeRiskyUsers, family: 'identityProtection' });
  return { status: r.status };
}

/** `POST /users/{id}/revokeSignInSessions` (no body). Documented 200 `{"value":true}`, intended 204: any 2xx is success. */
export async function revokeSignInSessions(c: GraphSecurityClient, userId: string, call: Call = {}): Promise<{ status: number; value: unknown }> {
  const r = await c.request<{ value?: unknown } | null>('POST', `users/${encodeURIComponent(userId)}/revokeSignInSessions`, undefined, { ...call, op: "revoking the user's sign-in sessions", permission: PERMISSIONS.revokeSessions });
  return { status: r.status, value: r.body?.value ?? null };
}

/** A Defender for Identity identity account and its Active Directory account (the one invokeAction acts on). */
export interface IdentityAccount {
  id: string;
  displayName: string | null;
  domain: string | null;
  isEnabled: boolean | null;
  /** The `identifier` of its account whose provider is Active Directory; null when it has none. */
  adAccountId: string | null;
}

/** identityAccounts item → IdentityAccount; accounts[] name their provider `provider` (samples) or `identityProvider` (resource page), in any case. */
export function normalizeIdentityAccount(v: unknown): IdentityAccount | null {
  const o = (v && typeof v === 'object' ? v : {}) as Record<string, unknown>;
  const id = str(o.id);
  if (!id) return null;
  const accounts = Array.isArray(o.accounts) ? (o.accounts as Array<Record<string, unknown>>) : [];
  const ad = accounts.find((a) => a && typeof a === 'object' && /^activedirectory$/i.test(String(a.identityProvider ?? a.provider ?? '')));
  return { id, displayName: str(o.displayName), domain: str(o.domain), isEnabled: typeof o.isEnabled === 'boolean' ? o.isEnabled : null, adAccountId: ad ? str(ad.identifier) : null };
}

/** A SID as Windows writes it; anything else never reaches an OData filter. */
export const SID = /^S-1-\d+(-\d+){1,14}$/i;

/** `GET /security/identities/identityAccounts?$filter=onPremisesSecurityIdentifier eq '…'` → the account, or null when Defender for Identity has none. */
export async function findIdentityAccount(c: GraphSecurityClient, sid: string, call: Call = {}): Promise<IdentityAccount | null> {
  if (!SID.test(sid)) return null;
  const filter = encodeURIComponent(`onPremisesSecurityIdentifier eq '${sid}'`);
  const r = await c.get<{ value?: unknown }>(`security/identities/identityAccounts?$filter=${filter}`, { ...call, op: 'finding the on-premises account in Defender for Identity', permission: PERMISSIONS.readIdentityAccounts });
  const list = Array.isArray(r.body?.value) ? r.body.value : [];
  for (const v of list) {
    const a = normalizeIdentityAccount(v);
    if (a) return a;
  }
  return null;
}

export type AdAction = 'disable' | 'forcePasswordReset';

/** `POST /security/identities/identityAccounts/{id}/invokeAction` with provider `activeDirectory` → 200 invokeActionResult (sometimes wrapped in `value`). */
export async function invokeAdAction(c: GraphSecurityClient, account: { id: string; adAccountId: string }, action: AdAction, call: Call = {}): Promise<{ status: number; correlationId: string | null }> {
  const op = action === 'disable' ? 'disabling the on-premises account through Defender for Identity' : 'forcing a password reset through Defender for Identity';
  const r = await c.request<Record<string, unknown> | null>('POST', `security/identities/identityAccounts/${encodeURIComponent(account.id)}/invokeAction`, { accountId: account.adAccountId, action, identityProvider: 'activeDirectory' }, { ...call, op, permission: PERMISSIONS.identityActions });
  const b = (r.body && typeof r.body.value === 'object' && r.body.value ? r.body.value : r.body) as Record<string, unknown> | null;
  return { status: r.status, correlationId: str(b?.correlationId) };
}
