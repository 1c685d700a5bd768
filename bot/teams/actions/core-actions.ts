import { statusCard } from '../../../cards/status-card';
import type { Actor } from '../../events';
import type { HandlerContext, InvokeResult } from '../context';
import type { ActionRoute } from '../router';
import { buildStatusData } from '../status-data';
import { alertView, userView } from './alert-actions';
import { healthView } from '../../sources/graph/health-command';

async function statusResult(ctx: HandlerContext): Promise<InvokeResult> {
  return { card: statusCard(await buildStatusData(ctx.services, ctx.clock)) };
}

const actor = (ctx: HandlerContext): Actor => ({ id: ctx.caller.id, name: ctx.caller.name });

/**
 * Confirm on the enable / disable card. The router checked the clicking user's role again at click
 * time; the transition is a compare-and-set, so a second click or a Teams retry changes nothing twice.
 */
function transitionAction(op: 'enable' | 'disable', label: string): ActionRoute {
  return {
    verb: `integration.${op}`,
    capability: 'integrate',
    label,
    async handle(ctx) {
      const t = await ctx.services.integration[op](actor(ctx));
      ctx.log.info({ changed: t.changed, from: t.from, to: t.state.state, by: ctx.caller.id }, `integration.${op}`);
      return statusResult(ctx);
    },
  };
}

export const enableAction = transitionAction('enable', 'Enabling the Azure ATP integration');
export const disableAction = transitionAction('disable', 'Disabling the Azure ATP integration');

/** `refresh` (manual or automatic): the current status card. Other views register their own verbs. */
export const refreshAction: ActionRoute = {
  verb: 'refresh',
  capability: 'read',
  label: 'Refreshing this card',
  // data.view picks the card to refresh (alert / risky-user cards from notify); the status card by default.
  async handle(ctx) {
    const view = ctx.activity.data?.view;
    if (view === 'alert') return alertView(ctx, ctx.activity.data?.alertId);
    if (view === 'user') return userView(ctx, ctx.activity.data?.userKey);
    if (view === 'health') return { card: await healthView(ctx) };
    return statusResult(ctx);
  },
};
