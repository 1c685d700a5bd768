import { randomUUID } from 'node:crypto';
import { MAX_COMMENT_CHARS } from '../../sources/graph/xdr-actions';
import { loadAlert } from '../../notify/render';
import type { ActionRoute } from '../router';
import { actor, alertIdOf, alertView, change, xdrRefused, XDR_TIMEOUT_MS } from './alert-actions';

/** A Teams retry of the same click arrives within seconds: the same words from the same person are one comment. */
const RETRY_WINDOW_MS = 2 * 60_000;

/** What the Input.Text sent: printable, trimmed; null when it is not text. */
export function commentText(v: unknown): string | null {
  if (typeof v !== 'string') return null;
  return v.replace(/\r\n?/g, '\n').replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '').trim();
}

/**
 * `alert.comment {alertId, comment}` (Security Operator and up), from the Input.Text in the alert card's
 * "Comment…" ShowCard: posted to Defender XDR when the alert has a Graph id, kept in the ledger with
 * who/when either way, and shown on the card.
 */
export const commentAlertAction: ActionRoute = {
  verb: 'alert.comment',
  capability: 'operate',
  label: 'Commenting on an alert',
  async handle(ctx) {
    const id = alertIdOf(ctx);
    if (!id) return { message: 'This button did not say which alert to comment on; nothing was posted.' };
    const text = commentText(ctx.activity.data?.comment);
    if (!text) return alertView(ctx, id, 'Write a comment first; nothing was posted.');
    const length = Array.from(text).length;
    if (length > MAX_COMMENT_CHARS) return alertView(ctx, id, `A comment can be at most 1,000 characters (yours has ${length.toLocaleString('en-US')}); nothing was posted.`);
    const alert = await loadAlert(ctx.store.db, id);
    if (!alert) return alertView(ctx, id);
    const since = new Date(ctx.clock.now().getTime() - RETRY_WINDOW_MS).toISOString();
    const repeat = await ctx.store.db.selectFrom('alert_comments').select('id').where('alert_id', '=', id).where('by_id', '=', ctx.caller.id).where('text', '=', text).where('at', '>=', since).executeTakeFirst();
    if (repeat) return alertView(ctx, id);

    const xdr = ctx.services.xdrActions;
    const toGraph = !!(alert.graph_id && xdr);
    if (toGraph) {
      try {
        await xdr!.comment(alert, text, actor(ctx), AbortSignal.timeout(XDR_TIMEOUT_MS));
      } catch (e) {
        return xdrRefused(ctx, id, 'alert.comment', 'Comment not posted', e);
      }
    }
    await change(
      ctx,
      id,
      'alert.comment',
      async (trx, now) => {
        await trx.insertInto('alert_comments').values({ id: randomUUID(), alert_id: id, at: now, by_id: ctx.caller.id, by_name: ctx.caller.name, text, target: toGraph ? 'graph' : 'local' }).execute();
        await trx.updateTable('alerts').set({ updated_at: now }).where('id', '=', id).execute();
        return true;
      },
      { graph: toGraph, chars: length },
    );
    return alertView(ctx, id, toGraph ? undefined : 'Saved in Hybridwatch only: this alert did not come through Defender XDR (Microsoft Graph), and neither Azure ATP syslog nor the Cloud App Security API takes comments.');
  },
};
