import type { Kysely } from 'kysely';
import type { SensorHealth } from '../../../cards/status-card';
import type { Trx } from '../../events';
import type { Schema, SensorHealthTable } from '../../store/schema';
import type { SensorHealthIssue } from './normalize';

/** Sensor health issues, one row per issue id; a repeat updates it, the same bytes again change nothing. */
export class SensorHealthStore {
  constructor(private readonly db: Kysely<Schema>) {}

  async recordIn(trx: Trx, h: SensorHealthIssue, now: string): Promise<'new' | 'updated' | 'duplicate'> {
    const existing = (await trx.selectFrom('sensor_health').select(['id', 'last_hash', 'last_seen']).where('id', '=', h.id).executeTakeFirst()) as Pick<SensorHealthTable, 'id' | 'last_hash' | 'last_seen'> | undefined;
    if (!existing) {
      const row: SensorHealthTable = {
        id: h.id,
        sensor: h.sensor,
        title: h.title,
        severity: h.severity,
        message: h.message,
        url: h.url,
        external_id: h.externalId,
        first_seen: h.at,
        last_seen: h.at,
        count: 1,
        last_hash: h.hash,
        created_at: now,
        updated_at: now,
      };
      const ins = await trx.insertInto('sensor_health').values(row).onConflict((oc) => oc.column('id').doNothing()).executeTakeFirst();
      if (Number(ins.numInsertedOrUpdatedRows ?? 1n) === 0) return this.recordIn(trx, h, now);
      return 'new';
    }
    if (existing.last_hash === h.hash) return 'duplicate';
    await trx
      .updateTable('sensor_health')
      .set((eb) => ({
        count: eb('count', '+', 1),
        last_seen: h.at > existing.last_seen ? h.at : existing.last_seen,
        title: h.title,
        severity: h.severity,
        message: h.message,
        sensor: h.sensor,
        last_hash: h.hash,
        updated_at: now,
      }))
      .where('id', '=', h.id)
      .execute();
    return 'updated';
  }

  /** The most recent health issue, for the status card. */
  async latest(): Promise<SensorHealth | null> {
    const r = (await this.db.selectFrom('sensor_health').selectAll().orderBy('last_seen', 'desc').limit(1).executeTakeFirst()) as SensorHealthTable | undefined;
    return r ? { title: r.title, sensor: r.sensor, severity: r.severity, at: r.last_seen } : null;
  }
}
