import type { AppParts, Feature } from '../feature';
import { can } from '../directory/roles';
import { alertActions } from '../teams/actions/alert-actions';
import { commentAlertAction } from '../teams/actions/comment-action';
import { subscriptionCommands } from '../teams/commands/subscription-commands';
import { createProactiveSender } from '../teams/proactive';
import type { ChatActivity } from '../teams/chat-activity';
import { DeliveryWorker, realTimer, type WorkerOptions, type WorkerTimer } from './delivery-worker';
import { Outbox } from './outbox';
import { renderRow, type RenderDeps } from './render';
import type { ProactiveSender } from './sender';
import type { NotifyService } from './notify-service';
import { markInactive, rememberConversation } from './subscriptions';

export interface NotifyOptions {
  /** Cards per conversation per minute before the rest of the minute goes into a digest (Teams allows 60/30 s; 20 keeps a channel readable). */
  digestAfter: number;
  sender?: ProactiveSender;
  timer?: WorkerTimer;
  worker?: Partial<WorkerOptions>;
}

const WELCOME =
  'Hybridwatch is here. It posts hybrid alert cards (Azure ATP on-premises + Cloud App Security), risky users and integration changes to the conversations that subscribe. A Security Administrator can @mention me with `subscribe` (or `subscribe high`) in the channel that should get them; `help` lists everything.';

const ADMIN_CACHE_MS = 5 * 60_000;

/**
 * SOC channel cards: `subscribe` / `unsubscribe` / `subscriptions`, the outbox written inside each
 * event's transaction, the paced delivery worker, and the alert / risky-user card actions.
 */
export function notifyFeature(parts: AppParts, o: Partial<NotifyOptions> = {}): Feature {
  const { services, store, clock, log, directory, config } = parts;
  const timer = o.timer ?? realTimer;
  let adminCache: { at: number; ids: string[] } | null = null;

  /**
   * Who gets the interactive card through refresh.userIds (≤ 60 user MRIs). With DIRECTORY_FILE the
   * directory lists every operator (`8:orgid:<object id>`). Graph cannot cheaply list role members
   * transitively, so there it is the people who subscribed a conversation (their Teams id from the
   * activity). Anyone else still gets buttons by pressing Refresh: the refresh verb checks roles.
   */
  async function adminIds(): Promise<string[]> {
    const now = timer.now();
    if (adminCache && now - adminCache.at < ADMIN_CACHE_MS) return adminCache.ids;
    const ids = new Set<string>();
    try {
      if (directory.listUsers) for (const u of await directory.listUsers()) if (can(u.roles, 'operate')) ids.add(`8:orgid:${u.aadObjectId}`);
    } catch (e) {
      log.warn({ err: { message: (e as Error).message } }, 'notify: could not list directory operators for card refresh');
    }
    const subs = await store.db.selectFrom('notify_conversations').select('subscribed_by_mri').distinct().where('subscribed_by_mri', 'is not', null).execute();
    for (const s of subs) if (s.subscribed_by_mri) ids.add(s.subscribed_by_mri);
    adminCache = { at: now, ids: [...ids].slice(0, 60) };
    return adminCache.ids;
  }

  const render: RenderDeps = { db: store.db, clock, linkHosts: services.linkHosts, adminIds, responseView: async (key, buttons) => (services.identityResponse ? services.identityResponse.view(key, buttons) : null) };
  const worker = new DeliveryWorker({
    db: store.db,
    dialect: store.dialect,
    sender: o.sender ?? createProactiveSender(parts.adapter, config.bot.appId),
    render: (row) => renderRow(render, row),
    clock,
    log: log.child({ concern: 'notify' }),
    metrics: services.metrics,
    timer,
    options: o.worker,
  });
  const outbox = new Outbox({ dialect: store.dialect, digestAfter: o.digestAfter ?? 20, nowMs: () => timer.now(), nudge: () => worker.nudge(), nudgeNow: () => worker.nudgeNow(), events: services.events });
  const notify: NotifyService = { outbox, worker, render, adminIds };
  services.notify = notify;
  services.events.on(
    (trx, e) => outbox.listen(trx, [e]),
    (trx, events) => outbox.listen(trx, events),
  );

  services.conversationHooks.push(async (a: ChatActivity) => {
    const at = clock.now().toISOString();
    if (a.kind === 'install') {
      const id = await rememberConversation(store.db, a, at);
      log.info({ conversation: id, kind: a.conversation.type }, 'notify: conversation reference kept (install)');
      if (a.conversation.type === 'channel' || a.conversation.teamId) await outbox.insert(store.db, id, 'text', null, { text: WELCOME }, at);
    } else if (a.kind === 'uninstall') {
      const id = a.conversation.type === 'channel' ? a.conversation.channelId ?? a.conversation.id.split(';')[0] : a.conversation.id;
      await markInactive(store.db, id, 'the bot was removed from this conversation', at);
      log.info({ conversation: id }, 'notify: conversation marked inactive (uninstall)');
    }
  });

  return {
    name: 'notify',
    commands: subscriptionCommands,
    actions: [...alertActions, commentAlertAction],
    readiness: [],
    start: () => worker.start(),
    stop: () => worker.stop(),
  };
}
