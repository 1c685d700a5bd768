import { riskyUserCard } from '../../../cards/risky-user-card';
import { RESOLUTIONS, type Resolution } from '../../../cards/alert-card';
import { can } from '../../directory/roles';
import type { Actor, Trx } from '../../events';
import { toAlertRow } from '../../hybrid/alert';
import { audit } from '../../integration/audit';
import { toUserMessage, type GraphSecurityError } from '../../errors';
import type { XdrWriteResult } from '../../sources/graph/xdr-actions';
import { loadAlert, renderAlert, riskyInput, type RenderDeps, type RiskyViewExtra } from '../../notify/render';
import { userKey } from '../../notify/outbox';
import type { HandlerContext, InvokeResult } from '../context';
import type { ActionRoute } from '../router';

export const actor = (ctx: HandlerContext): Actor => ({ id: ctx.caller.id, name: ctx.caller.name });

export function renderDeps(ctx: HandlerContext): RenderDeps {
  return ctx.services.notify?.render ?? { db: ctx.store.db, clock: ctx.clock, linkHosts: ctx.services.linkHosts, adminIds: async () => [], responseView: async (k, b) => (ctx.services.identityResponse ? ctx.services.identityResponse.view(k, b) : null) };
}

/** The alert card as the clicker sees it now: buttons only for those who may operate. */
export async function alertView(ctx: HandlerContext, alertId: unknown, notice?: string): Promise<InvokeResult> {
  const alert = typeof alertId === 'string' && alertId.length <= 300 ? await loadAlert(ctx.store.db, alertId) : null;
  if (!alert) return { message: 'That alert is no longer in the ledger (it may have passed the retention period). Send `alerts` for the current ones.' };
  const msg = await renderAlert(renderDeps(ctx), alert, can(ctx.caller.roles, 'operate'), notice);
  return 'card' in msg ? { card: msg.card } : { message: msg.text };
}

/** Run a compare-and-set on the alert; when it changed, emit alert.changed so every posted card updates. */
export async function change(ctx: HandlerContext, alertId: string, action: string, apply: (trx: Trx, now: string) => Promise<boolean>, detail: Record<string, unknown>): Promise<boolean> {
  const now = ctx.clock.now();
  const changed = await ctx.store.db.transaction().execute(async (trx) => {
    if (!(await apply(trx, now.toISOString()))) return false;
    const row = await trx.selectFrom('alerts').selectAll().where('id', '=', alertId).executeTakeFirstOrThrow();
    await ctx.services.events.emit(trx, { type: 'alert.changed', alert: toAlertRow(row), action, actor: actor(ctx), at: now.toISOString() });
    return true;
  });
  await audit(ctx.store.db, { actor: actor(ctx), action, outcome: changed ? 'ok' : 'noop', detail: { alertId, ...detail }, at: now });
  return changed;
}

/** A write to Defender XDR failed: nothing changed here either, audited, and the clicker reads one sentence with the fix. */
export async function xdrRefused(ctx: HandlerContext, alertId: string, action: string, what: string, e: unknown): Promise<InvokeResult> {
  const err = e as GraphSecurityError;
  ctx.log.warn({ err: { message: err.message, status: err.status, code: err.graphCode }, alertId }, `${action}: Defender XDR refused; nothing changed`);
  await audit(ctx.store.db, { actor: actor(ctx), action, outcome: 'error', detail: { alertId, graph: { status: err.status ?? null, code: err.graphCode ?? null, problem: err.problem ?? null } }, at: ctx.clock.now() });
  return alertView(ctx, alertId, `${what}: ${toUserMessage(e)}`);
}

/** Card actions must answer within Teams' 5 s. */
export const XDR_TIMEOUT_MS = 4_000;

export function alertIdOf(ctx: HandlerContext): string | null {
  const id = ctx.activity.data?.alertId;
  return typeof id === 'string' && id.length > 0 && id.length <= 300 ? id : null;
}

export const closeAlertAction: ActionRoute = {
  verb: 'alert.close',
  capability: 'operate',
  label: 'Closing an alert',
  async handle(ctx) {
    const id = alertIdOf(ctx);
    const resolution = ctx.activity.data?.resolution;
    if (!id) return { message: 'This button did not say which alert to close; nothing was changed.' };
    if (typeof resolution !== 'string' || !(resolution in RESOLUTIONS)) return { message: 'Choose a resolution: true positive, benign or false positive. Nothing was changed.' };
    const alert = await loadAlert(ctx.store.db, id);
    if (!alert) return alertView(ctx, id);
    if (alert.status === 'closed') return alertView(ctx, id); // a second click or a Teams retry: same answer
    let notice: string | undefined;
    const cloud = ctx.services.cloudActions;
    const xdr = ctx.services.xdrActions;
    // Actions go back where the alert lives: Defender XDR when it has a Graph id, else Cloud App Security.
    let written: XdrWriteResult | null = null;
    if (alert.graph_id && xdr) {
      try {
        written = await xdr.close(alert, resolution as Resolution, AbortSignal.timeout(XDR_TIMEOUT_MS));
      } catch (e) {
        return xdrRefused(ctx, id, 'alert.close', 'Not closed', e);
      }
    } else if (alert.cloud_id && cloud) {
      try {
        const r = await cloud.close(alert, resolution as Resolution, actor(ctx), { signal: AbortSignal.timeout(3500), maxAttempts: 1 });
        if (r.alertsNotFound.length) notice = 'Cloud App Security did not know this alert; it is closed here only.';
      } catch (e) {
        ctx.log.warn({ err: { message: (e as Error).message }, alertId: id }, 'alert.close: Cloud App Security close failed; closed in Hybridwatch only');
        notice = `Closed in Hybridwatch, but Cloud App Security did not confirm: ${(e as Error).message}`.slice(0, 280);
      }
    }
    await change(
      ctx,
      id,
      'alert.close',
      async (trx, now) => {
        const r = await trx.updateTable('alerts').set({ status: 'closed', closed_by_id: ctx.caller.id, closed_by_name: ctx.caller.name, closed_at: now, resolution, updated_at: now }).where('id', '=', id).where('status', '=', 'open').executeTakeFirst();
        if (written && alert.graph_id) await xdr!.remember(trx, alert.graph_id, written);
        return Number(r.numUpdatedRows) > 0;
      },
      { resolution, graph: written ? { status: written.state.status, classification: written.state.classification } : null, cloud: !written && !!(alert.cloud_id && cloud), notice: notice ?? null },
    );
    return alertView(ctx, id, notice);
  },
};

