import personal from '../fixtures/teams/personal-message.json';
import channel from '../fixtures/teams/channel-message.json';
import cardAction from '../fixtures/teams/card-action.json';
import botAdded from '../fixtures/teams/bot-added-to-team.json';
import composeQuery from '../fixtures/teams/compose-query.json';
import composeQueryLink from '../fixtures/teams/compose-query-link.json';
import composeAnonymousLink from '../fixtures/teams/compose-anonymous-query-link.json';
import composeCardButton from '../fixtures/teams/compose-card-button.json';

export const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';

/** Directory users of directory.sample.json. */
export const USERS = {
  globalAdmin: { aadObjectId: '00000000-0000-0000-0000-000000000001', name: 'Alex Wilber' },
  securityAdmin: { aadObjectId: '00000000-0000-0000-0000-000000000002', name: 'Megan Bowen' },
  securityReader: { aadObjectId: '00000000-0000-0000-0000-000000000003', name: 'Lee Gu' },
  noRole: { aadObjectId: '00000000-0000-0000-0000-000000000004', name: 'John Doe' },
  securityOperator: { aadObjectId: '00000000-0000-0000-0000-000000000005', name: 'Isaiah Langer' },
} as const;

export type TestUser = { aadObjectId: string; name: string };

let seq = 0;
const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x));

function who(a: any, user: TestUser) {
  a.from = { id: `29:${user.aadObjectId}`, name: user.name, aadObjectId: user.aadObjectId };
  a.conversation.id = a.conversation.conversationType === 'personal' ? `a:personal-${user.aadObjectId}` : a.conversation.id;
}

/** A personal-chat message from `user`, replies going to `serviceUrl`. */
export function makeMessage(text: string, user: TestUser, serviceUrl: string, overrides: Record<string, unknown> = {}): any {
  const a = clone(personal) as any;
  who(a, user);
  a.id = `msg-${++seq}`;
  a.text = text;
  a.serviceUrl = serviceUrl;
  return { ...a, ...overrides };
}

/** An @mention in a SOC channel. */
export function makeChannelMessage(text: string, user: TestUser, serviceUrl: string, channelId = '19:soc-alerts@thread.tacv2'): any {
  const a = clone(channel) as any;
  who(a, user);
  a.id = `msg-${++seq}`;
  a.text = `<at>Hybridwatch</at> ${text}`;
  a.serviceUrl = serviceUrl;
  a.conversation.id = `${channelId};messageid=${a.id}`;
  a.channelData.channel.id = channelId;
  a.channelData.teamsChannelId = channelId;
  return a;
}

/** A button press on an Action.Execute card. */
export function makeAction(verb: string, data: Record<string, unknown>, user: TestUser, serviceUrl: string, overrides: Record<string, unknown> = {}): any {
  const a = clone(cardAction) as any;
  who(a, user);
  a.id = `inv-${++seq}`;
  a.serviceUrl = serviceUrl;
  a.value.action.verb = verb;
  a.value.action.data = data;
  return { ...a, ...overrides };
}

export function makeBotAdded(serviceUrl: string): any {
  const a = clone(botAdded) as any;
  a.serviceUrl = serviceUrl;
  return a;
}

function asComposer(a: any, user: TestUser) {
  a.from = { id: `29:${user.aadObjectId}`, name: user.name, aadObjectId: user.aadObjectId };
}

/** `composeExtension/query` as Teams sends it while the user types in the compose box. */
export function makeQuery(commandId: string, text: string | null, user: TestUser, serviceUrl: string, options: { skip?: number; count?: number; initialRun?: boolean } = {}): any {
  const a = clone(composeQuery) as any;
  asComposer(a, user);
  a.id = `f:query-${++seq}`;
  a.serviceUrl = serviceUrl;
  a.value.commandId = commandId;
  a.value.parameters = options.initialRun ? [{ name: 'initialRun', value: 'true' }] : [{ name: 'query', value: text }];
  a.value.queryOptions = { skip: options.skip ?? 0, count: options.count ?? 25 };
  return a;
}

/** `composeExtension/queryLink` (a link pasted in the compose box), or its zero-install anonymous form. */
export function makeQueryLink(url: unknown, user: TestUser | null, serviceUrl: string): any {
  const a = clone(user ? composeQueryLink : composeAnonymousLink) as any;
  if (user) asComposer(a, user);
  a.id = `f:link-${++seq}`;
  a.serviceUrl = serviceUrl;
  a.value = { url };
  return a;
}

/** An Action.Submit pressed on a card the message extension inserted (`composeExtension/onCardButtonClicked`). */
export function makeCardButton(data: Record<string, unknown>, user: TestUser, serviceUrl: string): any {
  const a = clone(composeCardButton) as any;
  asComposer(a, user);
  a.id = `f:button-${++seq}`;
  a.serviceUrl = serviceUrl;
  a.value = data;
  return a;
}
