import type { Kysely } from 'kysely';
import type { ResponseAction } from '../../cards/response-section';
import type { Schema } from '../store/schema';
import type { EntraLookup, IdentityBackend, OnPremLookup, ResponseTarget } from './identity-backend';

const lastDone = (db: Kysely<Schema>, userKey: string, actions: ResponseAction[]) =>
  db.selectFrom('identity_actions').select(['action', 'done_at']).where('user_key', '=', userKey).where('status', '=', 'done').where('action', 'in', actions).orderBy('done_at', 'desc').limit(1).executeTakeFirst();

/**
 * Local mode (no Microsoft Graph): the actions are shown and answered from the directory file, and
 * nothing leaves this machine. Entra ID Protection's view follows what was simulated here (confirmed
 * compromised → high; dismissed → none), the on-premises account is the directory file's SID, and every
 * answer says "simulated". Role checks, idempotency, audit and card updates are the real ones.
 */
export class LocalIdentityBackend implements IdentityBackend {
  readonly mode = 'local' as const;

  constructor(private readonly db: Kysely<Schema>) {}

  problem(): string | null {
    return null;
  }

  async entraRisk(t: ResponseTarget): Promise<EntraLookup> {
    if (!t.aadObjectId) return { ok: false, note: 'none (an on-premises-only account has no Entra object id)' };
    const last = await lastDone(this.db, t.userKey, ['confirmCompromised', 'dismissRisk']);
    if (last?.action === 'confirmCompromised') return { ok: true, risk: { riskLevel: 'high', riskState: 'confirmedCompromised', riskDetail: 'adminConfirmedUserCompromised', riskLastUpdatedDateTime: last.done_at } };
    if (last?.action === 'dismissRisk') return { ok: true, risk: { riskLevel: 'none', riskState: 'dismissed', riskDetail: 'adminDismissedAllRiskForUser', riskLastUpdatedDateTime: last.done_at } };
    return { ok: true, risk: { riskLevel: 'none', riskState: 'none', riskDetail: null, riskLastUpdatedDateTime: null } };
  }

  async onPremAccount(t: ResponseTarget): Promise<OnPremLookup> {
    if (!t.sid) return { ok: false, reason: t.sidNote ?? `The directory file has no onPremisesSecurityIdentifier for ${t.onPremAccount ?? t.displayName}, so there is no on-premises account to act on.` };
    const disabled = await lastDone(this.db, t.userKey, ['disableAccount']);
    return { ok: true, account: { id: `local:${t.sid}`, adAccountId: t.sid, displayName: t.onPremAccount, domain: null, isEnabled: !disabled } };
  }

  async run(action: ResponseAction, t: ResponseTarget): Promise<Record<string, unknown>> {
    return { simulated: true, action, aadObjectId: t.aadObjectId, sid: t.sid, note: 'local mode: nothing was sent to Entra ID or Active Directory' };
  }

  async remember(): Promise<void> {}
}
