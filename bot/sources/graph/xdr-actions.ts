import type { Kysely } from 'kysely';
import type { Clock } from '../../clock';
import type { Actor, Trx } from '../../events';
import { InputError } from '../../errors';
import type { AlertRow } from '../../hybrid/alert';
import type { Schema } from '../../store/schema';
import { commentOnAlert, updateAlert, type AlertComment, type AlertPatch } from './defender-api';
import type { GraphSecurityClient } from './graph-security-client';
import { normalizeGraphAlert, type XdrState } from './normalize-graph';

export type Resolution = 'truePositive' | 'benign' | 'falsePositive';

/**
 * Teams' three close choices in Defender XDR's words. The determination is `other`: Teams does not ask
 * why (malware, phishing, …), and "other" claims nothing the analyst did not say.
 */
export const XDR_CLOSE: Record<Resolution, { classification: string; determination: string }> = {
  truePositive: { classification: 'truePositive', determination: 'other' },
  benign: { classification: 'informationalExpectedActivity', determination: 'other' },
  falsePositive: { classification: 'falsePositive', determination: 'other' },
};

export const MAX_COMMENT_CHARS = 1000;

/** A card action must answer within Teams' 5 s: one retry at most, no long waits. */
const INTERACTIVE = { maxAttempts: 2, maxWaitMs: 3_000 };

/** What Defender XDR now says about the alert, as Graph answered the write. */
export interface XdrWriteResult {
  state: XdrState;
  lastUpdate: string | null;
}

/**
 * Actions written back to Defender XDR (services.xdrActions, present when the Graph source is on):
 * close → PATCH status resolved + classification + determination; assign → assignedTo; comment → POST
 * …/comments. Each throws GraphSecurityError (status, Graph code, fix: 403 names SecurityAlert.ReadWrite.All)
 * and does NOT write the ledger: the caller records who/when with the card update, and calls
 * `remember` in that transaction so the poller does not mistake our own write for a portal change.
 */
export interface XdrActions {
  close(alert: Pick<AlertRow, 'graph_id'>, resolution: Resolution, signal?: AbortSignal): Promise<XdrWriteResult>;
  assign(alert: Pick<AlertRow, 'graph_id'>, upn: string, signal?: AbortSignal): Promise<XdrWriteResult>;
  comment(alert: Pick<AlertRow, 'graph_id'>, text: string, actor: Actor, signal?: AbortSignal): Promise<AlertComment[]>;
  remember(trx: Trx, graphId: string, r: XdrWriteResult): Promise<void>;
}

export class GraphXdrActions implements XdrActions {
  constructor(private readonly client: GraphSecurityClient, private readonly clock: Clock, private readonly db: Kysely<Schema>) {}

  close(alert: Pick<AlertRow, 'graph_id'>, resolution: Resolution, signal?: AbortSignal): Promise<XdrWriteResult> {
    const c = XDR_CLOSE[resolution];
    if (!c) throw new InputError(`Unknown resolution "${String(resolution)}"`, 'Use truePositive, benign or falsePositive');
    return this.patch(alert, { status: 'resolved', classification: c.classification, determination: c.determination }, signal);
  }

  assign(alert: Pick<AlertRow, 'graph_id'>, upn: string, signal?: AbortSignal): Promise<XdrWriteResult> {
    return this.patch(alert, { assignedTo: upn }, signal);
  }

  async comment(alert: Pick<AlertRow, 'graph_id'>, text: string, actor: Actor, signal?: AbortSignal): Promise<AlertComment[]> {
    const id = this.graphIdOf(alert);
    // Graph records the app as the author: the text says who wrote it in Teams.
    const body = `${text} (${printable(actor.name, 120) || 'unknown user'} via Hybridwatch in Microsoft Teams)`;
    return commentOnAlert(this.client, id, body, { ...INTERACTIVE, signal });
  }

  async remember(trx: Trx, graphId: string, r: XdrWriteResult): Promise<void> {
    await trx
      .updateTable('graph_alerts')
      .set({ status: r.state.status, classification: r.state.classification, determination: r.state.determination, assigned_to: r.state.assignedTo, ...(r.lastUpdate ? { last_update: r.lastUpdate, last_update_ms: Date.parse(r.lastUpdate) } : {}), received_at: this.clock.now().toISOString() })
      .where('graph_id', '=', graphId)
      .execute();
  }

  private graphIdOf(alert: Pick<AlertRow, 'graph_id'>): string {
    if (!alert.graph_id) throw new InputError('This alert did not come through Defender XDR (Microsoft Graph)', 'Act on it in the portal it came from');
    return alert.graph_id;
  }

  private async patch(alert: Pick<AlertRow, 'graph_id'>, patch: AlertPatch, signal?: AbortSignal): Promise<XdrWriteResult> {
    const id = this.graphIdOf(alert);
    const body = await updateAlert(this.client, id, patch, { ...INTERACTIVE, signal });
    const n = normalizeGraphAlert(body);
    if (n.ok) return { state: n.value.state, lastUpdate: n.value.lastUpdate };
    // Graph's answer was not a full alert (a trimmed body): what we asked for is what it now says.
    const known = await this.db.selectFrom('graph_alerts').select(['status', 'classification', 'determination', 'assigned_to']).where('graph_id', '=', id).executeTakeFirst();
    const base: XdrState = known ? { status: known.status, classification: known.classification, determination: known.determination, assignedTo: known.assigned_to } : { status: 'new', classification: null, determination: null, assignedTo: null };
    return { state: { ...base, ...(patch.status ? { status: patch.status } : {}), ...(patch.classification ? { classification: patch.classification } : {}), ...(patch.determination ? { determination: patch.determination } : {}), ...(patch.assignedTo !== undefined ? { assignedTo: patch.assignedTo } : {}) }, lastUpdate: null };
  }
}

const printable = (s: string, max: number) => s.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim().slice(0, max);
