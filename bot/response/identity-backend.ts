import type { EntraRiskView, ResponseAction } from '../../cards/response-section';
import type { IdentityAccount } from '../sources/graph/identity-api';

/** The user an action is about, with every id the actions need (from the hybrid view and the directory). */
export interface ResponseTarget {
  userKey: string;
  displayName: string;
  upn: string | null;
  /** Entra object id; null for an on-premises-only account (the cloud actions are then unavailable). */
  aadObjectId: string | null;
  /** `CONTOSO\jdoe`, for the confirmation text. */
  onPremAccount: string | null;
  /** On-premises SID: how Defender for Identity's identityAccounts are found. */
  sid: string | null;
  /** Why the SID is unknown, when it is (the directory could not be asked…). */
  sidNote: string | null;
}

/** Entra ID Protection's view of a user, or why there is none (said once for the tenant, short on cards). */
export type EntraLookup = { ok: true; risk: EntraRiskView } | { ok: false; note: string };

/** The on-premises account in Defender for Identity, or why the on-premises buttons are unavailable. */
export type OnPremLookup = { ok: true; account: IdentityAccount & { adAccountId: string } } | { ok: false; reason: string };

/**
 * Where identity actions go: Microsoft Graph (Entra ID Protection, Entra ID, Defender for Identity) or,
 * in local mode, a simulation answered from the directory file. `run` throws GraphSecurityError (status,
 * Graph code, a fix naming the missing permission) when Graph refuses; nothing is recorded then.
 */
export interface IdentityBackend {
  readonly mode: 'graph' | 'local';
  /** Cached (minutes); `fresh` reads again (before dismissing risk). Never throws. */
  entraRisk(t: ResponseTarget, o?: { fresh?: boolean }): Promise<EntraLookup>;
  /** Cached (minutes). Never throws. */
  onPremAccount(t: ResponseTarget): Promise<OnPremLookup>;
  /** Do it. Answers what Graph said (status, ids), kept in the audit. */
  run(action: ResponseAction, t: ResponseTarget, account: OnPremLookup | null, signal?: AbortSignal): Promise<Record<string, unknown>>;
  /** After a success: what the caches should say now (Entra processes confirm/dismiss asynchronously). */
  remember(action: ResponseAction, t: ResponseTarget): Promise<void>;
  /** A tenant-wide problem reading Entra ID Protection (missing permission, no Entra ID P2), for `status`; null when none. */
  problem(): string | null;
}
