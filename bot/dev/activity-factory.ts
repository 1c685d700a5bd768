/**
 * Teams-shaped activities as the Teams client would send them to /api/messages (see
 * teams-activities.md): the console builds these and posts them through the real endpoint.
 */

export const DEV_TENANT_ID = 'dddddddd-0000-4000-8000-00000000de00';
export const DEV_CHANNEL_ID = '19:dev-soc-alerts@thread.tacv2';
export const DEV_TEAM_ID = '19:dev-team-soc@thread.tacv2';
export const BOT_NAME = 'Hybridwatch';

export interface DevUser {
  aadObjectId: string;
  name: string;
}

export interface ActivityEnv {
  /** Where the bot's replies go: this server's /dev/connector/. */
  serviceUrl: string;
  tenantId: string;
  botId: string;
}

export type Pane = 'personal' | 'channel';

export function personalConversationId(user: DevUser): string {
  return `a:dev-personal-${user.aadObjectId}`;
}

function base(env: ActivityEnv, user: DevUser, id: string, now: Date) {
  return {
    id,
    timestamp: now.toISOString(),
    localTimestamp: now.toISOString(),
    serviceUrl: env.serviceUrl,
    channelId: 'msteams',
    from: { id: `29:dev-${user.aadObjectId}`, name: user.name, aadObjectId: user.aadObjectId },
    recipient: { id: env.botId, name: BOT_NAME },
    locale: 'en-US',
  };
}

function conversationFor(env: ActivityEnv, user: DevUser, pane: Pane, threadId: string) {
  if (pane === 'personal') {
    return {
      conversation: { conversationType: 'personal', tenantId: env.tenantId, id: personalConversationId(user) },
      channelData: { tenant: { id: env.tenantId } },
    };
  }
  return {
    conversation: { isGroup: true, conversationType: 'channel', tenantId: env.tenantId, id: `${DEV_CHANNEL_ID};messageid=${threadId}` },
    channelData: {
      teamsChannelId: DEV_CHANNEL_ID,
      teamsTeamId: DEV_TEAM_ID,
      channel: { id: DEV_CHANNEL_ID, name: 'SOC alerts' },
      team: { id: DEV_TEAM_ID, name: 'SOC' },
      tenant: { id: env.tenantId },
    },
  };
}

/** A chat message. In the channel the bot only sees @mentions, so the text carries one, as Teams sends it. */
export function messageActivity(env: ActivityEnv, user: DevUser, pane: Pane, text: string, id: string, now: Date, threadId = id): Record<string, unknown> {
  const mention = `<at>${BOT_NAME}</at>`;
  const a: Record<string, unknown> = {
    type: 'message',
    ...base(env, user, id, now),
    ...conversationFor(env, user, pane, threadId),
    text: pane === 'channel' ? `${mention} ${escapeHtml(text)}` : text,
    textFormat: 'plain',
  };
  if (pane === 'channel') a.entities = [{ type: 'mention', text: mention, mentioned: { id: env.botId, name: BOT_NAME } }];
  return a;
}

/** A button press on an Action.Execute card (`adaptiveCard/action` invoke). */
export function actionActivity(
  env: ActivityEnv,
  user: DevUser,
  pane: Pane,
  card: { activityId: string; threadId?: string },
  action: { verb: string; data: Record<string, unknown> },
  id: string,
  now: Date,
  trigger: 'manual' | 'automatic' = 'manual',
): Record<string, unknown> {
  return {
    type: 'invoke',
    name: 'adaptiveCard/action',
    ...base(env, user, id, now),
    ...conversationFor(env, user, pane, card.threadId ?? card.activityId),
    replyToId: card.activityId,
    value: { action: { type: 'Action.Execute', verb: action.verb, data: action.data }, trigger },
  };
}

/** The bot being added to the dev team with the SOC channel selected (what Teams sends at install). */
export function installActivity(env: ActivityEnv, user: DevUser, id: string, now: Date): Record<string, unknown> {
  return {
    type: 'conversationUpdate',
    ...base(env, user, id, now),
    conversation: { isGroup: true, conversationType: 'channel', tenantId: env.tenantId, id: DEV_CHANNEL_ID },
    membersAdded: [{ id: env.botId }],
    channelData: {
      eventType: 'teamMemberAdded',
      team: { id: DEV_TEAM_ID, name: 'SOC' },
      channel: { id: DEV_CHANNEL_ID, name: 'SOC alerts' },
      settings: { selectedChannel: { id: DEV_CHANNEL_ID } },
      tenant: { id: env.tenantId },
    },
  };
}

/** Teams sends channel message text as HTML; escaping keeps "<" the user typed from becoming markup. */
function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Where a compose box sits: the personal chat, or the channel (no thread: a new post). */
function composeConversation(env: ActivityEnv, user: DevUser, pane: Pane) {
  const c = conversationFor(env, user, pane, '');
  if (pane === 'channel') c.conversation.id = DEV_CHANNEL_ID;
  return { ...c, channelData: { ...c.channelData, source: { name: 'compose' } } };
}

/** A search in the compose box (`composeExtension/query`), as Teams sends it on every keystroke. */
export function queryActivity(
  env: ActivityEnv,
  user: DevUser,
  pane: Pane,
  q: { commandId: string; text: string; skip: number; count: number; initialRun: boolean },
  id: string,
  now: Date,
): Record<string, unknown> {
  return {
    type: 'invoke',
    name: 'composeExtension/query',
    ...base(env, user, id, now),
    ...composeConversation(env, user, pane),
    value: { commandId: q.commandId, parameters: [q.initialRun ? { name: 'initialRun', value: 'true' } : { name: 'query', value: q.text }], queryOptions: { skip: q.skip, count: q.count } },
  };
}

/** A link pasted in the compose box, on a domain the app registered (`composeExtension/queryLink`). */
export function queryLinkActivity(env: ActivityEnv, user: DevUser, pane: Pane, url: string, id: string, now: Date): Record<string, unknown> {
  return { type: 'invoke', name: 'composeExtension/queryLink', ...base(env, user, id, now), ...composeConversation(env, user, pane), value: { url } };
}

/** An Action.Submit on a card the message extension inserted (`composeExtension/onCardButtonClicked`). */
export function cardButtonActivity(env: ActivityEnv, user: DevUser, pane: Pane, card: { activityId: string; threadId?: string }, data: Record<string, unknown>, id: string, now: Date): Record<string, unknown> {
  return {
    type: 'invoke',
    name: 'composeExtension/onCardButtonClicked',
    ...base(env, user, id, now),
    ...conversationFor(env, user, pane, card.threadId ?? card.activityId),
    replyToId: card.activityId,
    value: data,
  };
}
