import type { Kysely } from 'kysely';
import type { EntraRiskView, ResponseAction } from '../../cards/response-section';
import type { Clock } from '../clock';
import { GraphSecurityError, toUserMessage } from '../errors';
import type { Logger } from '../log';
import type { GraphSecurityClient } from '../sources/graph/graph-security-client';
import { confirmCompromised, dismissRisk, findIdentityAccount, getRiskyUser, invokeAdAction, revokeSignInSessions } from '../sources/graph/identity-api';
import type { Schema } from '../store/schema';
import type { EntraLookup, IdentityBackend, OnPremLookup, ResponseTarget } from './identity-backend';

/** Entra ID Protection's view is read at most this often per user (its API allows ~1 request a second per tenant). */
export const ENTRA_CACHE_MS = 5 * 60_000;
/** Defender for Identity accounts: found ones change rarely; "not found" and errors are asked again sooner. */
export const ACCOUNT_CACHE_MS = 10 * 60_000;
const ACCOUNT_MISS_CACHE_MS = 2 * 60_000;
/** A tenant-wide "cannot read Entra ID Protection" is tried again after this. */
export const PROBLEM_RECHECK_MS = 15 * 60_000;
/** A card read waits little: a card is never held up by Graph (it shows the last known view instead). */
const CARD_READ = { maxAttempts: 1, maxWaitMs: 1_500 };
const CARD_READ_TIMEOUT_MS = 2_500;
/** A card action answers within Teams' 5 s: one retry at most, no long waits. */
const ACTION_CALL = { maxAttempts: 2, maxWaitMs: 3_000 };

const NOT_AVAILABLE = 'not available to Hybridwatch (send `status` for why and the fix)';

/**
 * Identity actions through Microsoft Graph (services.graphSecurity): Entra ID Protection (read,
 * confirmCompromised, dismiss — its own 1 request/s pace in the connector), revokeSignInSessions, and
 * Defender for Identity's identityAccounts / invokeAction for the on-premises account. Reads are cached
 * in `kv` so every instance and every card render shares them.
 */
export class GraphIdentityBackend implements IdentityBackend {
  readonly mode = 'graph' as const;
  private tenantProblem: { at: number; text: string } | null = null;
  /** One read per user at a time: cards rendered together (one per conversation) share it. */
  private readonly reading = new Map<string, Promise<EntraLookup>>();

  constructor(private readonly client: GraphSecurityClient, private readonly db: Kysely<Schema>, private readonly clock: Clock, private readonly log: Logger) {}

  problem(): string | null {
    return this.tenantProblem?.text ?? null;
  }

  async entraRisk(t: ResponseTarget, o: { fresh?: boolean } = {}): Promise<EntraLookup> {
    if (!t.aadObjectId) return { ok: false, note: 'none (an on-premises-only account has no Entra object id)' };
    const now = this.clock.now().getTime();
    if (this.tenantProblem && now - this.tenantProblem.at < PROBLEM_RECHECK_MS) return { ok: false, note: NOT_AVAILABLE };
    const key = `response.entra:${t.aadObjectId.toLowerCase()}`;
    const cached = await this.cacheGet<EntraRiskView>(key);
    if (cached && !o.fresh && now - cached.atMs < ENTRA_CACHE_MS) return { ok: true, risk: cached.value };
    const inFlight = this.reading.get(key);
    if (inFlight) return inFlight;
    const read = this.read(t.aadObjectId, key, cached).finally(() => this.reading.delete(key));
    this.reading.set(key, read);
    return read;
  }

  private async read(aadObjectId: string, key: string, cached: { value: EntraRiskView; atMs: number } | null): Promise<EntraLookup> {
    try {
      const risk = await getRiskyUser(this.client, aadObjectId, { ...CARD_READ, signal: AbortSignal.timeout(CARD_READ_TIMEOUT_MS) });
      await this.cachePut(key, risk);
      if (this.tenantProblem) this.log.info('Entra ID Protection is readable again');
      this.tenantProblem = null;
      return { ok: true, risk };
    } catch (e) {
      if (e instanceof GraphSecurityError && (e.problem === 'forbidden' || e.problem === 'unauthorized')) {
        this.setProblem(e);
        return { ok: false, note: NOT_AVAILABLE };
      }
      // Slow or down: the last known view rather than nothing.
      if (cached) return { ok: true, risk: cached.value };
      return { ok: false, note: 'could not be read just now; the card shows it when Microsoft Graph answers' };
    }
  }

  /** Said once (per change), not per card: the log line here, and `status`. */
  private setProblem(e: GraphSecurityError): void {
    const unlicensed = /licen[cs]|premium|\bP2\b/i.test(e.message);
    const text = unlicensed
      ? 'Entra ID Protection is not available in this tenant (it needs Microsoft Entra ID P2), so cards show Hybridwatch\'s score alone — license Entra ID P2 to see its risk level beside ours.'
      : toUserMessage(e);
    if (this.tenantProblem?.text !== text) this.log.warn({ status: e.status, code: e.graphCode }, `Entra ID Protection cannot be read: ${text}`);
    this.tenantProblem = { at: this.clock.now().getTime(), text };
  }

