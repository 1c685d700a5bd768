import { alertsCard } from '../../../cards/alerts-card';
import { riskyCard } from '../../../cards/risky-card';
import { userCard } from '../../../cards/user-card';
import { can } from '../../directory/roles';
import { audit } from '../../integration/audit';
import { toUserMessage } from '../../errors';
import type { HandlerContext, InvokeResult } from '../../teams/context';
import { command, type ActionRoute, type CommandRoute } from '../../teams/router';
import type { PriorityService } from '../priority-service';
import type { CardMessage } from '../../../cards/card';
import type { NoticeTone } from '../../../cards/response-section';
import type { DirectoryUser } from '../../directory/directory';
import { alertsData, findUser, profileData, riskyData, type ViewDeps } from '../views';

/**
 * The `user` card as the caller sees it: Dismiss for Security Administrators and up; the identity
 * response section (issue 15) for everyone, its buttons for Security Operators and up (pressing one
 * checks for Security Administrator or Global Administrator).
 */
export async function profileCard(deps: ViewDeps, ctx: HandlerContext, key: string, o: { notice?: string; noticeTone?: NoticeTone; directoryUser?: DirectoryUser } = {}): Promise<CardMessage> {
  const svc = ctx.services.identityResponse;
  const response = svc ? await svc.view(key, can(ctx.caller.roles, 'operate')).catch((e) => (ctx.log.warn({ err: { message: (e as Error).message } }, 'identity response view failed'), null)) : null;
  return userCard(await profileData(deps, key, ctx.clock.now(), { interactive: can(ctx.caller.roles, 'manage'), directoryUser: o.directoryUser, notice: o.notice, noticeTone: o.noticeTone, response }));
}

const MAX_QUERY = 256;

export function hybridCommands(deps: ViewDeps): CommandRoute[] {
  const risky: CommandRoute = {
    name: 'risky',
    usage: 'risky',
    description: 'top users by hybrid investigation priority (score, tactics, hybrid chain, on-premises / cloud split)',
    capability: 'read',
    match: command('risky'),
    async handle(ctx) {
      await ctx.send(riskyCard(await riskyData(deps, ctx.clock.now())));
    },
  };
  const user: CommandRoute = {
    name: 'user',
    usage: 'user <upn | DOMAIN\\sam | display name>',
    description: "one user's hybrid profile: on-premises and cloud alerts, score, percentile, history",
    capability: 'read',
    match: command('user', '(.+)'),
    async handle(ctx, m) {
      const q = (m[1] ?? '').trim();
      if (!q) return void (await ctx.send('Which user? Send `user` followed by a UPN (jdoe@contoso.com), DOMAIN\\sam (CONTOSO\\jdoe) or a display name.'));
      if (q.length > MAX_QUERY) return void (await ctx.send(`That name is longer than ${MAX_QUERY} characters; send a UPN, DOMAIN\\sam or display name.`));
      const found = await findUser(deps, q);
      if (found.key === null) return void (await ctx.send(found.message));
      await ctx.send(await profileCard(deps, ctx, found.key, { directoryUser: found.directoryUser }));
    },
  };
  const alerts: CommandRoute = {
    name: 'alerts',
    usage: 'alerts',
    description: 'latest open hybrid alerts',
    capability: 'read',
    match: command('alerts'),
    async handle(ctx) {
      await ctx.send(alertsCard(await alertsData(deps, ctx.clock.now())));
    },
  };
  return [alerts, risky, user];
}

const validKey = (key: unknown): key is string => typeof key === 'string' && key.length > 0 && key.length <= 600;

/** `user.show` {userKey}: a user's hybrid profile, from a row of the `risky` list (readers and up). */
export function showUserAction(deps: ViewDeps): ActionRoute {
  return {
    verb: 'user.show',
    capability: 'read',
    label: "Opening a user's profile",
    async handle(ctx: HandlerContext): Promise<InvokeResult> {
      const key = ctx.activity.data?.userKey;
      if (!validKey(key)) return { message: 'This button did not say which user to open; send `risky` for a fresh list.' };
      const known = await deps.priority.stored(deps.db, [key]);
      if (!known.has(key)) return { message: 'No such user in the hybrid view (it may have been purged by retention). Send `risky` for the current list.' };
      return { card: await profileCard(deps, ctx, key) };
    },
  };
}

/**
 * `user.dismiss` {userKey}: clears a risky user (Security Administrator and up), audited, every posted
 * risky-user card updated. Idempotent. When Entra ID Protection counts the user at risk, their risk is
 * dismissed there too (issue 15; that part needs Security Administrator or Global Administrator).
 */
export function dismissAction(deps: ViewDeps & { priority: PriorityService }): ActionRoute {
  return {
    verb: 'user.dismiss',
    capability: 'manage',
    label: 'Dismissing a risky user',
    async handle(ctx: HandlerContext): Promise<InvokeResult> {
      const key = ctx.activity.data?.userKey;
      if (!validKey(key)) return { message: 'This Dismiss button carries no valid user; send `risky` for a fresh list.' };
      const actor = { id: ctx.caller.id, name: ctx.caller.name };
      const now = ctx.clock.now();
      const res = await deps.db.transaction().execute(async (trx) => {
        const r = await deps.priority.dismiss(trx, key, actor);
        await audit(trx, { actor, action: 'user.dismiss', outcome: r.changed ? 'ok' : 'noop', from: r.row?.risky_state ?? null, to: r.changed ? 'dismissed' : r.row?.risky_state ?? null, detail: { userKey: key, score: r.row ? r.row.score_centi / 100 : null }, at: now });
        if (r.changed) await ctx.services.events.emit(trx, { type: 'user.changed', userKey: key, action: 'user.dismiss', actor, at: now.toISOString() });
        return r;
      });
      if (!res.row) return { message: 'No such user in the hybrid view (it may have been purged by retention).' };
      ctx.log.info({ user: key, by: actor.id, changed: res.changed }, 'user.dismiss');
      let notice = res.changed ? `Dismissed by ${actor.name}. The user is announced again only on a new alert of a detection type they did not have yet, or after the score falls below the re-arm line and crosses again.` : 'This user was not risky (already dismissed, or below the threshold); nothing changed.';
      const entra = await ctx.services.identityResponse?.dismissInEntra(key, actor, can(ctx.caller.roles, 'respond')).catch((e) => {
        ctx.log.warn({ err: { message: (e as Error).message }, user: key }, 'user.dismiss: Entra ID Protection part failed');
        return `Entra ID Protection's risk was left as is: ${toUserMessage(e)}`;
      });
      if (entra) notice += ` ${entra}`;
      return { card: await profileCard(deps, ctx, key, { notice }) };
    },
  };
}
