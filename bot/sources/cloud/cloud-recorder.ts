import type { Clock } from '../../clock';
import type { Trx } from '../../events';
import { toAlertRow, type AlertRow } from '../../hybrid/alert';
import type { Ledger } from '../../hybrid/ledger';
import { ATP_SERVICE_ID, type HybridMerge } from '../../hybrid/merge';
import type { AlertsTable } from '../../store/schema';
import type { CloudAlert } from './normalize-mcas';

export type CloudOutcome = 'new' | 'updated' | 'merged' | 'duplicate';

/**
 * Records one normalized cloud alert (poll or push) in the caller's transaction: a duplicate when its
 * JSON hash is already known, an ATP-through-cloud alert merged into its on-prem twin, else the ledger.
 */
export class CloudRecorder {
  constructor(private readonly ledger: Ledger, private readonly merge: HybridMerge, private readonly clock: Clock) {}

  async recordIn(trx: Trx, c: CloudAlert, path: 'poll' | 'push'): Promise<{ outcome: CloudOutcome; alert: AlertRow }> {
    const a = c.alert;
    const now = this.clock.now().toISOString();
    const known = await trx.selectFrom('mcas_alerts').selectAll().where('cloud_id', '=', a.sourceId).executeTakeFirst();
    const row = known ? ((await trx.selectFrom('alerts').selectAll().where('id', '=', known.alert_id).executeTakeFirst()) as AlertsTable | undefined) : undefined;
    if (known && row) {
      if (known.hash === a.hash) return { outcome: 'duplicate', alert: toAlertRow(row) };
      await trx.updateTable('mcas_alerts').set({ hash: a.hash, received_at: now }).where('cloud_id', '=', a.sourceId).execute();
      if (row.source === 'both') {
        // The row's last_hash is the on-prem message's: refresh only the cloud-side fields.
        await trx.updateTable('alerts').set({ cloud_url: a.url ?? row.cloud_url, threat_score: a.threatScore ?? row.threat_score, updated_at: now }).where('id', '=', row.id).execute();
        return { outcome: 'updated', alert: toAlertRow({ ...row, cloud_url: a.url ?? row.cloud_url, threat_score: a.threatScore ?? row.threat_score, updated_at: now }) };
      }
      const r = await this.ledger.recordIn(trx, a);
      return { outcome: r.outcome === 'new' ? 'new' : r.outcome, alert: r.alert };
    }

    let result: { outcome: CloudOutcome; alert: AlertRow } | null = null;
    if (c.serviceId === ATP_SERVICE_ID) {
      const users = await this.ledger.resolveUsers(a.users);
      const twin = await this.merge.findOnPremCounterpart(trx, { ...a, users });
      const merged = twin ? await this.merge.attachCloud(trx, twin, { ...a, users }) : null;
      if (merged) result = { outcome: 'merged', alert: merged };
    }
    if (!result) {
      const r = await this.ledger.recordIn(trx, a);
      result = { outcome: r.outcome, alert: r.alert };
    }
    const values = { cloud_id: a.sourceId, alert_id: result.alert.id, hash: a.hash, service_id: c.serviceId, raised_at: a.start, received_at: now, path };
    await trx
      .insertInto('mcas_alerts')
      .values(values)
      .onConflict((oc) => oc.column('cloud_id').doUpdateSet({ alert_id: values.alert_id, hash: values.hash, service_id: values.service_id, received_at: now }))
      .execute();
    return result;
  }
}
