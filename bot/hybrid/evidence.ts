import type { Insertable, Kysely } from 'kysely';
import type { Trx } from '../events';
import type { Schema } from '../store/schema';
import type { AlertUsersTable } from '../store/tables/hybrid';
import type { AlertRow, AlertUser } from './alert';
import { classifyAlert } from './alert-tactics';
import { paramChunks } from '../store/param-chunks';
import { Baseline, dayOf, habitOf, key as baselineKey } from './baseline';
import { alertCounts, windowStart, type ScoredAlertInput } from './priority';
import { decodeTactics, encodeTactics } from './tactics';

type Db = Kysely<Schema> | Trx;
const BATCH = 500;

export const parseList = (s: string | null | undefined): string[] => {
  try {
    const v = JSON.parse(s ?? '[]');
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
};

/**
 * The per-user evidence the model reads: alert_users, one row per (alert, user), carrying what the
 * model needs — the alert's tactics and how rare its type was (organisation baseline × the user's own
 * habit) before the alert's day, fixed when the row is written.
 */
export class Evidence {
  readonly baseline = new Baseline();

  /** Upserted per alert, so a re-trigger moves seen_at and severity but adds nothing. Returns the alert's users. */
  async sync(trx: Trx, a: AlertRow, isNew = false): Promise<AlertUser[]> {
    return (await this.syncMany(trx, [{ alert: a, isNew }]))[0];
  }

  /**
   * sync for a batch of alerts, in order, with the result of syncing them one by one: one baseline
   * query, one habit query, one delete and one multi-row insert (chunked) per run of alerts. A run ends
   * only where an alert's baseline (the 30 days before its day) could see a row the run already wrote
   * or removed (a replay spanning days), so what each alert reads is what it would have read alone.
   */
  async syncMany(trx: Trx, items: ReadonlyArray<{ alert: AlertRow; isNew: boolean }>): Promise<AlertUser[][]> {
    const out: AlertUser[][] = [];
    let run: Array<{ alert: AlertRow; isNew: boolean; users: AlertUser[]; day: string }> = [];
    let touched: string | null = null;
    for (const { alert: a, isNew } of items) {
      const users = a.users.filter((u, i, all) => u.key && all.findIndex((x) => x.key === u.key) === i);
      const day = dayOf(a.first_seen);
      if (run.length && touched !== null && touched < day) {
        await this.write(trx, run);
        run = [];
        touched = null;
      }
      run.push({ alert: a, isNew, users, day });
      // Rows removed had seen_at ≥ the alert's first_seen; rows written have its last_seen.
      const d = dayOf(isNew ? a.last_seen : a.first_seen);
      if (touched === null || d < touched) touched = d;
      out.push(users);
    }
    if (run.length) await this.write(trx, run);
    return out;
  }

  private async write(trx: Trx, run: ReadonlyArray<{ alert: AlertRow; isNew: boolean; users: AlertUser[]; day: string }>): Promise<void> {
    const scored = run.filter((x) => x.users.length);
    const rarities = scored.length ? await this.baseline.rarityOf(trx, scored.map((x) => ({ type: x.alert.type, day: x.day }))) : new Map<string, number>();
    const habits = await this.baseline.userDaysMany(trx, scored.map((x) => ({ users: x.users.map((u) => u.key), type: x.alert.type, day: x.day })));
    const stale = [...new Set(run.filter((x) => !x.isNew).map((x) => x.alert.id))];
    for (const part of paramChunks(stale, 1, 1000)) await trx.deleteFrom('alert_users').where('alert_id', 'in', part).execute();
    // An alert twice in a run (new, then re-triggered) keeps the rows of its last event, as one by one.
    const byAlert = new Map<string, Array<Insertable<AlertUsersTable>>>();
    const index = new Map(scored.map((x, i) => [x, i]));
    for (const item of run) {
      const { alert: a, users, day } = item;
      const i = index.get(item);
      if (i === undefined) {
        byAlert.set(a.id, []);
        continue;
      }
      const kind = classifyAlert({ source: a.source, type: a.type, typeName: a.type_name, title: a.title, policy: a.policy, tactics: a.tactics ? parseList(a.tactics) : [] });
      const rarity = rarities.get(baselineKey(day, a.type)) ?? 1;
      const row = { environment: kind.environment, severity: a.severity, type: a.type, seen_at: a.last_seen, first_seen: a.first_seen, counts: alertCounts(a), tactics: encodeTactics(kind.tactics) };
      byAlert.set(a.id, users.map((u) => ({ alert_id: a.id, user_key: u.key, ...row, rarity_milli: Math.round(rarity * habitOf(habits[i].get(u.key) ?? 0) * 1000) })));
    }
    const rows = [...byAlert.values()].flat();
    for (const part of paramChunks(rows, 10, 1000)) await trx.insertInto('alert_users').values(part).execute();
  }

  /** These users' counting alerts in the scoring window (no writes). */
  async read(db: Db, keys: string[], now: Date): Promise<Map<string, ScoredAlertInput[]>> {
    const since = windowStart(now);
    const rows = [];
    for (const part of paramChunks([...new Set(keys)], 1, BATCH)) {
      rows.push(
        ...(await db
          .selectFrom('alert_users as au')
          .innerJoin('alerts as a', 'a.id', 'au.alert_id')
          .select(['au.user_key', 'au.alert_id', 'au.environment', 'au.severity', 'au.type', 'au.seen_at', 'au.first_seen', 'au.tactics', 'au.rarity_milli', 'a.title', 'a.threat_score', 'a.source', 'a.type_name', 'a.policy', 'a.tactics as alert_tactics'])
          .where('au.user_key', 'in', part)
          .where('au.seen_at', '>=', since)
          .where('au.counts', '=', 1)
          .execute()),
      );
    }
    // Rows written before migration 007 carry no tactics / rarity: classify and rate them now.
    const unrated = rows.filter((r) => r.rarity_milli === null).map((r) => ({ type: r.type, day: dayOf(r.first_seen) }));
    const rated = unrated.length ? await this.baseline.rarityOf(db, unrated) : new Map<string, number>();
    const byUser = new Map<string, ScoredAlertInput[]>();
    for (const r of rows) {
      const tactics = r.tactics !== null ? decodeTactics(r.tactics) : classifyAlert({ source: r.source, type: r.type, typeName: r.type_name, title: r.title, policy: r.policy, tactics: parseList(r.alert_tactics) }).tactics;
      const rarity = r.rarity_milli !== null ? Number(r.rarity_milli) / 1000 : rated.get(baselineKey(dayOf(r.first_seen), r.type)) ?? 1;
      const list = byUser.get(r.user_key) ?? [];
      list.push({ alertId: r.alert_id, environment: r.environment, severity: r.severity, type: r.type, title: r.title, firstSeen: r.first_seen, seenAt: r.seen_at, tactics, rarity, threatScore: r.threat_score === null ? null : Number(r.threat_score) });
      byUser.set(r.user_key, list);
    }
    return byUser;
  }
}
