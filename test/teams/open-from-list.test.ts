import { makeChannelMessage, USERS, type TestUser } from '../helpers/activities';
import { cardText, expectValidCard } from '../helpers/cards';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { HYBRID_DIRECTORY, JDOE, click, jdoeAttack, say } from '../hybrid/helpers';

const CHANNEL = '19:soc-open@thread.tacv2';

/** Every Action.Execute on a card, with where it sits. */
function executes(card: any): Array<{ title: string; verb: string; data: any }> {
  const out: any[] = [];
  const walk = (x: any) => {
    if (!x || typeof x !== 'object') return;
    if (Array.isArray(x)) return x.forEach(walk);
    if (x.type === 'Action.Execute') out.push({ title: x.title, verb: x.verb, data: x.data });
    Object.values(x).forEach(walk);
  };
  walk(card.body);
  return out;
}

describe('open any alert from a list: alert.show / user.show over /api/messages, with the clicker\'s buttons', () => {
  let t: TestApp;
  beforeEach(async () => {
    // Two cards a minute per conversation, so the third alert of the attack lands in a digest.
    t = await startTestApp({ env: { DIRECTORY_FILE: HYBRID_DIRECTORY }, overrides: { notify: { digestAfter: 2 } } });
  });
  afterEach(async () => {
    await t.close();
  });
  const now = () => t.clock.now().toISOString();
  const idOf = async (title: string) => (await t.app.store.db.selectFrom('alerts').select('id').where('title', '=', title).executeTakeFirstOrThrow()).id;

  /** Click a row's button as `user`: the answer card (Teams puts it in place of the list, for the clicker only). */
  async function open(row: { verb: string; data: any }, user: TestUser) {
    const body = await click(t, row.verb, row.data, user);
    expect(body.type).toBe('application/vnd.microsoft.card.adaptive');
    expectValidCard(body.value);
    return body.value;
  }
  /** A reader gets the alert card without operate buttons; an operator gets Close / Assign / Mute. */
  async function expectRoleViews(row: { verb: string; data: any }, title: RegExp) {
    const read = await open(row, USERS.securityReader);
    expect(cardText(read)).toMatch(title);
    expect(JSON.stringify(read)).not.toMatch(/alert\.close|alert\.assign|alert\.mute/);
    const op = await open(row, USERS.securityOperator);
    expect(cardText(op)).toMatch(title);
    expect(cardText(op)).toContain('[Close…]');
    expect(JSON.stringify(op)).toContain(`"verb":"alert.close"`);
    expect(JSON.stringify(op)).toContain(`"alertId":${JSON.stringify(row.data.alertId)}`);
  }

  test('from `alerts`: every row opens its alert', async () => {
    for (const a of jdoeAttack(now())) await t.app.services.ledger.record(a);
    await say(t, 'alerts', USERS.securityReader);
    const list = t.connector.cards()[0];
    const rows = executes(list).filter((x) => x.verb === 'alert.show');
    expect(rows).toHaveLength(3);
    const ids = (await t.app.store.db.selectFrom('alerts').select('id').execute()).map((r) => r.id).sort();
    expect(rows.map((r) => r.data.alertId).sort()).toEqual(ids);
    const pth = await idOf('Suspected identity theft (pass-the-hash)');
    await expectRoleViews(rows.find((r) => r.data.alertId === pth)!, /Suspected identity theft \(pass-the-hash\)/);
  });

  test('from `risky`: a row opens the user profile, whose timeline rows open each alert', async () => {
    for (const a of jdoeAttack(now())) await t.app.services.ledger.record(a);
    await say(t, 'risky', USERS.securityReader);
    const profileButtons = executes(t.connector.cards()[0]).filter((x) => x.verb === 'user.show');
    expect(profileButtons.map((b) => b.data)).toEqual([{ userKey: JDOE }]);

    const profile = await open(profileButtons[0], USERS.securityReader);
    expect(cardText(profile)).toMatch(/John Doe[\s\S]*Investigation priority: 41\.6/);
    expect(JSON.stringify(profile)).not.toContain('user.dismiss'); // a reader cannot dismiss
    expect(JSON.stringify(await open(profileButtons[0], USERS.securityAdmin))).toContain('user.dismiss');

    const timeline = executes(profile).filter((x) => x.verb === 'alert.show');
    expect(timeline).toHaveLength(3); // two on-premises, one cloud
    for (const row of timeline) await open(row, USERS.securityReader);
    const travel = await idOf('Impossible travel activity');
    await expectRoleViews(timeline.find((r) => r.data.alertId === travel)!, /Impossible travel activity/);
  });

  test('from the digest: it lists its alerts, each opens', async () => {
    await t.post(makeChannelMessage('subscribe low', USERS.securityAdmin, t.connector.url, CHANNEL));
    for (const a of jdoeAttack(now())) await t.app.services.ledger.record(a);
    const digestCard = () => t.connector.calls.flatMap((c) => [c.body?.activity, c.body]).find((a) => a?.summary?.startsWith('Digest'))?.attachments?.[0]?.content;
    await t.connector.waitFor(() => !!digestCard());
    const d = digestCard();
    expectValidCard(d);
    const rows = executes(d).filter((x) => x.verb === 'alert.show');
    const digested = (await t.app.store.db.selectFrom('notify_digest_items').select('alert_id').execute()).map((r) => r.alert_id);
    expect(digested).toHaveLength(1);
    expect(rows.map((r) => r.data.alertId)).toEqual(digested);
    await expectRoleViews(rows[0], /Impossible travel activity/);
  });

  test('alert.show and user.show need a reader role; bad or unknown ids get a message', async () => {
    const [a] = jdoeAttack(now());
    const { alert } = await t.app.services.ledger.record(a);
    const denied = await click(t, 'alert.show', { alertId: alert.id }, USERS.noRole);
    expect(denied.type).toBe('application/vnd.microsoft.activity.message');
    expect(denied.value).toMatch(/Opening an alert needs one of these roles/);
    expect((await click(t, 'user.show', { userKey: JDOE }, USERS.noRole)).value).toMatch(/needs one of these roles/);
    for (const data of [{}, { alertId: 42 }, { alertId: 'x'.repeat(1000) }, { alertId: 'atp:nope' }]) {
      const r = await click(t, 'alert.show', data, USERS.securityReader);
      expect(r.type).toBe('application/vnd.microsoft.activity.message');
      expect(r.value).toMatch(/no longer in the ledger|did not say/);
    }
    for (const data of [{}, { userKey: 7 }, { userKey: 'aad:nobody' }]) {
      const r = await click(t, 'user.show', data, USERS.securityReader);
      expect(r.type).toBe('application/vnd.microsoft.activity.message');
    }
  });
});
