import type { AppParts, Feature } from '../feature';
import { profileCard } from '../hybrid/commands/hybrid-commands';
import type { ViewDeps } from '../hybrid/views';
import { userView } from '../teams/actions/alert-actions';
import { GraphIdentityBackend } from './graph-backend';
import type { IdentityBackend } from './identity-backend';
import { IdentityResponse } from './identity-response';
import { LocalIdentityBackend } from './local-backend';
import { responseActions, type AnswerCard } from './response-actions';

export interface ResponseFeature extends Feature {
  response: IdentityResponse;
}

/**
 * Identity response from Teams (issue 15): Entra ID Protection's view on the risky-user and `user`
 * cards, and `user.confirmCompromised`, `user.revokeSessions`, `user.disableAccount`,
 * `user.forcePasswordReset` on them — through Microsoft Graph when GRAPH_* is set, simulated from the
 * directory file in local mode. Built after the Graph source (its connector) and the hybrid view (its cards).
 */
export function responseFeature(parts: AppParts, hybrid: { views: ViewDeps }): ResponseFeature {
  const { services, store, clock, log, directory } = parts;
  const rlog = log.child({ concern: 'identity-response' });
  const backend: IdentityBackend = services.graphSecurity ? new GraphIdentityBackend(services.graphSecurity, store.db, clock, rlog) : new LocalIdentityBackend(store.db);
  const response = new IdentityResponse({ db: store.db, directory, backend, clock, events: services.events, log: rlog });
  services.identityResponse = response;

  const answer: AnswerCard = async (ctx, key, view, notice, noticeTone) =>
    view === 'user' ? { card: await profileCard(hybrid.views, ctx, key, { notice, noticeTone }) } : userView(ctx, key, { notice, noticeTone });

  // A tenant that cannot read Entra ID Protection (permission, licence) is said here once, not on every card.
  services.statusExtras.push(async () => ({ entraIdProtection: { mode: backend.mode, problem: backend.problem() } }));

  return {
    name: 'response',
    response,
    actions: responseActions(() => response, answer),
  };
}
