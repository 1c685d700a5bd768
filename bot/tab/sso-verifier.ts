import { createRemoteJWKSet, errors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import type { Clock } from '../clock';

/** Who the Teams SSO token says the caller is. The user is keyed on oid + tid, never on display data. */
export interface SsoIdentity {
  oid: string;
  tid: string;
  name?: string;
  upn?: string;
}

export class SsoError extends Error {
  constructor(readonly status: 401 | 403, message: string) {
    super(message);
    this.name = 'SsoError';
  }
}

export interface SsoVerifierOptions {
  appId: string;
  /** BOT_DOMAIN: the tab's Application ID URI is api://<domain>/<appId>. */
  botDomain?: string;
  allowedTenantIds: readonly string[];
  /** https://login.microsoftonline.com (tests: a local https fake). */
  authorityHost: string;
  clock: Clock;
  /** Overrides the remote key set (tests may pass a local JWKS). */
  keys?: JWTVerifyGetKey;
}

export const REQUIRED_SCOPE = 'access_as_user';

/** Entra's signing keys for every tenant (v2 discovery); the issuer is then pinned to the token's own tid. */
export function entraJwksUrl(authorityHost: string): URL {
  return new URL(`${authorityHost.replace(/\/+$/, '')}/common/discovery/v2.0/keys`);
}

/**
 * Verifies a Teams tab SSO token (authentication.getAuthToken()): RS256 signature against Entra's keys,
 * expiry, audience (the app id or api://<domain>/<appId>), issuer for the token's tenant, tenant on
 * ALLOWED_TENANT_IDS, and the `access_as_user` scope. getContext() is never proof of identity.
 */
export function createSsoVerifier(o: SsoVerifierOptions): (token: string) => Promise<SsoIdentity> {
  // jose 5 fetches the key set with node:https (AZURE_AUTHORITY_HOST lets tests point it at a local fake).
  const keys = o.keys ?? createRemoteJWKSet(entraJwksUrl(o.authorityHost), { timeoutDuration: 5000, cooldownDuration: 30_000 });
  const audience = [o.appId, ...(o.botDomain ? [`api://${o.botDomain}/${o.appId}`] : [])];
  const authority = o.authorityHost.replace(/\/+$/, '');
  const allowed = o.allowedTenantIds.map((t) => t.toLowerCase());

  return async function verify(token: string): Promise<SsoIdentity> {
    if (!o.appId) throw new SsoError(401, 'Teams SSO is not configured (MicrosoftAppId is unset).');
    let payload;
    try {
      ({ payload } = await jwtVerify(token, keys, { audience, algorithms: ['RS256'], currentDate: o.clock.now(), clockTolerance: 60, requiredClaims: ['exp', 'iat', 'tid', 'oid'] }));
    } catch (e) {
      const why = e instanceof errors.JWTExpired ? 'the token expired' : e instanceof errors.JWTClaimValidationFailed ? `claim "${e.claim}" is not valid (${e.reason})` : 'the token could not be verified';
      throw new SsoError(401, `Teams sign-in failed: ${why}.`);
    }
    const tid = typeof payload.tid === 'string' ? payload.tid.toLowerCase() : '';
    const oid = typeof payload.oid === 'string' ? payload.oid.toLowerCase() : '';
    if (!tid || !oid) throw new SsoError(401, 'Teams sign-in failed: the token has no tenant or object id.');
    const issuers = [`${authority}/${tid}/v2.0`, `https://sts.windows.net/${tid}/`];
    if (typeof payload.iss !== 'string' || !issuers.includes(payload.iss.toLowerCase())) throw new SsoError(401, 'Teams sign-in failed: the token was not issued for its own tenant.');
    if (!allowed.includes(tid)) throw new SsoError(403, 'Your organization (tenant) is not allowed to use this Hybridwatch instance (ALLOWED_TENANT_IDS).');
    const scopes = typeof payload.scp === 'string' ? payload.scp.split(' ') : [];
    if (!scopes.includes(REQUIRED_SCOPE)) throw new SsoError(403, `The token lacks the ${REQUIRED_SCOPE} scope: grant the app's ${REQUIRED_SCOPE} permission (Expose an API) and consent to it.`);
    return {
      oid,
      tid,
      name: typeof payload.name === 'string' ? payload.name : undefined,
      upn: typeof payload.preferred_username === 'string' ? payload.preferred_username : undefined,
    };
  };
}
