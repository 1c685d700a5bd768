import type { Clock } from '../../clock';
import type { Actor, EventHooks, Trx } from '../../events';
import { SEVERITY_RANK, toAlertRow, type AlertRow, type AlertUser, type NormalizedAlert } from '../../hybrid/alert';
import type { MergeHook, MergeOne } from '../../hybrid/ledger';
import { graphTwinsOf } from './graph-merge-batch';
import { ATP_SERVICE_ID, MERGE_WINDOW_MS, mergeUsers, sameAlertType, shareUser } from '../../hybrid/merge';
import { domainMatches } from '../../directory/file-directory';
import type { AlertsTable } from '../../store/schema';
import { MDI } from './normalize-graph';

/** Who changes an alert when the change comes from the Defender portal (or a feed joins a Graph alert). */
export const XDR_ACTOR: Actor = { id: 'defender-xdr', name: 'Defender XDR' };

const CANDIDATE_LIMIT = 200;
const lower = (s: string) => s.toLowerCase();
const uniq = (xs: Array<string | null | undefined>) => [...new Set(xs.filter((x): x is string => !!x))];
const ms = (iso: string) => Date.parse(iso);
const around = (iso: string, d: number) => [new Date(ms(iso) - d).toISOString(), new Date(ms(iso) + d).toISOString()] as const;

/** The last path part of a portal link (security.microsoft.com/alerts/<id>), the form CEF's cs1 URL carries too. */
export function idFromLink(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const last = new URL(url).pathname.split('/').filter(Boolean).pop();
    return last && /^[A-Za-z0-9_.-]{1,200}$/.test(last) ? last.toLowerCase() : null;
  } catch {
    return null;
  }
}

/** shareUser, plus on-prem accounts neither side resolved: CONTOSO\jdoe is contoso.local\jdoe. */
export function sameUsers(a: AlertUser[], b: AlertUser[]): boolean {
  if (shareUser(a, b) || shareUser(b, a)) return true;
  return a.some((x) => b.some((y) => !!x.sam && !!y.sam && lower(x.sam) === lower(y.sam) && (!x.domain || !y.domain || domainMatches(x.domain, y.domain) || domainMatches(y.domain, x.domain))));
}

const byDistance = (t: number) => (x: AlertsTable, y: AlertsTable) => Math.abs(ms(x.first_seen) - t) - Math.abs(ms(y.first_seen) - t);

/**
 * One alert however many feeds: the same detection seen through Graph and through CEF, or through Graph
 * and the Cloud App Security API, is one ledger row. Provider ids decide when they match (Graph's
 * providerAlertId or id = the CEF alert id / Cloud App Security `_id`); otherwise the type + user + time
 * heuristic of the existing merge (same detection name, a shared user, starts within 10 minutes).
 * Joining a row updates its card in place (alert.changed), never as a re-trigger.
 */
export class GraphMerge {
  constructor(private readonly events: EventHooks, private readonly clock: Clock) {}

  /** Ledger.mergeNew: Graph alerts look for their other-feed twin, other feeds for their Graph twin, then `next`. */
  chain(next: MergeHook): MergeHook {
    const one = async (trx: Trx, a: NormalizedAlert) => {
      if (a.graph) {
        const row = await this.twinOfGraph(trx, a);
        const alert = row ? await this.attachGraph(trx, row, a) : null;
        return alert ? { outcome: 'updated' as const, alert } : null;
      }
      const row = await this.graphTwinOf(trx, a);
      const alert = row ? await this.attachFeed(trx, row, a) : null;
      return alert ? { outcome: 'updated' as const, alert } : await next(trx, a);
    };
    // A batch: Graph twins of the feeds' alerts read at once (graphTwinsOf), then `next` for the batch. A
    // row joined meanwhile makes the attach fail: that alert is then asked for alone, as per alert.
    const forBatch = async (trx: Trx, alerts: NormalizedAlert[]): Promise<MergeOne> => {
      const joined = new Set<string>();
      const twinOf = await graphTwinsOf(trx, alerts, joined);
      const feeds = alerts.filter((a) => !a.graph);
      const nextOne: MergeOne = next.forBatch && feeds.length ? await next.forBatch(trx, feeds) : (a) => next(trx, a);
      return async (a) => {
        const row = twinOf(a);
        if (row === undefined) return a.graph ? one(trx, a) : (await this.feedAlone(trx, a)) ?? nextOne(a);
        const alert = row ? await this.attachFeed(trx, row, a) : null;
        if (row && !alert) return (await this.feedAlone(trx, a)) ?? nextOne(a);
        if (!alert) return nextOne(a);
        joined.add(row!.id);
        return { outcome: 'updated', alert };
      };
    };
    return Object.assign(one, { forBatch });
  }

