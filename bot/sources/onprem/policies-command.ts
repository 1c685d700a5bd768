import { policiesCard, type PoliciesData } from '../../../cards/policies-card';
import type { Kysely } from 'kysely';
import type { Schema } from '../../store/schema';
import { command, type CommandRoute } from '../../teams/router';
import { ATP_DETECTIONS, detectionFor } from './atp-catalog';

/** What the `policies` card shows: the catalog with per-type counts, unknown types seen, cloud policies seen. */
export async function policiesData(db: Kysely<Schema>, cloudConfigured: boolean): Promise<PoliciesData> {
  const onprem = await db
    .selectFrom('alerts')
    .select((eb) => ['type', eb.fn.max('type_name').as('name'), eb.fn.countAll<number>().as('seen')])
    .where('onprem_id', 'is not', null)
    .groupBy('type')
    .execute();
  const seen = new Map(onprem.map((r) => [String(r.type), Number(r.seen)]));
  const cloud = await db
    .selectFrom('alerts')
    .select((eb) => ['policy', eb.fn.countAll<number>().as('seen')])
    .where('cloud_id', 'is not', null)
    .where('policy', 'is not', null)
    .groupBy('policy')
    .orderBy('seen', 'desc')
    .execute();
  return {
    detections: ATP_DETECTIONS.map((x) => ({ ...x, seen: seen.get(x.externalId) ?? 0 })),
    otherSeen: onprem.filter((r) => !detectionFor(String(r.type))).map((r) => ({ type: String(r.type), name: String(r.name ?? ''), seen: Number(r.seen) })),
    cloudConfigured,
    cloudPolicies: cloud.map((r) => ({ policy: String(r.policy), seen: Number(r.seen) })),
  };
}

export const policiesCommand: CommandRoute = {
  name: 'policies',
  usage: 'policies',
  description: 'Azure ATP detections (external id, name, severity) and cloud policies seen',
  capability: 'read',
  match: command('(?:policies|policy|detections)'),
  async handle(ctx) {
    await ctx.send(policiesCard(await policiesData(ctx.store.db, !!ctx.services.config.mcas)));
  },
};
