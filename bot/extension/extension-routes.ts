import { linkNoticeCard, type LinkNoticeInput } from '../../cards/link-notice-card';
import { noticePreview, userPreview } from '../../cards/previews';
import { userCard } from '../../cards/user-card';
import { when } from '../../cards/card';
import { can } from '../directory/roles';
import { findUser, profileData, type ViewDeps } from '../hybrid/views';
import { loadAlert, renderAlert } from '../notify/render';
import { renderDeps } from '../teams/actions/alert-actions';
import type { HandlerContext } from '../teams/context';
import type { ExtensionResult, SearchQuery } from '../teams/extension';
import type { ExtensionCardAction, LinkRoute, QueryRoute, Withheld } from '../teams/router';
import { alertAttachment, alertByRefs } from './alert-results';
import { matchLink, portalOf, type LinkSettings } from './links';
import { findAlerts, findUserKeys, userRows } from './searches';
import { MAX_QUERY, parseQuery } from './search-text';
import type { ScoreMemo } from './score-memo';

/** How long the user search waits for the directory (a UPN or DOMAIN\sam no alert names yet). */
const DIRECTORY_WAIT_MS = 2000;

const tooLong = (what: string): ExtensionResult => ({ type: 'message', text: `Search with at most ${MAX_QUERY} characters: ${what}.` });
/** What was typed; opening the command (`initialRun`) counts as an empty query. */
const parsed = (q: SearchQuery) => (q.initialRun ? ({ kind: 'empty' } as const) : parseQuery(q.text));

