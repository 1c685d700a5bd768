import type { Activity, ConversationReference } from 'botbuilder';
import { DEFAULT_COUNT, MAX_COUNT, MAX_QUERY_INPUT, MAX_SKIP, type SearchQuery } from './extension';

/** A message-extension invoke, normalized and bounded (values are untrusted). */
export type ExtensionInvoke =
  | { name: 'query'; query: SearchQuery }
  | { name: 'queryLink'; url: string; anonymous: boolean };

/** One normalized event from Teams, whatever the activity shape (bolt's Receiver idea). */
export interface ChatActivity {
  kind: 'message' | 'action' | 'extension' | 'install' | 'uninstall' | 'other';
  /** Message text with bot mentions stripped, whitespace folded. */
  text: string;
  verb?: string;
  data?: Record<string, unknown>;
  trigger?: 'manual' | 'automatic';
  /** `cardButton`: an Action.Submit on a card the message extension inserted (composeExtension/onCardButtonClicked). */
  via?: 'card' | 'cardButton';
  extension?: ExtensionInvoke;
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
  let via: ChatActivity['via'];
  let extension: ExtensionInvoke | undefined;
  if (a.type === 'message') kind = 'message';
  else if (a.type === 'invoke' && a.name === 'adaptiveCard/action') {
    kind = 'action';
    const v = (a.value ?? {}) as { action?: { verb?: unknown; data?: unknown }; trigger?: unknown };
    verb = typeof v.action?.verb === 'string' ? v.action.verb : '';
    data = v.action?.data && typeof v.action.data === 'object' && !Array.isArray(v.action.data) ? (v.action.data as Record<string, unknown>) : {};
    trigger = v.trigger === 'automatic' ? 'automatic' : 'manual';
    via = 'card';
  } else if (a.type === 'invoke' && a.name === 'composeExtension/onCardButtonClicked') {
    // Action.Submit on a card the message extension inserted: its data is the value (msteams-docs#947).
    kind = 'action';
    const v = a.value && typeof a.value === 'object' && !Array.isArray(a.value) ? (a.value as Record<string, unknown>) : {};
    verb = typeof v.verb === 'string' ? v.verb : '';
    data = v;
    trigger = 'manual';
    via = 'cardButton';
  } else if (a.type === 'invoke' && a.name === 'composeExtension/query') {
    kind = 'extension';
    extension = { name: 'query', query: searchQueryOf(a.value) };
  } else if (a.type === 'invoke' && (a.name === 'composeExtension/queryLink' || a.name === 'composeExtension/anonymousQueryLink')) {
    kind = 'extension';
    const url = (a.value as { url?: unknown } | undefined)?.url;
    extension = { name: 'queryLink', url: typeof url === 'string' ? url.slice(0, MAX_QUERY_INPUT) : '', anonymous: a.name === 'composeExtension/anonymousQueryLink' };
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
    via,
    extension,
    from: { aadObjectId: a.from?.aadObjectId, name: String(a.from?.name ?? 'unknown user'), id: String(a.from?.id ?? '') },
    tenantId: tenantOf(a),
    conversation: { id: String(a.conversation?.id ?? ''), type: convType, channelId, teamId: cd.team?.id ?? cd.teamsTeamId },
    serviceUrl: String(a.serviceUrl ?? ''),
    replyToId: a.replyToId,
    activityId: a.id,
    reference,
  };
}

const intIn = (v: unknown, min: number, max: number, def: number): number => {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() ? Number(v) : NaN;
  return Number.isInteger(n) ? Math.min(max, Math.max(min, n)) : def;
};

/** `value: { commandId, parameters: [{ name, value }], queryOptions: { skip, count } }`, whatever arrives. */
export function searchQueryOf(value: unknown): SearchQuery {
  const v = value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, any>) : {};
  const params: Array<{ name?: unknown; value?: unknown }> = Array.isArray(v.parameters) ? v.parameters.slice(0, 10).filter((p: unknown) => p && typeof p === 'object') : [];
  const initialRun = params.some((p) => p.name === 'initialRun' && String(p.value).toLowerCase() === 'true');
  const param = params.find((p) => p.name === 'query') ?? params.find((p) => p.name !== 'initialRun');
  const text = !initialRun && typeof param?.value === 'string' ? param.value.slice(0, MAX_QUERY_INPUT) : '';
  const o = v.queryOptions && typeof v.queryOptions === 'object' ? v.queryOptions : {};
  return {
    commandId: typeof v.commandId === 'string' ? v.commandId.slice(0, 64) : '',
    text,
    initialRun,
    skip: intIn(o.skip, 0, MAX_SKIP, 0),
    count: intIn(o.count, 1, MAX_COUNT, DEFAULT_COUNT),
  };
}
