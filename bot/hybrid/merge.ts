import type { Clock } from '../clock';
import type { EventHooks, Trx } from '../events';
import type { AlertsTable } from '../store/schema';
import { SEVERITY_RANK, toAlertRow, type AlertRow, type AlertUser, type NormalizedAlert } from './alert';
import type { MergeHook, MergeOne } from './ledger';
import { spans } from './merge-spans';

const CANDIDATE_LIMIT = 200;

/**
 * Azure ATP alerts reach Hybridwatch twice: over CEF (on-prem) and through Cloud App Security
 * (service 20940, "Active Directory"). The same type, a shared user and a start within 10 minutes make
 * them ONE hybrid alert (source 'both', both links), in whichever order they arrive — the documented
 * duplicate-SIEM problem never reaches the SOC channel.
 */
export const MERGE_WINDOW_MS = 10 * 60_000;
/** Cloud App Security's service id of Azure ATP alerts seen through the cloud. */
export const ATP_SERVICE_ID = '20940';

const norm = (s: string | null | undefined) => (s ?? '').toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim();

/** Same detection: the cloud shows the ATP alert name as title (or policy); CEF carries it as type_name/title. */
export function sameAlertType(cloud: { title: string; typeName: string }, onprem: { type: string; type_name: string; title: string }): boolean {
  const c = [cloud.title, cloud.typeName].map(norm).filter(Boolean);
  const o = [onprem.type_name, onprem.title, onprem.type].map(norm).filter(Boolean);
  return c.some((x) => o.some((y) => x === y || (Math.min(x.length, y.length) >= 12 && (x.includes(y) || y.includes(x)))));
}

const local = (upn: string) => upn.toLowerCase().split('@')[0];

/** A user in common: object id, UPN, key — or, for an on-prem account the directory did not resolve, sam = UPN local part. */
export function shareUser(cloud: AlertUser[], onprem: AlertUser[]): boolean {
  return cloud.some((c) =>
    onprem.some((o) => {
      if (c.aadObjectId && o.aadObjectId) return c.aadObjectId.toLowerCase() === o.aadObjectId.toLowerCase();
      if (c.upn && o.upn && c.upn.toLowerCase() === o.upn.toLowerCase()) return true;
      if (c.key === o.key) return true;
      const sam = (o.sam ?? o.raw.split('\\').pop() ?? '').toLowerCase();
      return !o.aadObjectId && !!c.upn && !!sam && local(c.upn) === sam;
    }),
  );
}

export function mergeUsers(a: AlertUser[], b: AlertUser[]): AlertUser[] {
  const out = [...a];
  for (const u of b) if (!out.some((x) => x.key === u.key || (x.aadObjectId && x.aadObjectId === u.aadObjectId))) out.push(u);
  return out;
}

const ms = (iso: string) => Date.parse(iso);
const isoMinus = (iso: string, d: number) => new Date(ms(iso) - d).toISOString();

export class HybridMerge {
  constructor(private readonly events: EventHooks, private readonly clock: Clock) {}

  /** Candidate rows of the other side within the window (±1 min slack for text comparison), closest first. */
  private async candidates(trx: Trx, a: NormalizedAlert, side: 'onprem' | 'cloud', windowMs = MERGE_WINDOW_MS): Promise<AlertsTable[]> {
    const from = isoMinus(a.start, windowMs + 60_000);
    const to = isoMinus(a.start, -(windowMs + 60_000));
    let q = trx.selectFrom('alerts').selectAll('alerts').where('alerts.source', '=', side);
    if (side === 'cloud') {
      // Driven by mcas_alerts (service, raised_at) index: runs for every new on-prem alert.
      q = q
        .innerJoin('mcas_alerts', 'mcas_alerts.alert_id', 'alerts.id')
        .where('mcas_alerts.service_id', '=', ATP_SERVICE_ID)
        .where('mcas_alerts.raised_at', '>=', from)
        .where('mcas_alerts.raised_at', '<=', to)
        .where('alerts.onprem_id', 'is', null);
    } else {
      q = q.where('alerts.first_seen', '>=', from).where('alerts.first_seen', '<=', to).where('alerts.cloud_id', 'is', null);
    }
    const rows = (await q.limit(CANDIDATE_LIMIT).execute()) as AlertsTable[];
    const t = ms(a.start);
    return rows.filter((r) => Math.abs(ms(r.first_seen) - t) <= windowMs).sort((x, y) => Math.abs(ms(x.first_seen) - t) - Math.abs(ms(y.first_seen) - t));
  }

  /**
   * The cloud side's ATP rows (service 20940, no on-prem twin yet) raised within [from, to]; null when
   * there are more than `limit` (then the caller asks per alert).
   */
  private async cloudRowsBetween(trx: Trx, from: string, to: string, limit: number): Promise<AlertsTable[] | null> {
    const rows = (await trx
      .selectFrom('alerts')
      .selectAll('alerts')
      .innerJoin('mcas_alerts', 'mcas_alerts.alert_id', 'alerts.id')
      .where('alerts.source', '=', 'cloud')
      .where('mcas_alerts.service_id', '=', ATP_SERVICE_ID)
      .where('mcas_alerts.raised_at', '>=', from)
      .where('mcas_alerts.raised_at', '<=', to)
      .where('alerts.onprem_id', 'is', null)
      .limit(limit + 1)
      .execute()) as AlertsTable[];
    return rows.length > limit ? null : rows;
  }

