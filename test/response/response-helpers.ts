import { makeAction, makeChannelMessage, USERS, type TestUser } from '../helpers/activities';
import { cardText, expectValidCard } from '../helpers/cards';
import type { TestApp } from '../helpers/test-app';
import { makeIdentityAccount, makeRiskyUser } from '../fakes/graph-security';
import { JDOE, JDOE_ID, jdoeAttack } from '../hybrid/helpers';
import { startGraphRig, type GraphRig } from '../sources/graph/graph-helpers';

export { JDOE, JDOE_ID };
/** John Doe's on-premises SID in directory.sample.json. */
export const JDOE_SID = 'S-1-5-21-1004336348-1177238915-682003330-1107';
export const CHANNELS = ['19:soc-response-a@thread.tacv2', '19:soc-response-b@thread.tacv2'];
export const VERBS = ['confirmCompromised', 'revokeSessions', 'disableAccount', 'forcePasswordReset'] as const;

/** Every action of a card (ShowCards and what they hold included), with the text each confirmation shows. */
export function actionsOf(card: any): Array<{ type: string; title: string; verb?: string; data?: any; text?: string; inner: any[] }> {
  const out: any[] = [];
  const walk = (x: any) => {
    if (!x || typeof x !== 'object') return;
    if (Array.isArray(x)) return x.forEach(walk);
    if (typeof x.type === 'string' && x.type.startsWith('Action.')) {
      const inner: any[] = [];
      if (x.card) {
        const sub = actionsOf(x.card);
        inner.push(...sub);
      }
      out.push({ type: x.type, title: x.title, verb: x.verb, data: x.data, text: x.card ? cardText(x.card) : undefined, inner });
      if (x.card) return; // its actions are in `inner`
    }
    Object.values(x).forEach(walk);
  };
  walk(card);
  return out;
}

/** The ShowCard that holds the confirmation of `verb` (by its Action.Execute, or by its title when unavailable). */
export function confirmationOf(card: any, verb: string, title: RegExp) {
  return actionsOf(card).find((a) => a.type === 'Action.ShowCard' && (a.inner.some((i) => i.verb === `user.${verb}`) || title.test(a.title)));
}

export interface ResponseRig extends GraphRig {
  /** Press a button as `user` on `t` (default: the rig's app). */
  click(verb: string, data: Record<string, unknown>, user: TestUser, t?: TestApp): Promise<any>;
  /** Where the risky-user card was posted: conversation → activity id. */
  posted: Map<string, string>;
  /** The latest card each conversation shows (the last PUT, else the post). */
  latestCard(conversationId: string): any;
  settle(): Promise<void>;
  audit(action?: string): Promise<Array<{ action: string; outcome: string; actor_name: string; detail: any }>>;
}

/**
 * The real app with Graph configured (one https fake: token, directory, security API, Entra ID
 * Protection, Defender for Identity), two SOC channels subscribed, and John Doe risky after the
 * scenario's three alerts: his risky-user card posted to both channels.
 */
export async function startResponseRig(o: { env?: Record<string, string>; entraRisky?: boolean; mdiAccount?: boolean } = {}): Promise<ResponseRig> {
  const rig = await startGraphRig({ env: o.env });
  const { t, fake } = rig;
  if (o.mdiAccount !== false) {
    fake.identity.identityAccounts.push(
      makeIdentityAccount({ id: 'b1f0c7de-0539-4838-88b1-55baafdc0004', displayName: 'jdoe', domain: 'contoso.local', onPremisesSecurityIdentifier: JDOE_SID, isEnabled: true, accounts: [{ provider: 'ActiveDirectory', identifier: '7c1e2a9b-930a-4991-9061-0d51a9a90004', actions: [] }, { provider: 'EntraID', identifier: JDOE_ID, actions: [] }] }),
    );
  }
  if (o.entraRisky !== false) fake.identity.riskyUsers.set(JDOE_ID, makeRiskyUser({ id: JDOE_ID, userDisplayName: 'John Doe', userPrincipalName: 'jdoe@contoso.com', riskLevel: 'medium', riskState: 'atRisk', riskDetail: 'none' }));
  const c = t.connector;
  for (const ch of CHANNELS) {
    expect((await t.post(makeChannelMessage('subscribe low', USERS.securityAdmin, c.url, ch))).status).toBe(200);
  }
  await c.waitFor(() => c.texts().filter((x) => /now receives hybrid alert cards/.test(x)).length === CHANNELS.length);
  for (const a of jdoeAttack(t.clock.now().toISOString())) await t.app.services.ledger.record(a);
  const db = t.app.store.db;
  const pending = async () => Number((await db.selectFrom('notify_outbox').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '=', 'pending').executeTakeFirstOrThrow()).n);
  const settle = async () => {
    for (let i = 0; i < 200 && (await pending()) > 0; i++) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 100));
    expect(await pending()).toBe(0);
  };
  await settle();
  const posted = new Map<string, string>();
  for (const r of await db.selectFrom('notify_cards').selectAll().where('card_key', '=', `user:${JDOE}`).execute()) posted.set(r.conversation_id, r.activity_id);
  expect([...posted.keys()].sort()).toEqual([...CHANNELS].sort());
  return {
    ...rig,
    posted,
    settle,
    async click(verb, data, user, app = t) {
      const res = await app.post(makeAction(verb, data, user, c.url));
      expect(res.status).toBe(200);
      if (res.body?.type === 'application/vnd.microsoft.card.adaptive') expectValidCard(res.body.value);
      return res.body;
    },
    latestCard(conversationId) {
      const id = posted.get(conversationId)!;
      const put = c.updates(id).at(-1);
      if (put) return put.body.attachments[0].content;
      // A channel post starts a thread (POST v3/conversations naming the channel).
      const post = c.calls.filter((x) => x.method === 'POST' && !x.conversationId && x.body?.channelData?.channel?.id === conversationId).map((x) => x.body.activity.attachments?.[0]?.content).find((x) => x && /Risky user/.test(cardText(x)));
      return post;
    },
    async audit(action) {
      let q = db.selectFrom('audit_log').select(['action', 'outcome', 'actor_name', 'detail', 'at']).orderBy('at');
      if (action) q = q.where('action', '=', action);
      return (await q.execute()).map((r) => ({ ...r, detail: JSON.parse(r.detail) }));
    },
  };
}

/** The text of an invoke answer (card or message). */
export const answerText = (body: any): string => (body?.type === 'application/vnd.microsoft.card.adaptive' ? cardText(body.value) : String(body?.value ?? ''));
