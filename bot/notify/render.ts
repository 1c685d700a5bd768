import type { Kysely } from 'kysely';
import { alertCard, type AlertCardInput, type HybridContextView } from '../../cards/alert-card';
import { healthIssueCard } from '../../cards/health-issue-card';
import type { HealthIssueView } from '../sources/graph/mdi-health';
import { xdrStateOf } from '../sources/graph/graph-store';
import { DIGEST_LISTED, digestCard } from '../../cards/digest-card';
import { integrationCard, type IntegrationNotice } from '../../cards/integration-card';
import { riskyUserCard, type RiskyReason, type RiskyUserCardInput } from '../../cards/risky-user-card';
import type { NoticeTone, ResponseInput } from '../../cards/response-section';
import { when } from '../../cards/card';
import type { Clock } from '../clock';
import { toAlertRow, type AlertRow } from '../hybrid/alert';
import { hybridContext } from '../hybrid/hybrid-context';
import { chainView, groupReasons, parseJson, reasonText, tacticLabels } from '../hybrid/risk-view';
import type { ChainLink } from '../hybrid/chain';
import type { RiskReason } from '../hybrid/risky';
import type { Schema } from '../store/schema';
import type { OutboxRow } from './outbox';
import type { OutgoingMessage } from './sender';

export interface RenderDeps {
  db: Kysely<Schema>;
  clock: Clock;
  linkHosts: readonly string[];
  /** Who gets the interactive view through `refresh.userIds` (≤ 60). */
  adminIds: () => Promise<string[]>;
  /** Identity response on the risky-user card (issue 15): Entra ID Protection's view, what was done, the buttons. */
  responseView?: (userKey: string, buttons: boolean) => Promise<ResponseInput | null>;
}

export async function loadAlert(db: Kysely<Schema>, id: string): Promise<AlertRow | null> {
  const r = await db.selectFrom('alerts').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? toAlertRow(r) : null;
}

export async function contextFor(db: Kysely<Schema>, alert: AlertRow): Promise<HybridContextView | null> {
  try {
    const c = await hybridContext(db, alert);
    return { other: c.other, count: c.count, topTitles: c.topTitles, hybridChain: c.hybridChain };
  } catch {
    // Context is a nicety: an alert card must never fail because of it.
    return null;
  }
}

/** Defender XDR's side of the alert and the latest comments from Teams (issue 12), for its card. */
export async function xdrFor(db: Kysely<Schema>, alert: AlertRow): Promise<Pick<AlertCardInput, 'xdr' | 'comments'>> {
  const [xdr, latest, count] = await Promise.all([
    alert.graph_id ? xdrStateOf(db, alert.id) : Promise.resolve(null),
    db.selectFrom('alert_comments').select(['by_name', 'at', 'text']).where('alert_id', '=', alert.id).orderBy('at', 'desc').limit(2).execute(),
    db.selectFrom('alert_comments').select((eb) => eb.fn.countAll<number>().as('n')).where('alert_id', '=', alert.id).executeTakeFirst(),
  ]);
  return {
    xdr: xdr ? { status: xdr.status, classification: xdr.classification, determination: xdr.determination, assignedTo: xdr.assigned_to, category: xdr.category } : null,
    comments: { count: Number(count?.n ?? 0), latest: latest.map((c) => ({ byName: c.by_name, at: c.at, text: c.text })) },
  };
}

/** The alert card as `viewer` sees it: buttons only for those who may operate. */
export async function renderAlert(deps: RenderDeps, alert: AlertRow, interactive: boolean, notice?: string): Promise<OutgoingMessage> {
  const [context, refreshUserIds, extra] = await Promise.all([contextFor(deps.db, alert), deps.adminIds(), xdrFor(deps.db, alert)]);
  return { card: alertCard({ alert, context, linkHosts: deps.linkHosts, now: deps.clock.now().toISOString(), interactive, refreshUserIds, notice, ...extra }) };
}

/** A Defender for Identity health issue card from its stored row; null when the row is gone. */
export async function renderHealthIssue(deps: RenderDeps, issueId: string): Promise<OutgoingMessage | null> {
  const r = await deps.db.selectFrom('mdi_health_issues').selectAll().where('issue_id', '=', issueId).executeTakeFirst();
  if (!r) return null;
  return { card: healthIssueCard({ issue: JSON.parse(r.detail) as HealthIssueView, status: r.status, firstSeen: r.first_seen, closedAt: r.closed_at, linkHosts: deps.linkHosts }) };
}

interface RiskyPayload {
  userKey: string;
  at: string;
  detail?: {
    user?: { displayName?: string | null; upn?: string | null };
    score?: number;
    percentile?: number;
    reasons?: Array<Partial<RiskReason>>;
    tactics?: string[];
    chain?: unknown;
    fullChain?: boolean;
  } | null;
}

export interface RiskyViewExtra {
  /** The response buttons (the viewer gets the interactive card). */
  buttons?: boolean;
  notice?: string;
  noticeTone?: NoticeTone;
}