export const assignAlertAction: ActionRoute = {
  verb: 'alert.assign',
  capability: 'operate',
  label: 'Assigning an alert',
  async handle(ctx) {
    const id = alertIdOf(ctx);
    if (!id) return { message: 'This button did not say which alert to assign; nothing was changed.' };
    const alert = await loadAlert(ctx.store.db, id);
    if (!alert) return alertView(ctx, id);
    if (alert.assigned_to_id === ctx.caller.id) return alertView(ctx, id); // a second click or a Teams retry
    const xdr = ctx.services.xdrActions;
    let written: XdrWriteResult | null = null;
    if (alert.graph_id && xdr) {
      // Defender XDR wants a UPN: the clicker's, from the directory (never from the card).
      let upn: string | undefined;
      try {
        upn = (await ctx.directory.getUser(ctx.caller.id))?.userPrincipalName;
      } catch (e) {
        return alertView(ctx, id, `Not assigned: ${toUserMessage(e)}`);
      }
      if (!upn) return alertView(ctx, id, 'Not assigned: the directory has no user principal name for you, and Defender XDR assigns alerts by it. An administrator can check your account in Entra ID.');
      try {
        written = await xdr.assign(alert, upn, AbortSignal.timeout(XDR_TIMEOUT_MS));
      } catch (e) {
        return xdrRefused(ctx, id, 'alert.assign', 'Not assigned', e);
      }
    }
    await change(
      ctx,
      id,
      'alert.assign',
      async (trx, now) => {
        const r = await trx
          .updateTable('alerts')
          .set({ assigned_to_id: ctx.caller.id, assigned_to_name: ctx.caller.name, updated_at: now })
          .where('id', '=', id)
          .where((eb) => eb.or([eb('assigned_to_id', 'is', null), eb('assigned_to_id', '!=', ctx.caller.id)]))
          .executeTakeFirst();
        if (written && alert.graph_id) await xdr!.remember(trx, alert.graph_id, written);
        return Number(r.numUpdatedRows) > 0;
      },
      { graph: written ? { assignedTo: written.state.assignedTo } : null },
    );
    return alertView(ctx, id);
  },
};

export const muteAlertAction: ActionRoute = {
  verb: 'alert.mute',
  capability: 'operate',
  label: 'Muting an alert',
  async handle(ctx) {
    const id = alertIdOf(ctx);
    if (!id) return { message: 'This button did not say which alert to mute; nothing was changed.' };
    const raw = Number(ctx.activity.data?.hours ?? 24);
    const hours = Number.isFinite(raw) ? Math.min(168, Math.max(1, Math.round(raw))) : 24;
    const until = new Date(ctx.clock.now().getTime() + hours * 3_600_000).toISOString();
    // A Teams retry of the same click lands within a minute: do not count it as a second mute.
    const retryFloor = new Date(ctx.clock.now().getTime() + hours * 3_600_000 - 60_000).toISOString();
    await change(
      ctx,
      id,
      'alert.mute',
      async (trx, now) => {
        const r = await trx
          .updateTable('alerts')
          .set({ muted_until: until, updated_at: now })
          .where('id', '=', id)
          .where((eb) => eb.or([eb('muted_until', 'is', null), eb('muted_until', '<', retryFloor)]))
          .executeTakeFirst();
        return Number(r.numUpdatedRows) > 0;
      },
      { hours, until },
    );
    return alertView(ctx, id);
  },
};

/**
 * The risky-user card as the clicker sees it now. The response buttons go to everyone who gets the
 * interactive card (Security Operator and up, like the card's refresh list): they show what can be done
 * and who may do it; pressing one checks for Security Administrator or Global Administrator.
 */
export async function userView(ctx: HandlerContext, key: unknown, extra: Omit<RiskyViewExtra, 'buttons'> = {}): Promise<InvokeResult> {
  if (typeof key !== 'string' || !key || key.length > 600) return { message: 'That card did not name a user.' };
  const last = await ctx.store.db.selectFrom('notify_outbox').select('payload').where('card_key', '=', userKey(key)).where('kind', '=', 'risky').orderBy('seq', 'desc').executeTakeFirst();
  const payload = last ? JSON.parse(last.payload) : { userKey: key, at: ctx.clock.now().toISOString(), detail: null };
  return { card: riskyUserCard(await riskyInput(renderDeps(ctx), payload, can(ctx.caller.roles, 'manage'), { ...extra, buttons: can(ctx.caller.roles, 'operate') })) };
}

/** `alert.show` {alertId}: the full alert card from any list (alerts, a user's timelines, a digest). */
export const showAlertAction: ActionRoute = {
  verb: 'alert.show',
  capability: 'read',
  label: 'Opening an alert',
  handle: (ctx) => alertView(ctx, alertIdOf(ctx)),
};

/** `user.dismiss` lives with risk scoring (bot/hybrid); the risky card's refresh view is userView here. */
export const alertActions = [showAlertAction, closeAlertAction, assignAlertAction, muteAlertAction];
