import type { Kysely } from 'kysely';
import { RESPONSE_VERBS, type ResponseAction, type ResponseInput } from '../../cards/response-section';
import { when } from '../../cards/card';
import type { Clock } from '../clock';
import type { Directory, DirectoryUser } from '../directory/directory';
import { GraphSecurityError, toUserMessage } from '../errors';
import type { Actor, EventHooks } from '../events';
import { onPremAccount } from '../hybrid/views';
import { audit } from '../integration/audit';
import type { Logger } from '../log';
import { realSleep } from '../sources/cloud/sleep';
import { SID } from '../sources/graph/identity-api';
import type { Schema } from '../store/schema';
import { claim, finish, historyOf, latest, REPEAT_AFTER_MS, type ActionRow } from './action-claims';
import type { IdentityBackend, OnPremLookup, ResponseTarget } from './identity-backend';

export interface IdentityResponseDeps {
  db: Kysely<Schema>;
  directory: Directory;
  backend: IdentityBackend;
  clock: Clock;
  events: EventHooks;
  log: Logger;
}

/** What a click ends in, with the one sentence the clicker reads. */
export interface ActOutcome {
  kind: 'done' | 'already' | 'pending' | 'failed' | 'unavailable';
  notice: string;
  ok: boolean;
}

/** Another instance's Graph call is waited for this long (real time) before answering "in progress". */
const WAIT_FOR_OTHER_MS = 3_000;
const POLL_MS = 100;
/** A card action answers within Teams' 5 s. */
const ACTION_TIMEOUT_MS = 4_000;

const PHRASE: Record<ResponseAction, string> = {
  confirmCompromised: 'confirm compromised',
  revokeSessions: 'revoke sessions',
  disableAccount: 'disable the on-premises account',
  forcePasswordReset: 'force a password reset',
  dismissRisk: 'dismiss the risk in Entra ID Protection',
};
const SIMULATED = ' Simulated in local mode: nothing was sent to Entra ID or Active Directory.';

/** Entra ID Protection counts the user as at risk. */
export const riskyInEntra = (r: { riskLevel: string; riskState: string }) => ['atRisk', 'confirmedCompromised'].includes(r.riskState) || ['low', 'medium', 'high'].includes(r.riskLevel);

/**
 * Identity response (issue 15): confirm compromised, revoke sessions, disable the on-premises account,
 * force a password reset, and dismiss risk in Entra ID Protection — claimed once per round (unique key),
 * done through the backend (Graph, or simulated in local mode), audited with Graph's answer, and every
 * posted risky-user card updated (user.changed). The role was checked by the router at click time.
 */
export class IdentityResponse {
  constructor(private readonly d: IdentityResponseDeps) {}

  get mode(): 'graph' | 'local' {
    return this.d.backend.mode;
  }

  problem(): string | null {
    return this.d.backend.problem();
  }

  /** Every id the actions need, from the hybrid view and the directory; null when the user is unknown. */
  async target(userKey: string): Promise<ResponseTarget | null> {
    const { db, directory } = this.d;
    const row = await db.selectFrom('user_scores').selectAll().where('user_key', '=', userKey).executeTakeFirst();
    const aad = row?.aad_object_id ?? (userKey.startsWith('aad:') ? userKey.slice(4) : null);
    let du: DirectoryUser | null = null;
    let sidNote: string | null = null;
    if (aad) {
      try {
        du = await directory.getUser(aad);
      } catch (e) {
        sidNote = `The directory could not be asked for the on-premises SID (${(e as Error).message}); try again in a few minutes.`;
      }
    }
    if (!row && !du) return null;
    const account = onPremAccount(row?.sam ?? du?.onPremisesSamAccountName, row?.domain ?? du?.onPremisesDomainName);
    const sid = du?.onPremisesSecurityIdentifier ?? (await this.sidFromAlerts(userKey));
    return {
      userKey,
      displayName: row?.display_name ?? du?.displayName ?? row?.upn ?? du?.userPrincipalName ?? account ?? userKey,
      upn: row?.upn ?? du?.userPrincipalName ?? null,
      aadObjectId: aad,
      onPremAccount: account,
      sid: sid && SID.test(sid) ? sid : null,
      sidNote,
    };
  }

