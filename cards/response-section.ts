import { plain, when } from './card';

/**
 * Identity response on the risky-user and `user` cards (issue 15): Entra ID Protection's view beside
 * Hybridwatch's score, what was done to the user and by whom, and the response buttons, each behind a
 * confirmation (Action.ShowCard holding the Action.Execute) that says exactly what will happen and to whom.
 */

export type ResponseVerb = 'confirmCompromised' | 'revokeSessions' | 'disableAccount' | 'forcePasswordReset';
export type ResponseAction = ResponseVerb | 'dismissRisk';
export const RESPONSE_VERBS: ResponseVerb[] = ['confirmCompromised', 'revokeSessions', 'disableAccount', 'forcePasswordReset'];

export interface EntraRiskView {
  riskLevel: string;
  riskState: string;
  riskDetail: string | null;
  riskLastUpdatedDateTime: string | null;
}

export interface ResponseInput {
  /** graph: Microsoft Graph is configured; local: simulated from the directory file. */
  mode: 'graph' | 'local';
  /** The user acted on, as the confirmation names them. */
  target: { name: string; upn: string | null; onPremAccount: string | null };
  /** Entra ID Protection's view of the user, or null with `entraNote` saying why there is none. */
  entra: EntraRiskView | null;
  entraNote: string | null;
  /** What was done (latest of each action) and what is in flight, oldest first. */
  history: Array<{ action: ResponseAction; status: 'done' | 'pending'; byName: string; at: string }>;
  /** The buttons: empty when the viewer gets the read-only card. */
  actions: Array<{ verb: ResponseVerb; available: boolean; reason: string | null; done: boolean }>;
}

/** What the templates bind (`entra`, `responseLines`, `respond`). */
export interface ResponseModel {
  entra: { show: boolean; text: string; color: string };
  responseLines: string[];
  respond: Array<{ verb: string; title: string; text: string; confirmTitle: string; available: boolean; reason: string }>;
}

/** The answer's sentence on top of the card: good news, a question, or "not done". */
export type NoticeTone = 'good' | 'warning' | 'attention';
export const noticeColor = (t: NoticeTone | undefined): string => ({ good: 'Good', warning: 'Warning', attention: 'Attention' })[t ?? 'good'];

export const EMPTY_RESPONSE: ResponseModel = { entra: { show: false, text: '', color: 'Default' }, responseLines: [], respond: [] };

/** `adminConfirmedUserCompromised` → "admin confirmed user compromised". */
const words = (v: string) => plain(v.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase(), 60);

const LEVEL: Record<string, string> = { high: 'High risk', medium: 'Medium risk', low: 'Low risk', none: 'No risk', hidden: 'Risk hidden' };
const LEVEL_COLOR: Record<string, string> = { high: 'Attention', medium: 'Warning', low: 'Default', none: 'Good' };

/** "High risk · confirmed compromised (admin confirmed user compromised) · updated 2026-03-02 14:02 UTC". */
export function entraText(r: EntraRiskView): string {
  let t = `${LEVEL[r.riskLevel] ?? `Risk ${words(r.riskLevel)}`} · ${words(r.riskState)}`;
  if (r.riskDetail && r.riskDetail !== 'none') t += ` (${words(r.riskDetail)})`;
  if (r.riskLastUpdatedDateTime) t += ` · updated ${when(r.riskLastUpdatedDateTime)}`;
  return t;
}

const SIMULATED = ' (simulated in local mode)';

/** Past tense for the history: "Sessions revoked by Megan Bowen at 2026-03-02 14:02 UTC". */
const DONE: Record<ResponseAction, string> = {
  confirmCompromised: 'Confirmed compromised in Entra ID Protection',
  revokeSessions: 'Sessions revoked',
  disableAccount: 'On-premises account disabled',
  forcePasswordReset: 'Password reset forced on-premises',
  dismissRisk: 'Risk dismissed in Entra ID Protection',
};
const PENDING: Record<ResponseAction, string> = {
  confirmCompromised: 'Confirming compromised in Entra ID Protection',
  revokeSessions: 'Revoking sessions',
  disableAccount: 'Disabling the on-premises account',
  forcePasswordReset: 'Forcing a password reset on-premises',
  dismissRisk: 'Dismissing the risk in Entra ID Protection',
};

export function historyLine(h: ResponseInput['history'][number], mode: ResponseInput['mode']): string {
  const by = plain(h.byName, 80) || 'someone';
  const line = h.status === 'done' ? `${DONE[h.action]} by ${by} at ${when(h.at)}` : `${PENDING[h.action]}… (asked by ${by} at ${when(h.at)})`;
  return mode === 'local' ? line + SIMULATED : line;
}

const TITLE: Record<ResponseVerb, string> = {
  confirmCompromised: 'Confirm compromised',
  revokeSessions: 'Revoke sessions',
  disableAccount: 'Disable on-premises account',
  forcePasswordReset: 'Force password reset',
};

/** Exactly what the button does, to whom: the confirmation's text. */
export function confirmText(verb: ResponseVerb, t: ResponseInput['target'], mode: ResponseInput['mode']): string {
  const name = plain(t.name, 120);
  const cloud = t.upn ? `${name} (${plain(t.upn, 120)})` : name;
  const onprem = t.onPremAccount ? `${plain(t.onPremAccount, 120)} (${name})` : name;
  const text: Record<ResponseVerb, string> = {
    confirmCompromised: `Confirm ${cloud} as compromised in Entra ID Protection: their user risk becomes high, so risk-based Conditional Access policies block their sign-ins or make them change their password.`,
    revokeSessions: `Revoke every sign-in session of ${cloud} in Entra ID: refresh tokens and browser session cookies stop working and they must sign in again to every app (this can take a few minutes).`,
    disableAccount: `Disable ${onprem} in Active Directory through Defender for Identity: the account can no longer sign in on-premises until someone enables it again.`,
    forcePasswordReset: `Make ${onprem} change their Active Directory password at the next sign-in, through Defender for Identity.`,
  };
  const who = ' Needs Security Administrator or Global Administrator; your role is checked when you confirm.';
  return text[verb] + who + (mode === 'local' ? ' Local mode: simulated, nothing is sent to Entra ID or Active Directory.' : '');
}

export function responseModel(r: ResponseInput | null | undefined): ResponseModel {
  if (!r) return EMPTY_RESPONSE;
  const entra = r.entra
    ? { show: true, text: entraText(r.entra) + (r.mode === 'local' ? SIMULATED : ''), color: LEVEL_COLOR[r.entra.riskLevel] ?? 'Default' }
    : r.entraNote
      ? { show: true, text: plain(r.entraNote, 300), color: 'Default' }
      : EMPTY_RESPONSE.entra;
  return {
    entra,
    responseLines: r.history.slice(-8).map((h) => historyLine(h, r.mode)),
    respond: r.actions.map((a) => ({
      verb: `user.${a.verb}`,
      title: `${TITLE[a.verb]}…`,
      text: a.available ? confirmText(a.verb, r.target, r.mode) : `Not available: ${plain(a.reason ?? 'unknown reason', 300)}`,
      confirmTitle: `Confirm: ${TITLE[a.verb].toLowerCase()}${a.done ? ' again' : ''}`,
      available: a.available,
      reason: a.available ? '' : plain(a.reason ?? '', 300),
    })),
  };
}