  async onPremAccount(t: ResponseTarget): Promise<OnPremLookup> {
    const who = t.onPremAccount ?? t.displayName;
    if (!t.sid) return { ok: false, reason: t.sidNote ?? `No on-premises SID is known for ${who}, so Defender for Identity cannot find the account.` };
    const key = `response.mdi:${t.sid.toUpperCase()}`;
    const now = this.clock.now().getTime();
    const cached = await this.cacheGet<OnPremLookup>(key);
    if (cached && now - cached.atMs < (cached.value.ok ? ACCOUNT_CACHE_MS : ACCOUNT_MISS_CACHE_MS)) return cached.value;
    let lookup: OnPremLookup;
    try {
      const a = await findIdentityAccount(this.client, t.sid, { ...CARD_READ, signal: AbortSignal.timeout(CARD_READ_TIMEOUT_MS) });
      if (!a) lookup = { ok: false, reason: `Defender for Identity has no account with the on-premises SID of ${who} (${t.sid}).` };
      else if (!a.adAccountId) lookup = { ok: false, reason: `Defender for Identity knows ${who} but not as an Active Directory account, so there is nothing on-premises to act on.` };
      else lookup = { ok: true, account: { ...a, adAccountId: a.adAccountId } };
    } catch (e) {
      const err = e as GraphSecurityError;
      if (err.problem === 'notOnboarded') lookup = { ok: false, reason: `This tenant is not onboarded to Defender for Identity, so Hybridwatch cannot act on on-premises accounts — ${err.fix}.` };
      else lookup = { ok: false, reason: `Defender for Identity could not be asked about ${who}: ${toUserMessage(e)}` };
      if (err.problem !== 'notOnboarded' && err.problem !== 'forbidden') return lookup; // transient: not cached
    }
    await this.cachePut(key, lookup);
    return lookup;
  }

  async run(action: ResponseAction, t: ResponseTarget, account: OnPremLookup | null, signal?: AbortSignal): Promise<Record<string, unknown>> {
    const call = { ...ACTION_CALL, signal };
    switch (action) {
      case 'confirmCompromised':
        return confirmCompromised(this.client, this.aad(t), call);
      case 'dismissRisk':
        return dismissRisk(this.client, this.aad(t), call);
      case 'revokeSessions':
        return revokeSignInSessions(this.client, this.aad(t), call);
      case 'disableAccount':
      case 'forcePasswordReset': {
        if (!account?.ok) throw new GraphSecurityError('Defender for Identity has no on-premises account to act on', account?.reason ?? 'Open the card again', 404, 'notFound');
        try {
          const r = await invokeAdAction(this.client, account.account, action === 'disableAccount' ? 'disable' : 'forcePasswordReset', call);
          return { ...r, identityAccountId: account.account.id };
        } catch (e) {
          // The account moved or was deleted: look it up again next time.
          if (e instanceof GraphSecurityError && e.status === 404 && t.sid) await this.db.deleteFrom('kv').where('key', '=', `response.mdi:${t.sid.toUpperCase()}`).execute();
          throw e;
        }
      }
    }
  }

  async remember(action: ResponseAction, t: ResponseTarget): Promise<void> {
    const at = this.clock.now().toISOString();
    // Entra ID Protection applies confirm / dismiss asynchronously (isProcessing): the card shows what was asked.
    if (action === 'confirmCompromised' && t.aadObjectId) await this.cachePut(`response.entra:${t.aadObjectId.toLowerCase()}`, { riskLevel: 'high', riskState: 'confirmedCompromised', riskDetail: 'adminConfirmedUserCompromised', riskLastUpdatedDateTime: at });
    if (action === 'dismissRisk' && t.aadObjectId) await this.cachePut(`response.entra:${t.aadObjectId.toLowerCase()}`, { riskLevel: 'none', riskState: 'dismissed', riskDetail: 'adminDismissedAllRiskForUser', riskLastUpdatedDateTime: at });
    if (action === 'disableAccount' && t.sid) {
      const key = `response.mdi:${t.sid.toUpperCase()}`;
      const c = await this.cacheGet<OnPremLookup>(key);
      if (c?.value.ok) await this.cachePut(key, { ok: true, account: { ...c.value.account, isEnabled: false } });
    }
  }

  private aad(t: ResponseTarget): string {
    if (!t.aadObjectId) throw new GraphSecurityError(`${t.displayName} has no Entra object id (an on-premises-only account)`, 'Act on the on-premises account instead', 404, 'notFound');
    return t.aadObjectId;
  }

  private async cacheGet<T>(key: string): Promise<{ value: T; atMs: number } | null> {
    const r = await this.db.selectFrom('kv').select('value').where('key', '=', key).executeTakeFirst();
    if (!r) return null;
    try {
      return JSON.parse(r.value) as { value: T; atMs: number };
    } catch {
      return null;
    }
  }

  private async cachePut(key: string, value: unknown): Promise<void> {
    const now = this.clock.now();
    const v = JSON.stringify({ value, atMs: now.getTime() });
    const at = now.toISOString();
    await this.db.insertInto('kv').values({ key, value: v, updated_at: at }).onConflict((oc) => oc.column('key').doUpdateSet({ value: v, updated_at: at })).execute();
  }
}