  /** The first cloud row of `rows` (closest start first) that is `a`'s twin. */
  private static twinIn(rows: AlertsTable[], a: NormalizedAlert): AlertsTable | undefined {
    const t = ms(a.start);
    return rows
      .filter((r) => Math.abs(ms(r.first_seen) - t) <= MERGE_WINDOW_MS)
      .sort((x, y) => Math.abs(ms(x.first_seen) - t) - Math.abs(ms(y.first_seen) - t))
      .find((r) => sameAlertType({ title: r.title, typeName: r.type_name }, { type: a.type, type_name: a.typeName, title: a.title }) && shareUser(JSON.parse(r.users) as AlertUser[], a.users));
  }

  /** One new on-prem alert, its candidates asked for it alone. */
  private async mergeOnPrem(trx: Trx, a: NormalizedAlert): Promise<{ outcome: 'updated'; alert: AlertRow } | null> {
    const row = HybridMerge.twinIn(await this.candidates(trx, a, 'cloud'), a);
    const alert = row ? await this.attachOnPrem(trx, row, a) : null;
    return alert ? { outcome: 'updated', alert } : null;
  }

  /**
   * A batch of new alerts: the cloud candidates of each span of their starts in one query (a spray or a
   * replay is one or a few spans), then each alert matched in memory with the rules of mergeOnPrem. A
   * row joined meanwhile (by this batch or another writer) makes its attach fail: that alert is then
   * asked for alone, as before, so the result is the per-alert one.
   */
  private async prepareBatch(trx: Trx, alerts: NormalizedAlert[]): Promise<MergeOne> {
    const onprem = alerts.filter((a) => a.source === 'onprem');
    const rowsOf = new Map<NormalizedAlert, AlertsTable[] | null>();
    for (const span of spans(onprem, MERGE_WINDOW_MS + 60_000)) {
      const rows = await this.cloudRowsBetween(trx, span.from, span.to, 5 * CANDIDATE_LIMIT);
      for (const a of span.alerts) rowsOf.set(a, rows);
    }
    const joined = new Set<string>();
    return async (a) => {
      if (a.source !== 'onprem') return null;
      const rows = rowsOf.get(a);
      if (!rows) return this.mergeOnPrem(trx, a);
      const row = HybridMerge.twinIn(rows.filter((r) => !joined.has(r.id)), a);
      if (!row) return null;
      const alert = await this.attachOnPrem(trx, row, a);
      if (!alert) return this.mergeOnPrem(trx, a);
      joined.add(row.id);
      return { outcome: 'updated', alert };
    };
  }

  /** Cloud first seen of an on-prem alert already in the ledger: the row it should join, if any. */
  async findOnPremCounterpart(trx: Trx, a: NormalizedAlert): Promise<AlertsTable | null> {
    const rows = await this.candidates(trx, a, 'onprem');
    return rows.find((r) => sameAlertType(a, r) && shareUser(a.users, JSON.parse(r.users) as AlertUser[])) ?? null;
  }

  /** Cloud view joins the on-prem row: both links, source 'both'; the on-prem fields stay. */
  async attachCloud(trx: Trx, row: AlertsTable, a: NormalizedAlert): Promise<AlertRow | null> {
    const now = this.clock.now().toISOString();
    const previous = toAlertRow(row);
    const res = await trx
      .updateTable('alerts')
      .set({
        source: 'both',
        cloud_id: a.sourceId,
        cloud_url: a.url ?? null,
        app: row.app ?? a.app ?? null,
        policy: row.policy ?? a.policy ?? null,
        threat_score: a.threatScore ?? row.threat_score,
        users: JSON.stringify(mergeUsers(previous.users, a.users)),
        updated_at: now,
      })
      .where('id', '=', row.id)
      .where('cloud_id', 'is', null)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) === 0) return null;
    return this.emitUpdated(trx, row.id, previous, now);
  }

  /** On-prem view joins a cloud row (cloud seen first): the ATP type, link and hash become the row's. */
  private async attachOnPrem(trx: Trx, row: AlertsTable, a: NormalizedAlert): Promise<AlertRow | null> {
    const now = this.clock.now().toISOString();
    const previous = toAlertRow(row);
    const res = await trx
      .updateTable('alerts')
      .set({
        source: 'both',
        onprem_id: a.sourceId,
        url: a.url ?? null,
        type: a.type,
        type_name: a.typeName,
        description: row.description || a.description,
        severity: SEVERITY_RANK[a.severity] > SEVERITY_RANK[row.severity] ? a.severity : row.severity,
        users: JSON.stringify(mergeUsers(a.users, previous.users)),
        hosts: JSON.stringify([...new Set([...previous.hosts, ...a.hosts])]),
        first_seen: a.start < row.first_seen ? a.start : row.first_seen,
        last_seen: a.seenAt > row.last_seen ? a.seenAt : row.last_seen,
        cnt: a.cnt ?? row.cnt,
        // From now on last_hash is the on-prem message's (CEF duplicates); the cloud hash lives in mcas_alerts.
        last_hash: a.hash,
        updated_at: now,
      })
      .where('id', '=', row.id)
      .where('onprem_id', 'is', null)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) === 0) return null;
    return this.emitUpdated(trx, row.id, previous, now);
  }

  private async emitUpdated(trx: Trx, id: string, previous: AlertRow, now: string): Promise<AlertRow> {
    const alert = toAlertRow((await trx.selectFrom('alerts').selectAll().where('id', '=', id).executeTakeFirstOrThrow()) as AlertsTable);
    await this.events.emit(trx, { type: 'alert.updated', alert, previous, at: now });
    return alert;
  }

  /** For Ledger.mergeNew: a new on-prem alert whose cloud twin (service 20940) is already in the ledger. */
  readonly hook: MergeHook = Object.assign(async (trx: Trx, a: NormalizedAlert) => (a.source === 'onprem' ? this.mergeOnPrem(trx, a) : null), {
    forBatch: (trx: Trx, alerts: NormalizedAlert[]) => this.prepareBatch(trx, alerts),
  });
}
