import type { Kysely } from 'kysely';
import type { IntegrationService } from '../../integration/integration-service';
import type { Logger } from '../../log';
import type { Metrics } from '../../metrics';
import type { Schema } from '../../store/schema';
import { emptyResult, type IngestResult } from '../ingest-route';
import type { CloudRecorder } from './cloud-recorder';
import { normalizeMcasAlert, type CloudAlert } from './normalize-mcas';
import { withTransientRetry } from '../../store/transient';

export interface McasIngestDeps {
  db: Kysely<Schema>;
  recorder: CloudRecorder;
  integration: IntegrationService;
  metrics: Metrics;
  log: Logger;
}

/**
 * POST /api/ingest/mcas body: one alert object, an array of them, or the list envelope `{data:[...]}`.
 * `rejected[].line` is the item's 1-based position in the array (1 for a single object); a bad item is
 * reported and skipped, the rest are recorded in one transaction.
 */
export async function ingestMcas(body: string, d: McasIngestDeps): Promise<IngestResult> {
  const result = emptyResult();
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (e) {
    d.metrics.mcasAlerts.inc({ path: 'push', outcome: 'rejected' });
    result.rejected.push({ line: 1, reason: `body is not JSON (${(e as Error).message.slice(0, 120)})` });
    return result;
  }
  let items: unknown[];
  if (Array.isArray(parsed)) items = parsed;
  else if (parsed && typeof parsed === 'object' && Array.isArray((parsed as { data?: unknown }).data)) items = (parsed as { data: unknown[] }).data;
  else if (parsed && typeof parsed === 'object') items = [parsed];
  else {
    result.rejected.push({ line: 1, reason: 'expected an alert object, an array of alerts or {"data":[...]}' });
    return result;
  }
  const valid: CloudAlert[] = [];
  items.forEach((raw, i) => {
    const n = normalizeMcasAlert(raw);
    if (n.ok) valid.push(n.value);
    else {
      d.metrics.mcasAlerts.inc({ path: 'push', outcome: 'rejected' });
      result.rejected.push({ line: i + 1, reason: n.reason });
    }
  });
  if (valid.length === 0) return result;
  await withTransientRetry(() => d.db.transaction().execute(async (trx) => {
    let accepted = 0;
    let duplicates = 0;
    for (const c of valid) {
      const r = await d.recorder.recordIn(trx, c, 'push');
      d.metrics.mcasAlerts.inc({ path: 'push', outcome: r.outcome });
      if (r.outcome === 'duplicate') duplicates++;
      else accepted++;
    }
    await d.integration.onCloudData(trx);
    // Counted only once the transaction is certain to commit with them.
    result.accepted = accepted;
    result.duplicates = duplicates;
  }));
  return result;
}
