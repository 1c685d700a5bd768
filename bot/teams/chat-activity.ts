import type { Activity, ConversationReference } from 'botbuilder';

/** One normalized event from Teams, whatever the activity shape (bolt's Receiver idea). */
export interface ChatActivity {
  kind: 'message' | 'action' | 'install' | 'uninstall' | 'other';
  /** Message text with bot mentions stripped, whitespace folded. */
  text: string;
  verb?: string;
  data?: Record<string, unknown>;
  trigger?: 'manual' | 'automatic';
  /** Identity comes only from here: `from.aadObjectId` of the activity, never from card data. */
  from: { aadObjectId?: string; name: string; id: string };
  tenantId?: string;
  conversation: { id: string; type: 'personal' | 'groupChat' | 'channel'; channelId?: string; teamId?: string };
  serviceUrl: string;
  replyToId?: string;
  activityId?: string;
  reference: Partial<ConversationReference>;
}

const MENTION = /<at(?:\s[^>]*)?>[\s\S]*?<\/at>/gi;

export function stripMentions(text: string): string {
  return text
    .replace(MENTION, ' ')
    .replace(/&nbsp;|\u00a0/g, ' ')
    .replace(/<[^>]{0,200}>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

export function tenantOf(a: Partial<Activity>): string | undefined {
  const t = a.conversation?.tenantId ?? (a.channelData as { tenant?: { id?: string } } | undefined)?.tenant?.id;
  return typeof t === 'string' ? t.toLowerCase() : undefined;
}

export function toChatActivity(a: Activity, reference: Partial<ConversationReference>): ChatActivity {
  const cd = (a.channelData ?? {}) as Record<string, any>;
  const convType = a.conversation?.conversationType === 'channel' ? 'channel' : a.conversation?.conversationType === 'groupChat' ? 'groupChat' : 'personal';
  const channelId: string | undefined = cd.channel?.id ?? cd.teamsChannelId ?? (convType === 'channel' ? String(a.conversation?.id ?? '').split(';')[0] : undefined);
  let kind: ChatActivity['kind'] = 'other';
  let verb: string | undefined;
  let data: Record<string, unknown> | undefined;
  let trigger: ChatActivity['trigger'];
  if (a.type === 'message') kind = 'message';
  else if (a.type === 'invoke' && a.name === 'adaptiveCard/action') {
    kind = 'action';
    const v = (a.value ?? {}) as { action?: { verb?: unknown; data?: unknown }; trigger?: unknown };
    verb = typeof v.action?.verb === 'string' ? v.action.verb : '';
    data = v.action?.data && typeof v.action.data === 'object' && !Array.isArray(v.action.data) ? (v.action.data as Record<string, unknown>) : {};
    trigger = v.trigger === 'automatic' ? 'automatic' : 'manual';
  } else if (a.type === 'installationUpdate') {
    kind = (a as { action?: string }).action?.startsWith('remove') ? 'uninstall' : 'install';
  } else if (a.type === 'conversationUpdate') {
    const botId = a.recipient?.id;
    if (a.membersAdded?.some((m) => m.id === botId)) kind = 'install';
    else if (a.membersRemoved?.some((m) => m.id === botId)) kind = 'uninstall';
  }
  return {
    kind,
    text: kind === 'message' ? stripMentions(String(a.text ?? '')) : '',
    verb,
    data,
    trigger,
    from: { aadObjectId: a.from?.aadObjectId, name: String(a.from?.name ?? 'unknown user'), id: String(a.from?.id ?? '') },
    tenantId: tenantOf(a),
    conversation: { id: String(a.conversation?.id ?? ''), type: convType, channelId, teamId: cd.team?.id ?? cd.teamsTeamId },
    serviceUrl: String(a.serviceUrl ?? ''),
    replyToId: a.replyToId,
    activityId: a.id,
    reference,
  };
}