  /** A feed's alert joining its Graph twin, asked for it alone; null when it has none. */
  private async feedAlone(trx: Trx, a: NormalizedAlert): Promise<{ outcome: 'updated'; alert: AlertRow } | null> {
    const row = await this.graphTwinOf(trx, a);
    const alert = row ? await this.attachFeed(trx, row, a) : null;
    return alert ? { outcome: 'updated', alert } : null;
  }

  /** A CEF / Cloud App Security row (not yet linked to Graph) that is this Graph alert. */
  async twinOfGraph(trx: Trx, a: NormalizedAlert): Promise<AlertsTable | null> {
    const g = a.graph!;
    const col = a.source === 'onprem' ? 'onprem_id' : 'cloud_id';
    const keys = uniq([g.providerAlertId, g.id, lower(g.id), idFromLink(g.url)]);
    const exact = await trx.selectFrom('alerts').selectAll().where('graph_id', 'is', null).where(col, 'in', keys).executeTakeFirst();
    if (exact) return exact as AlertsTable;
    const [from, to] = around(a.start, MERGE_WINDOW_MS + 60_000);
    let rows = (await trx.selectFrom('alerts').selectAll().where('graph_id', 'is', null).where(col, 'is not', null).where('first_seen', '>=', from).where('first_seen', '<=', to).limit(CANDIDATE_LIMIT).execute()) as AlertsTable[];
    if (a.source === 'onprem') {
      // A Defender for Identity alert may also have come in through Cloud App Security (service 20940) only.
      const viaCloud = await trx
        .selectFrom('alerts')
        .innerJoin('mcas_alerts', 'mcas_alerts.alert_id', 'alerts.id')
        .selectAll('alerts')
        .where('alerts.graph_id', 'is', null)
        .where('alerts.onprem_id', 'is', null)
        .where('mcas_alerts.service_id', '=', ATP_SERVICE_ID)
        .where('alerts.first_seen', '>=', from)
        .where('alerts.first_seen', '<=', to)
        .limit(CANDIDATE_LIMIT)
        .execute();
      rows = [...rows, ...(viaCloud as AlertsTable[])];
    }
    const t = ms(a.start);
    return rows.filter((r) => Math.abs(ms(r.first_seen) - t) <= MERGE_WINDOW_MS && sameAlertType(a, r) && sameUsers(a.users, JSON.parse(r.users) as AlertUser[])).sort(byDistance(t))[0] ?? null;
  }

  /** A Graph row (its CEF / Cloud App Security side not yet linked) that is this CEF / Cloud App Security alert. */
  async graphTwinOf(trx: Trx, a: NormalizedAlert): Promise<AlertsTable | null> {
    const col = a.source === 'onprem' ? 'onprem_id' : 'cloud_id';
    const onPremSide = a.source === 'onprem';
    const base = () => {
      let q = trx.selectFrom('alerts').innerJoin('graph_alerts', 'graph_alerts.alert_id', 'alerts.id').selectAll('alerts').where(`alerts.${col}`, 'is', null);
      q = onPremSide ? q.where('graph_alerts.service_source', '=', MDI) : q.where('graph_alerts.service_source', '!=', MDI);
      return q;
    };
    const id = a.sourceId;
    const exact = await base()
      .where((eb) => eb.or([eb('graph_alerts.provider_alert_id', '=', lower(id)), eb('graph_alerts.graph_id', 'in', uniq([id, lower(id)]))]))
      .executeTakeFirst();
    if (exact) return exact as AlertsTable;
    const [from, to] = around(a.start, MERGE_WINDOW_MS + 60_000);
    const rows = (await base().where('alerts.first_seen', '>=', from).where('alerts.first_seen', '<=', to).limit(CANDIDATE_LIMIT).execute()) as AlertsTable[];
    const t = ms(a.start);
    return (
      rows
        .filter((r) => Math.abs(ms(r.first_seen) - t) <= MERGE_WINDOW_MS && sameAlertType({ title: r.title, typeName: r.type_name }, { type: a.type, type_name: a.typeName, title: a.title }) && sameUsers(a.users, JSON.parse(r.users) as AlertUser[]))
        .sort(byDistance(t))[0] ?? null
    );
  }