/** `work`'s answer, or null when it takes longer than `ms` (or fails). */
async function within<T>(work: Promise<T>, ms: number): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([work.catch(() => null), new Promise<null>((r) => (timer = setTimeout(() => r(null), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** `searchAlerts`: open and recent alerts by title, type, user or host; empty = the latest. */
export const searchAlertsRoute: QueryRoute = {
  commandId: 'searchAlerts',
  label: 'Searching Hybridwatch alerts',
  capability: 'read',
  async handle(ctx, q) {
    const p = parsed(q);
    if (p.kind === 'tooLong') return tooLong('part of an alert title, a detection type, a user or a host');
    const deps = renderDeps(ctx);
    const [alerts, refreshUserIds] = await Promise.all([findAlerts(ctx.store.db, p.kind === 'words' ? p.words : [], q, ctx.clock.now()), deps.adminIds()]);
    return { type: 'result', attachments: await Promise.all(alerts.map((a) => alertAttachment(deps, a, 'search', refreshUserIds))) };
  },
};

/** `searchUsers`: users by display-name (or name word) prefix, UPN, DOMAIN\sam; ranked by investigation priority; empty = the riskiest. */
export function searchUsersRoute(views: ViewDeps, scores: ScoreMemo): QueryRoute {
  return {
    commandId: 'searchUsers',
    label: 'Searching Hybridwatch users',
    capability: 'read',
    async handle(ctx, q) {
      const p = parsed(q);
      if (p.kind === 'tooLong') return tooLong('part of a display name, a UPN (jdoe@contoso.com) or DOMAIN\\sam');
      const now = ctx.clock.now();
      const all = await scores.get(now);
      let keys: string[];
      let directoryUser: Awaited<ReturnType<typeof findUser>> | null = null;
      if (p.kind === 'empty') keys = all.map((s) => s.key);
      else {
        keys = await findUserKeys(ctx.store.db, p.text);
        if (!keys.length && /[@\\]/.test(p.text)) {
          // Someone no alert names yet: the directory knows the UPN or DOMAIN\sam (cached; bounded wait).
          directoryUser = await within(findUser(views, q.text.trim()), DIRECTORY_WAIT_MS);
          if (directoryUser?.key) keys = [directoryUser.key];
        }
        const score = new Map(all.map((s) => [s.key, s.score.scoreCenti]));
        const names = await userRows(ctx.store.db, keys);
        const name = (k: string) => (names.get(k)?.display_name ?? names.get(k)?.upn ?? k).toLowerCase();
        keys.sort((a, b) => (score.get(b) ?? 0) - (score.get(a) ?? 0) || name(a).localeCompare(name(b)) || (a < b ? -1 : 1));
      }
      const page = keys.slice(q.skip, q.skip + q.count);
      const notice = `Drawn at ${when(now.toISOString())} from Hybridwatch's ledger.`;
      const attachments = await Promise.all(
        page.map(async (key) => {
          const du = directoryUser && directoryUser.key === key && 'directoryUser' in directoryUser ? directoryUser.directoryUser : undefined;
          const data = await profileData(views, key, now, { interactive: false, all, directoryUser: du, notice });
          return { card: userCard(data), preview: userPreview(data) };
        }),
      );
      return { type: 'result', attachments };
    },
  };
}

type Matched = NonNullable<ReturnType<typeof matchLink>>;

function notice(m: Matched, reason: LinkNoticeInput['reason'], settings: LinkSettings, linkHosts: readonly string[]): ExtensionResult {
  const card = linkNoticeCard({ reason, portal: portalOf(m.url, settings), url: m.url.toString(), linkHosts });
  return { type: 'result', attachments: [{ card, preview: noticePreview(card.summary) }], noCache: true };
}

/**
 * `composeExtension/queryLink`: a pasted portal link (Azure ATP cs1 URL, Cloud App Security alert,
 * Defender XDR alert or incident) becomes that alert's card; anything else on those portals a neutral card.
 */
export function alertLinkRoute(settings: LinkSettings, linkHosts: readonly string[]): LinkRoute<Matched> {
  return {
    name: 'alert-link',
    label: 'Showing an alert from a link',
    capability: 'read',
    match: (url) => matchLink(url, settings),
    async handle(ctx, m) {
      const found = m.match ? await alertByRefs(ctx.store.db, m.match.refs) : null;
      if (!found) return notice(m, 'unknown', settings, linkHosts);
      const deps = renderDeps(ctx);
      return { type: 'result', attachments: [await alertAttachment(deps, found.alert, 'link', await deps.adminIds(), found.incident)], noCache: true };
    },
    withheld: (m, why: Withheld) => notice(m, why, settings, linkHosts),
  };
}

/**
 * "Open in chat with Hybridwatch" on an inserted card (Action.Submit, so it works where Universal
 * Actions on message-extension cards do not): the full alert card, with the buttons the clicker's
 * roles allow, posted into the clicker's own chat with Hybridwatch.
 */
export const openInChatAction: ExtensionCardAction = {
  verb: 'alert.openInChat',
  capability: 'read',
  label: 'Opening an alert in your chat with Hybridwatch',
  fromExtensionCards: true,
  async handle(ctx: HandlerContext) {
    const id = ctx.activity.data?.alertId;
    const alert = typeof id === 'string' && id.length > 0 && id.length <= 300 ? await loadAlert(ctx.store.db, id) : null;
    if (!alert) return { message: 'That alert is no longer in the ledger (it may have passed the retention period). Send `alerts` for the current ones.' };
    const msg = await renderAlert(renderDeps(ctx), alert, can(ctx.caller.roles, 'operate'));
    if (!('card' in msg)) return { message: msg.text };
    try {
      await ctx.sendToPersonalChat(msg.card);
    } catch (e) {
      ctx.log.warn({ err: { message: (e as Error).message, status: (e as { statusCode?: number }).statusCode }, alertId: alert.id }, 'alert.openInChat: could not post into the personal chat');
      return { message: 'I could not open your chat with Hybridwatch. Add Hybridwatch for yourself (Apps → Hybridwatch → Add), then try again.' };
    }
    ctx.log.info({ alertId: alert.id, by: ctx.caller.id }, 'alert.openInChat');
    return { message: 'The alert card is in your chat with Hybridwatch.' };
  },
};