  /** An on-premises-only account: the SID an alert carried for it (CEF, userEvidence). */
  private async sidFromAlerts(userKey: string): Promise<string | null> {
    const rows = await this.d.db.selectFrom('alert_users as au').innerJoin('alerts as a', 'a.id', 'au.alert_id').select('a.users').where('au.user_key', '=', userKey).orderBy('a.last_seen', 'desc').limit(20).execute();
    for (const r of rows) {
      try {
        const u = (JSON.parse(r.users) as Array<{ key?: string; sid?: string }>).find((x) => x.key === userKey && x.sid);
        if (u?.sid) return u.sid;
      } catch {
        /* a damaged row is skipped */
      }
    }
    return null;
  }

  /**
   * The card section: Entra ID Protection's view, what was done, and — when `buttons` (the viewer gets the
   * interactive card) — the four buttons, each available or saying why not.
   */
  async view(userKey: string, buttons: boolean): Promise<ResponseInput | null> {
    const t = await this.target(userKey);
    if (!t) return null;
    const nowMs = this.d.clock.now().getTime();
    const [entra, history] = await Promise.all([this.d.backend.entraRisk(t), historyOf(this.d.db, userKey, nowMs)]);
    const onPrem = buttons ? await this.d.backend.onPremAccount(t) : null;
    const cloudReason = t.aadObjectId ? null : `${t.displayName} has no Entra object id (an on-premises-only account), so Entra ID cannot act on them.`;
    const done = new Set(history.filter((h) => h.status === 'done').map((h) => h.action));
    return {
      mode: this.mode,
      target: { name: t.displayName, upn: t.upn, onPremAccount: t.onPremAccount },
      entra: entra.ok ? entra.risk : null,
      entraNote: entra.ok ? null : entra.note,
      history: history.map((h) => ({ action: h.action, status: h.status === 'done' ? 'done' : 'pending', byName: h.by_name, at: h.done_at ?? h.requested_at })),
      actions: buttons
        ? RESPONSE_VERBS.map((verb) => {
            const cloud = verb === 'confirmCompromised' || verb === 'revokeSessions';
            const reason = cloud ? cloudReason : onPrem && !onPrem.ok ? onPrem.reason : null;
            return { verb, available: reason === null, reason, done: done.has(verb) };
          })
        : [],
    };
  }

  /** Run one action for the clicker: claim the round, call the backend, record, audit, update the cards. */
  async act(action: ResponseAction, userKey: string, actor: Actor): Promise<ActOutcome> {
    const { db, backend, clock, log } = this.d;
    const t = await this.target(userKey);
    if (!t) return { kind: 'unavailable', ok: false, notice: 'No such user in the hybrid view (it may have been purged by retention); nothing was done.' };
    const who = t.displayName;
    let account: OnPremLookup | null = null;
    let reason: string | null = null;
    if (action === 'disableAccount' || action === 'forcePasswordReset') {
      account = await backend.onPremAccount(t);
      if (!account.ok) reason = account.reason;
    } else if (!t.aadObjectId) reason = `${who} has no Entra object id (an on-premises-only account), so Entra ID cannot act on them.`;
    const now = clock.now();
    if (reason) {
      await audit(db, { actor, action: `user.${action}`, outcome: 'error', detail: { userKey, mode: this.mode, reason }, at: now });
      return { kind: 'unavailable', ok: false, notice: `Not done: ${reason}` };
    }
    const ids = { aadObjectId: t.aadObjectId, upn: t.upn, sid: t.sid, identityAccountId: account?.ok ? account.account.id : null };
    const c = await claim(db, { userKey, action, actor, mode: this.mode, target: ids, nowMs: now.getTime(), at: now.toISOString() });
    if (c.kind !== 'mine') return this.answerExisting(c.row, action, userKey, actor);

    let answer: Record<string, unknown>;
    try {
      answer = await backend.run(action, t, account, AbortSignal.timeout(ACTION_TIMEOUT_MS));
    } catch (e) {
      const err = e as GraphSecurityError;
      const graph = { status: err.status ?? null, code: err.graphCode ?? null, problem: err.problem ?? null, message: String(err.message ?? e).slice(0, 300) };
      log.warn({ err: graph, user: userKey, action }, `user.${action}: not done`);
      await db.transaction().execute(async (trx) => {
        await finish(trx, c.row, 'failed', { error: graph }, clock.now().toISOString());
        await audit(trx, { actor, action: `user.${action}`, outcome: 'error', detail: { userKey, mode: this.mode, target: ids, graph }, at: clock.now() });
      });
      return { kind: 'failed', ok: false, notice: `Not done: ${toUserMessage(e)}` };
    }
    const at = clock.now().toISOString();
    await db.transaction().execute(async (trx) => {
      await finish(trx, c.row, 'done', answer, at);
      await audit(trx, { actor, action: `user.${action}`, outcome: 'ok', detail: { userKey, mode: this.mode, target: ids, graph: answer }, at: clock.now() });
      await this.d.events.emit(trx, { type: 'user.changed', userKey, action: `user.${action}`, actor, at });
    });
    await backend.remember(action, t).catch((e) => log.warn({ err: { message: (e as Error).message } }, 'identity response: cache update failed'));
    log.info({ user: userKey, action, by: actor.id, mode: this.mode }, `user.${action}: done`);
    return { kind: 'done', ok: true, notice: doneNotice(action, t, answer) + (this.mode === 'local' ? SIMULATED : '') };
  }

