import { confirmText, type ResponseVerb } from '../../cards/response-section';
import type { HandlerContext, InvokeResult } from '../teams/context';
import type { ActionRoute } from '../teams/router';
import type { IdentityResponse } from './identity-response';

export type CardView = 'user' | 'risky-user';

/** The card a click came from, as the clicker sees it now, with one sentence on top. */
export type AnswerCard = (ctx: HandlerContext, userKey: string, view: CardView, notice: string, tone: 'good' | 'warning' | 'attention') => Promise<InvokeResult>;

const LABEL: Record<ResponseVerb, string> = {
  confirmCompromised: 'Confirming a user compromised in Entra ID Protection',
  revokeSessions: "Revoking a user's sign-in sessions",
  disableAccount: "Disabling a user's on-premises account",
  forcePasswordReset: 'Forcing a password reset on-premises',
};

const validKey = (key: unknown): key is string => typeof key === 'string' && key.length > 0 && key.length <= 600;

/**
 * `user.confirmCompromised`, `user.revokeSessions`, `user.disableAccount`, `user.forcePasswordReset`
 * `{userKey, confirm, view}` (Security Administrator and up; the router re-checks the role at click
 * time and fails closed). A click without `"confirm": true` only gets the confirmation.
 */
export function responseActions(response: () => IdentityResponse, answer: AnswerCard): ActionRoute[] {
  return (Object.keys(LABEL) as ResponseVerb[]).map((verb) => ({
    verb: `user.${verb}`,
    capability: 'respond',
    label: LABEL[verb],
    async handle(ctx: HandlerContext): Promise<InvokeResult> {
      const data = ctx.activity.data ?? {};
      const key = data.userKey;
      if (!validKey(key)) return { message: 'This button did not say which user to act on; nothing was done. Send `risky` for a fresh list.' };
      const view: CardView = data.view === 'user' ? 'user' : 'risky-user';
      const svc = response();
      if (data.confirm !== true) {
        // A button without the confirmation step (e.g. a customised template): ask first, do nothing.
        const t = await svc.target(key);
        if (!t) return { message: 'No such user in the hybrid view (it may have been purged by retention); nothing was done.' };
        return answer(ctx, key, view, `Confirm first (nothing was done yet): ${confirmText(verb, { name: t.displayName, upn: t.upn, onPremAccount: t.onPremAccount }, svc.mode)}`, 'warning');
      }
      const r = await svc.act(verb, key, { id: ctx.caller.id, name: ctx.caller.name });
      if (r.kind === 'unavailable' && r.notice.startsWith('No such user')) return { message: r.notice };
      return answer(ctx, key, view, r.notice, r.ok ? 'good' : 'attention');
    },
  }));
}
