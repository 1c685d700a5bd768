import type { AlertsTable } from '../store/schema';
import type { NormalizedAlert } from './alert';
import { canonicalTactics } from './tactics';

/** What a re-trigger changes on the stored row (recordIn and the batch apply the same). */
export function retriggerPatch(existing: AlertsTable, a: NormalizedAlert, now: string): Partial<AlertsTable> & Pick<AlertsTable, 'trigger_count'> {
  return {
    trigger_count: Number(existing.trigger_count) + 1,
    last_seen: a.seenAt > existing.last_seen ? a.seenAt : existing.last_seen,
    first_seen: a.start < existing.first_seen ? a.start : existing.first_seen,
    cnt: a.cnt ?? existing.cnt,
    description: a.description || existing.description,
    severity: a.severity,
    hosts: JSON.stringify([...new Set([...parseHosts(existing.hosts), ...a.hosts])]),
    threat_score: a.threatScore ?? existing.threat_score,
    ...(a.tactics && canonicalTactics(a.tactics).length ? { tactics: JSON.stringify(canonicalTactics(a.tactics)) } : {}),
    last_hash: a.hash,
    updated_at: now,
  };
}

function parseHosts(s: string): string[] {
  try {
    const v = JSON.parse(s);
    return Array.isArray(v) ? v : [];
  } catch {
    return [];
  }
}

/** A new ledger row for an alert seen for the first time. */
export function newRow(a: NormalizedAlert, now: string): AlertsTable {
  const feed = a.graph ? null : a.source;
  return {
    id: a.graph ? `xdr:${a.graph.id}` : `${a.source === 'onprem' ? 'atp' : 'mcas'}:${a.sourceId}`,
    source: a.source,
    onprem_id: feed === 'onprem' ? a.sourceId : null,
    cloud_id: feed === 'cloud' ? a.sourceId : null,
    type: a.type,
    type_name: a.typeName,
    title: a.title,
    description: a.description,
    severity: a.severity,
    status: a.status ?? 'open',
    users: JSON.stringify(a.users),
    hosts: JSON.stringify(a.hosts),
    first_seen: a.start,
    last_seen: a.seenAt,
    trigger_count: 1,
    cnt: a.cnt ?? null,
    url: feed === 'onprem' ? a.url ?? null : null,
    cloud_url: feed === 'cloud' ? a.url ?? null : null,
    app: a.app ?? null,
    policy: a.policy ?? null,
    threat_score: a.threatScore ?? null,
    last_hash: a.hash,
    closed_by_id: null,
    closed_by_name: null,
    closed_at: null,
    resolution: a.resolution ?? null,
    assigned_to_id: null,
    assigned_to_name: null,
    muted_until: null,
    created_at: now,
    updated_at: now,
    tactics: a.tactics && canonicalTactics(a.tactics).length ? JSON.stringify(canonicalTactics(a.tactics)) : null,
    graph_id: a.graph?.id ?? null,
    graph_url: a.graph?.url ?? null,
    incident_url: a.graph?.incidentUrl ?? null,
  };
}
