import { helpCard } from '../../../cards/help-card';
import { statusCard } from '../../../cards/status-card';
import { enableConfirmCard, disableConfirmCard } from '../../../cards/confirm-card';
import { configCard } from '../../../cards/config-card';
import { can } from '../../directory/roles';
import type { HandlerContext } from '../context';
import { command, type CommandRoute } from '../router';
import { buildStatusData } from '../status-data';
import { HEALTH_CACHE_MS, summarize } from '../../sources/graph/mdi-health';

export async function sendStatus(ctx: HandlerContext): Promise<void> {
  await ctx.send(statusCard(await buildStatusData(ctx.services, ctx.clock)));
}

/** `help` lists only what the caller's roles allow; the full table is the router's own data. */
export function helpCommand(all: () => readonly CommandRoute[]): CommandRoute {
  return {
    name: 'help',
    usage: 'help',
    description: 'the commands you can use',
    capability: null,
    match: command('(?:help|\\?)'),
    async handle(ctx) {
      await ctx.send(helpForCaller(ctx, all()));
    },
  };
}

export function helpForCaller(ctx: HandlerContext, routes: readonly CommandRoute[], intro?: string) {
  const mine = routes.filter((r) => r.capability === null || can(ctx.caller.roles, r.capability));
  return helpCard(mine.map((r) => ({ usage: r.usage, description: r.description })), intro);
}

export const statusCommand: CommandRoute = {
  name: 'status',
  usage: 'status',
  description: 'integration state, last on-premises and cloud data, counts',
  capability: 'read',
  match: command('status'),
  handle: sendStatus,
};

/** `enable` / `disable`: a confirmation card (or, when there is nothing to do, why and the status card). */
function confirmCommand(op: 'enable' | 'disable', description: string): CommandRoute {
  return {
    name: op,
    usage: op,
    description,
    capability: 'integrate',
    match: command(op),
    async handle(ctx) {
      const integration = await ctx.services.integration.get();
      const nothingToDo = op === 'enable' ? integration.state !== 'disabled' : integration.state === 'disabled';
      if (nothingToDo) {
        await ctx.send(`The Azure ATP integration is already **${integration.state}**; nothing to ${op}.`);
        return sendStatus(ctx);
      }
      // Enable's checklist asks Defender for Identity (through Graph) whether it is onboarded with a healthy sensor.
      const mdi = op === 'enable' && ctx.services.mdiHealth ? summarize(await ctx.services.mdiHealth.read({ maxAgeMs: HEALTH_CACHE_MS })) : undefined;
      const data = { integration, onPremSources: ctx.services.onPremSources, retentionDays: ctx.services.config.retentionDays, callerRoles: ctx.caller.roles, defenderIdentity: mdi };
      await ctx.send(op === 'enable' ? enableConfirmCard(data) : disableConfirmCard(data));
    },
  };
}

export const enableCommand = confirmCommand('enable', 'enable the Azure ATP integration (asks to confirm)');
export const disableCommand = confirmCommand('disable', 'disable the Azure ATP integration (asks to confirm)');

export const configCommand: CommandRoute = {
  name: 'config',
  usage: 'config',
  description: 'Azure ATP configuration links (sensors, directory accounts, VPN, health)',
  capability: 'read',
  match: command('config(?:uration)?'),
  async handle(ctx) {
    await ctx.send(configCard(ctx.services.config.atpWorkspaceUrl));
  },
};