  /** Graph joins an existing row: its id and links; the other feed's fields stay. */
  async attachGraph(trx: Trx, row: AlertsTable, a: NormalizedAlert): Promise<AlertRow | null> {
    const now = this.clock.now().toISOString();
    const previous = toAlertRow(row);
    const res = await trx
      .updateTable('alerts')
      .set({
        graph_id: a.graph!.id,
        graph_url: a.graph!.url,
        incident_url: a.graph!.incidentUrl,
        users: JSON.stringify(mergeUsers(previous.users, a.users)),
        hosts: JSON.stringify([...new Set([...previous.hosts, ...a.hosts])]),
        updated_at: now,
      })
      .where('id', '=', row.id)
      .where('graph_id', 'is', null)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) === 0) return null;
    return this.changed(trx, row.id, 'xdr.linked', now);
  }

  /** A CEF or Cloud App Security alert joins its Graph row: that feed's id, link and hash become the row's. */
  async attachFeed(trx: Trx, row: AlertsTable, a: NormalizedAlert): Promise<AlertRow | null> {
    const now = this.clock.now().toISOString();
    const previous = toAlertRow(row);
    const common = {
      users: JSON.stringify(mergeUsers(a.source === 'onprem' ? a.users : previous.users, a.source === 'onprem' ? previous.users : a.users)),
      hosts: JSON.stringify([...new Set([...previous.hosts, ...a.hosts])]),
      // From now on last_hash is this feed's (its duplicates and re-triggers); Graph's versions live in graph_alerts.
      last_hash: a.hash,
      updated_at: now,
    };
    const q =
      a.source === 'onprem'
        ? trx
            .updateTable('alerts')
            .set({
              ...common,
              source: row.source === 'cloud' ? 'both' : row.source,
              onprem_id: a.sourceId,
              url: a.url ?? null,
              type: a.type,
              type_name: a.typeName,
              description: row.description || a.description,
              severity: SEVERITY_RANK[a.severity] > SEVERITY_RANK[row.severity] ? a.severity : row.severity,
              first_seen: a.start < row.first_seen ? a.start : row.first_seen,
              last_seen: a.seenAt > row.last_seen ? a.seenAt : row.last_seen,
              cnt: a.cnt ?? row.cnt,
            })
            .where('onprem_id', 'is', null)
        : trx
            .updateTable('alerts')
            .set({ ...common, source: row.source === 'onprem' ? 'both' : row.source, cloud_id: a.sourceId, cloud_url: a.url ?? null, app: row.app ?? a.app ?? null, policy: row.policy ?? a.policy ?? null, threat_score: a.threatScore ?? row.threat_score })
            .where('cloud_id', 'is', null);
    const res = await q.where('id', '=', row.id).executeTakeFirst();
    if (Number(res.numUpdatedRows) === 0) return null;
    return this.changed(trx, row.id, a.source === 'onprem' ? 'feed.linked.onprem' : 'feed.linked.cloud', now);
  }

  private async changed(trx: Trx, id: string, action: string, now: string): Promise<AlertRow> {
    const alert = toAlertRow((await trx.selectFrom('alerts').selectAll().where('id', '=', id).executeTakeFirstOrThrow()) as AlertsTable);
    await this.events.emit(trx, { type: 'alert.changed', alert, action, actor: XDR_ACTOR, at: now });
    return alert;
  }
}