export async function riskyInput(deps: RenderDeps, p: RiskyPayload, interactive: boolean, extra: RiskyViewExtra = {}): Promise<RiskyUserCardInput> {
  const row = await deps.db.selectFrom('user_scores').selectAll().where('user_key', '=', p.userKey).executeTakeFirst().catch(() => undefined);
  const d = p.detail ?? {};
  // A payload from before the chain-aware model carries no tactics / chain: the stored row explains.
  const rawReasons = d.reasons ?? parseJson<Array<Partial<RiskReason>>>(row?.reasons, []);
  const reasons: RiskyReason[] = rawReasons.slice(0, 20).map((r) => ({
    source: r.environment === 'cloud' ? 'cloud' : r.environment === 'onprem' ? 'onprem' : 'both',
    text: reasonText(r),
  }));
  const chain = (d.chain !== undefined ? d.chain : parseJson(row?.chain, null)) as Partial<ChainLink> | null;
  return {
    userKey: p.userKey,
    displayName: d.user?.displayName ?? row?.display_name ?? null,
    upn: d.user?.upn ?? row?.upn ?? null,
    onPremAccount: row?.sam ? `${row.domain ? `${String(row.domain).split('.')[0].toUpperCase()}\\` : ''}${row.sam}` : null,
    score: Number(d.score ?? (row ? Number(row.score_centi) / 100 : 0)),
    percentile: Number(d.percentile ?? row?.percentile ?? 0),
    reasons,
    tactics: tacticLabels(d.tactics ?? parseJson(row?.tactics, [])),
    chain: chainView(chain, !!d.fullChain),
    groups: rawReasons.some((r) => r.tactic !== undefined) ? groupReasons(rawReasons) : undefined,
    at: p.at,
    dismissed: row?.risky_state === 'dismissed' && row.dismissed_by_name ? { byName: row.dismissed_by_name, at: row.dismissed_at ?? p.at } : null,
    interactive,
    refreshUserIds: await deps.adminIds(),
    response: deps.responseView ? await deps.responseView(p.userKey, extra.buttons ?? false).catch(() => null) : null,
    notice: extra.notice,
    noticeTone: extra.noticeTone,
  };
}

/** The message an outbox row stands for, built from current state at send time; null = nothing to send any more. */
export async function renderRow(deps: RenderDeps, row: OutboxRow): Promise<OutgoingMessage | null> {
  const payload = JSON.parse(row.payload || '{}');
  switch (row.kind) {
    case 'alert':
    case 'alert.update': {
      const alert = await loadAlert(deps.db, String(row.card_key).slice('alert:'.length));
      return alert ? renderAlert(deps, alert, false) : null;
    }
    case 'alert.reply': {
      const p = payload as { triggers?: number; triggerCount?: number; lastSeen?: string };
      const times = (p.triggers ?? 1) > 1 ? ` ${p.triggers} more times` : '';
      return { text: `🔁 Re-triggered${times}: ${p.triggerCount ?? '?'} triggers in total, last seen ${when(p.lastSeen)}. The card above is up to date.` };
    }
    case 'digest':
      return { card: await digestFor(deps, row.conversation_id, String(payload.windowStart)) };
    case 'risky':
    case 'risky.update': {
      const p = row.kind === 'risky' ? (payload as RiskyPayload) : await firstRiskyPayload(deps, row);
      return p ? { card: riskyUserCard(await riskyInput(deps, p, false)) } : null;
    }
    case 'integration':
      return { card: integrationCard(payload as IntegrationNotice) };
    case 'text':
      return { text: String(payload.text ?? '') };
    case 'health':
    case 'health.update':
      return renderHealthIssue(deps, String(row.card_key).slice('health:'.length));
    default:
      return null;
  }
}

async function firstRiskyPayload(deps: RenderDeps, row: OutboxRow): Promise<RiskyPayload | null> {
  const first = await deps.db.selectFrom('notify_outbox').select('payload').where('conversation_id', '=', row.conversation_id).where('card_key', '=', row.card_key).where('kind', '=', 'risky').orderBy('seq', 'desc').executeTakeFirst();
  return first ? (JSON.parse(first.payload) as RiskyPayload) : null;
}

export async function digestFor(deps: RenderDeps, conversationId: string, windowStart: string) {
  const items = await deps.db.selectFrom('notify_digest_items').select(['severity', 'type_name', 'users']).where('conversation_id', '=', conversationId).where('window_start', '=', windowStart).execute();
  const bySeverity: Record<string, number> = {};
  const byType = new Map<string, number>();
  const byUser = new Map<string, number>();
  for (const i of items) {
    bySeverity[i.severity] = (bySeverity[i.severity] ?? 0) + 1;
    byType.set(i.type_name, (byType.get(i.type_name) ?? 0) + 1);
    for (const u of JSON.parse(i.users) as string[]) byUser.set(u, (byUser.get(u) ?? 0) + 1);
  }
  // The newest few, each opened with alert.show (an alert purged by retention is left out).
  const listed = await deps.db
    .selectFrom('notify_digest_items as d')
    .innerJoin('alerts as a', 'a.id', 'd.alert_id')
    .select(['a.id', 'a.title', 'a.severity', 'd.users'])
    .where('d.conversation_id', '=', conversationId)
    .where('d.window_start', '=', windowStart)
    .orderBy('d.created_at', 'desc')
    .orderBy('a.id')
    .limit(DIGEST_LISTED)
    .execute();
  const top = (m: Map<string, number>) => [...m.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const end = new Date(new Date(windowStart).getTime() + 60_000).toISOString();
  return digestCard({
    windowStart,
    windowEnd: end,
    total: items.length,
    bySeverity,
    byType: top(byType),
    topUsers: top(byUser),
    updatedAt: deps.clock.now().toISOString(),
    alerts: listed.map((a) => ({ id: a.id, title: a.title, severity: a.severity, users: JSON.parse(a.users) as string[] })),
  });
}