  /** A second click, a Teams retry, or a click on another instance: answer what the claimed round says. */
  private async answerExisting(row: ActionRow, action: ResponseAction, userKey: string, actor: Actor): Promise<ActOutcome> {
    let current = row;
    // Another click is calling Graph right now: wait briefly (real time; it is another request, maybe another process) for its answer.
    for (let waited = 0; current.status === 'pending' && waited < WAIT_FOR_OTHER_MS; waited += POLL_MS) {
      await realSleep(POLL_MS);
      current = (await latest(this.d.db, userKey, action)) ?? current;
      if (current.round !== row.round) break;
    }
    const at = when(current.done_at ?? current.requested_at);
    await audit(this.d.db, { actor, action: `user.${action}`, outcome: 'noop', detail: { userKey, mode: current.mode, existing: { round: current.round, status: current.status, by: current.by_name, at: current.done_at ?? current.requested_at } }, at: this.d.clock.now() });
    if (current.status === 'done') {
      const mins = Math.round(REPEAT_AFTER_MS / 60_000);
      return { kind: 'already', ok: true, notice: `Already done: ${current.by_name} asked to ${PHRASE[action]} at ${at}, and it is done; nothing was sent again (from ${mins} minutes after that, the button does it again).` };
    }
    if (current.status === 'failed') return { kind: 'failed', ok: false, notice: `${current.by_name}'s request to ${PHRASE[action]} at ${at} was not done (Microsoft Graph refused it); nothing was sent for this click. Try again.` };
    return { kind: 'pending', ok: true, notice: `${current.by_name} asked to ${PHRASE[action]} at ${at} and Hybridwatch is waiting for Microsoft Graph; nothing was sent again. The card updates when it answers.` };
  }

  /**
   * `user.dismiss` also dismisses the user's risk in Entra ID Protection when Entra counts them at risk.
   * Answers the sentence to add to the dismiss answer, or null when Entra had nothing to dismiss.
   */
  async dismissInEntra(userKey: string, actor: Actor, mayRespond: boolean): Promise<string | null> {
    const t = await this.target(userKey);
    if (!t?.aadObjectId) return null;
    const look = await this.d.backend.entraRisk(t, { fresh: true });
    if (!look.ok) return `Entra ID Protection's risk was left as is: it is ${look.note}.`;
    if (!riskyInEntra(look.risk)) return null;
    if (!mayRespond) return `${t.displayName} is still at risk in Entra ID Protection: dismissing it there needs the Security Administrator or Global Administrator role.`;
    const r = await this.act('dismissRisk', userKey, actor);
    return r.kind === 'done' ? `Their risk in Entra ID Protection is dismissed too.${this.mode === 'local' ? SIMULATED : ''}` : r.notice;
  }
}

function doneNotice(action: ResponseAction, t: ResponseTarget, answer: Record<string, unknown>): string {
  const onprem = t.onPremAccount ?? t.displayName;
  const corr = typeof answer.correlationId === 'string' ? ` (Defender for Identity correlation id ${answer.correlationId})` : ' (Defender for Identity)';
  switch (action) {
    case 'confirmCompromised':
      return `${t.displayName} is confirmed compromised in Entra ID Protection: their user risk is now high.`;
    case 'revokeSessions':
      return `${t.displayName}'s sign-in sessions are revoked in Entra ID; it can take a few minutes to reach every app.`;
    case 'disableAccount':
      return `${onprem} is disabled in Active Directory${corr}.`;
    case 'forcePasswordReset':
      return `${onprem} must change their password at the next sign-in${corr}.`;
    case 'dismissRisk':
      return `${t.displayName}'s risk in Entra ID Protection is dismissed.`;
  }
}
