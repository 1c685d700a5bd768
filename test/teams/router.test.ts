import { command, matchAction, matchCommand, type ActionRoute, type CommandRoute } from '../../bot/teams/router';
import { stripMentions, toChatActivity } from '../../bot/teams/chat-activity';
import channel from '../fixtures/teams/channel-message.json';
import cardAction from '../fixtures/teams/card-action.json';
import botAdded from '../fixtures/teams/bot-added-to-team.json';

const route = (name: string, match: RegExp): CommandRoute => ({ name, usage: name, description: '', capability: 'read', match, handle: async () => undefined });

describe('router (data, no HTTP)', () => {
  const routes = [route('status', command('status')), route('subscribe', command('subscribe', '(low|medium|high)')), route('user', command('user', '(.+)'))];

  test.each([
    ['status', 'status'],
    ['STATUS', 'status'],
    ['  Status  ', 'status'],
    ['subscribe', 'subscribe'],
    ['subscribe HIGH', 'subscribe'],
    ['user CONTOSO\\jdoe', 'user'],
  ])('%j → %s', (text, name) => {
    expect(matchCommand(routes, text)?.route.name).toBe(name);
  });

  test.each(['statuses', 'subscribe critical', 'please status', '', 'status; drop table alerts'])('%j matches nothing', (text) => {
    expect(matchCommand(routes, text)).toBeNull();
  });

  test('arguments are captured', () => {
    expect(matchCommand(routes, 'user Wofford Thurston')?.match[1]).toBe('Wofford Thurston');
    expect(matchCommand(routes, 'subscribe low')?.match[1]).toBe('low');
  });

  test('actions route by verb only', () => {
    const actions: ActionRoute[] = [{ verb: 'integration.enable', capability: 'integrate', label: 'x', handle: async () => ({ message: '' }) }];
    expect(matchAction(actions, 'integration.enable')?.verb).toBe('integration.enable');
    expect(matchAction(actions, 'integration.enable ')).toBeNull();
    expect(matchAction(actions, undefined)).toBeNull();
  });
});

describe('activity normalization', () => {
  test('channel @mention is stripped; channel id without ;messageid', () => {
    const a = toChatActivity(channel as any, {});
    expect(a.kind).toBe('message');
    expect(a.text).toBe('subscribe high');
    expect(a.conversation).toMatchObject({ type: 'channel', channelId: '19:soc-alerts@thread.tacv2', teamId: '19:team-soc@thread.tacv2' });
    expect(a.tenantId).toBe('72f988bf-86f1-41af-91ab-2d7cd011db47');
  });

  test('stripMentions handles several mentions, &nbsp; and stray tags', () => {
    expect(stripMentions('<at>Hybridwatch</at>&nbsp;status')).toBe('status');
    expect(stripMentions('<at id="0">Hybrid watch</at> <at>Other</at>  help <b>now</b>')).toBe('help now');
  });

  test('invoke carries verb and data; identity is from.aadObjectId only', () => {
    const a = toChatActivity({ ...(cardAction as any), value: { action: { verb: 'integration.enable', data: { aadObjectId: 'evil' } } } }, {});
    expect(a.kind).toBe('action');
    expect(a.verb).toBe('integration.enable');
    expect(a.from.aadObjectId).toBe('00000000-0000-0000-0000-000000000001');
  });

  test('hostile invoke values do not throw', () => {
    for (const value of [null, 'x', 42, { action: null }, { action: { verb: 7, data: [1, 2] } }, { action: { verb: 'v', data: 'str' } }]) {
      const a = toChatActivity({ ...(cardAction as any), value }, {});
      expect(a.kind).toBe('action');
      expect(typeof a.verb).toBe('string');
      expect(a.data).toEqual(expect.any(Object));
    }
  });

  test('bot added to a team is an install', () => {
    expect(toChatActivity(botAdded as any, {}).kind).toBe('install');
  });
});
