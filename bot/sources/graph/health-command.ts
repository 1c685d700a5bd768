import { healthCard } from '../../../cards/health-card';
import type { CardMessage } from '../../../cards/card';
import type { HandlerContext } from '../../teams/context';
import { command, type CommandRoute } from '../../teams/router';
import { HEALTH_CACHE_MS, MdiHealth } from './mdi-health';

/** The `health` card, read live (cached ≤ 30 s). Without GRAPH_* the card says so and how to connect it. */
export async function healthView(ctx: HandlerContext): Promise<CardMessage> {
  const health = ctx.services.mdiHealth ?? new MdiHealth(null, ctx.clock);
  return healthCard(await health.read({ maxAgeMs: HEALTH_CACHE_MS }), ctx.services.linkHosts);
}

export const healthCommand: CommandRoute = {
  name: 'health',
  usage: 'health',
  description: 'Defender for Identity sensors and open health issues (Microsoft Graph)',
  capability: 'read',
  match: command('(?:health|sensors)'),
  async handle(ctx) {
    await ctx.send(await healthView(ctx));
  },
};
