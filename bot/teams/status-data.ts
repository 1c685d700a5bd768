import type { StatusData } from '../../cards/status-card';
import type { Clock } from '../clock';
import { noDataWarning } from '../integration/integration-service';
import type { Services } from '../services';

export async function buildStatusData(services: Services, clock: Clock): Promise<StatusData> {
  const now = clock.now();
  const [integration, counts] = await Promise.all([services.integration.get(), services.ledger.counts()]);
  let data: StatusData = {
    integration,
    now: now.toISOString(),
    retentionDays: services.config.retentionDays,
    noDataWarning: noDataWarning(integration, now),
    counts,
    onPremSources: services.onPremSources,
    cloud: { configured: !!services.config.mcas },
  };
  for (const extra of services.statusExtras) data = { ...data, ...(await extra()) };
  return data;
}
