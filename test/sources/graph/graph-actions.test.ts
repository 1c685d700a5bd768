import { makeAction, makeChannelMessage, USERS, type TestUser } from '../../helpers/activities';
import { cardText, expectValidCard } from '../../helpers/cards';
import { makeGraphAlert } from '../../fakes/graph-security';
import { makeMcasAlert } from '../../fakes/mcas';
import { hex24 } from '../cloud/cloud-helpers';
import { pushMcas, startGraphRig, type GraphRig } from './graph-helpers';

const CHANNEL = '19:soc-xdr@thread.tacv2';
/** Card text as a reader sees it (bold markers of our own headings removed). */
const read = (card: any) => cardText(card).replace(/\*\*/g, '');

describe('Defender XDR: portal changes reach the card; close / assign / comment are written back', () => {
  let rig: GraphRig;
  let alert: any;
  let alertId: string;
  afterEach(async () => {
    await rig?.close();
  });

  const c = () => rig.t.connector;
  const pending = async () => Number((await rig.t.app.store.db.selectFrom('notify_outbox').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '=', 'pending').executeTakeFirstOrThrow()).n);
  /** Let the delivery worker finish everything queued. */
  const settle = async () => {
    for (let i = 0; i < 100 && (await pending()) > 0; i++) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 100));
    expect(await pending()).toBe(0);
  };
  const click = async (verb: string, data: Record<string, unknown>, user: TestUser = USERS.securityOperator) => (await rig.t.post(makeAction(verb, data, user, c().url))).body;

  /** One MDI alert on a subscribed channel's card. */
  async function posted(): Promise<{ activityId: string }> {
    alert = makeGraphAlert({ severity: 'high' });
    rig = await startGraphRig({ alerts: [alert] });
    alertId = `xdr:${alert.id}`;
    await click('integration.enable', {}, USERS.globalAdmin);
    await rig.t.post(makeChannelMessage('subscribe low', USERS.securityAdmin, c().url, CHANNEL));
    expect((await rig.graph().pollOnce()).new).toBe(1);
    // A channel post opens a new thread (POST /v3/conversations).
    await c().waitFor(() => c().cards().some((x) => /Suspected brute-force attack/.test(cardText(x))));
    await settle();
    const card = await rig.t.app.store.db.selectFrom('notify_cards').selectAll().where('card_key', '=', `alert:${alertId}`).executeTakeFirstOrThrow();
    const text = cardText(c().cards().find((x) => /Suspected brute-force attack/.test(cardText(x))));
    expect(text).toMatch(/On-premises \(Defender for Identity, via Defender XDR\)/);
    expect(text).toMatch(/New in Defender XDR/);
    expect(text).toMatch(/MITRE tactic: credential access/);
    expect(text).toMatch(/\[Open in Defender XDR\]/);
    expect(text).toMatch(/\[Open the incident\]/);
    return { activityId: card.activity_id };
  }

  test('resolved, reassigned, reclassified in the portal: exactly one PUT of the card per change', async () => {
    const { activityId } = await posted();
    const updates = () => c().updates(activityId);
    const last = () => cardText(updates().at(-1)!.body.attachments[0].content);

    rig.clock.advance(60_000);
    rig.fake.edit(alert.id, { status: 'resolved', classification: 'truePositive', determination: 'malware' });
    expect(await rig.graph().pollOnce()).toMatchObject({ changed: 1 });
    await settle();
    expect(updates()).toHaveLength(1);
    expect(last()).toMatch(/Resolved in Defender XDR: true positive \(malware\)/);
    expect(last()).toMatch(/✅ Closed \(True positive\) by Defender XDR/);
    expect(await rig.t.app.services.ledger.get(alertId)).toMatchObject({ status: 'closed', resolution: 'truePositive', closed_by_name: 'Defender XDR' });

    // Nothing changed since: no PUT.
    rig.clock.advance(60_000);
    expect(await rig.graph().pollOnce()).toMatchObject({ changed: 0, new: 0 });
    await settle();
    expect(updates()).toHaveLength(1);

    rig.clock.advance(60_000);
    rig.fake.edit(alert.id, { assignedTo: 'megan@contoso.com' });
    await rig.graph().pollOnce();
    await settle();
    expect(updates()).toHaveLength(2);
    expect(last()).toMatch(/assigned to megan@contoso\.com/);

    rig.clock.advance(60_000);
    rig.fake.edit(alert.id, { classification: 'falsePositive', determination: 'clean' });
    await rig.graph().pollOnce();
    await settle();
    expect(updates()).toHaveLength(3);
    expect(last()).toMatch(/Resolved in Defender XDR: false positive \(clean\)/);
    expect((await rig.t.app.services.ledger.get(alertId))?.resolution).toBe('falsePositive');

    rig.clock.advance(60_000);
    rig.fake.edit(alert.id, { status: 'inProgress' });
    await rig.graph().pollOnce();
    await settle();
    expect(updates()).toHaveLength(4);
    expect(last()).toMatch(/In progress in Defender XDR/);
    expect((await rig.t.app.services.ledger.get(alertId))?.status).toBe('open');
    for (const u of updates()) expectValidCard(u.body.attachments[0].content);
  });

  test('close from Teams → PATCH resolved + classification + determination; the poll after it changes nothing', async () => {
    const { activityId } = await posted();
    const body = await click('alert.close', { alertId, resolution: 'benign' });
    expect(body.type).toBe('application/vnd.microsoft.card.adaptive');
    expect(rig.fake.patches).toEqual([{ id: alert.id, body: { status: 'resolved', classification: 'informationalExpectedActivity', determination: 'other' } }]);
    expect(rig.fake.alerts[0]).toMatchObject({ status: 'resolved', classification: 'informationalExpectedActivity' });
    const answer = cardText(body.value);
    expect(answer).toMatch(/✅ Closed \(Benign\) by Isaiah Langer/);
    expect(answer).toMatch(/Resolved in Defender XDR: informational, expected activity/);
    expect(await rig.t.app.services.ledger.get(alertId)).toMatchObject({ status: 'closed', closed_by_name: USERS.securityOperator.name, resolution: 'benign' });
    await settle();
    expect(c().updates(activityId)).toHaveLength(1);
    // Our own write comes back on the next poll: recognised, no second update.
    rig.clock.advance(60_000);
    expect(await rig.graph().pollOnce()).toMatchObject({ changed: 0 });
    await settle();
    expect(c().updates(activityId)).toHaveLength(1);
    // A second click (or a Teams retry) does not PATCH again.
    await click('alert.close', { alertId, resolution: 'benign' });
    expect(rig.fake.patches).toHaveLength(1);
    const audit = await rig.t.app.store.db.selectFrom('audit_log').selectAll().where('action', '=', 'alert.close').execute();
    expect(audit.map((a) => a.outcome)).toEqual(['ok']);
  });

  test('assign → assignedTo is the clicker’s UPN from the directory; comment → POST …/comments; both shown on the card', async () => {
    await posted();
    const a1 = await click('alert.assign', { alertId, assignedTo: 'attacker@evil.example' });
    expect(rig.fake.patches).toEqual([{ id: alert.id, body: { assignedTo: 'isaiah@contoso.com' } }]);
    expect(cardText(a1.value)).toMatch(/assigned to Isaiah Langer/);
    expect(cardText(a1.value)).toMatch(/assigned to isaiah@contoso\.com/);
    await click('alert.assign', { alertId });
    expect(rig.fake.patches).toHaveLength(1);

    const words = 'Looks like the red team — see ticket 4711. **not bold**';
    const b = await click('alert.comment', { alertId, comment: words });
    expect(rig.fake.alerts[0].comments).toEqual([expect.objectContaining({ comment: `${words} (Isaiah Langer via Hybridwatch in Microsoft Teams)` })]);
    const text = cardText(b.value);
    expect(text).toMatch(/💬 Isaiah Langer \(2026-03-02 09:00 UTC\): Looks like the red team/);
    expect(text).toContain('**not bold**'); // drawn literally (a TextRun), not as Markdown
    // The same click again (a Teams retry) posts nothing more.
    await click('alert.comment', { alertId, comment: words });
    expect(rig.fake.alerts[0].comments).toHaveLength(1);
    const stored = await rig.t.app.store.db.selectFrom('alert_comments').selectAll().execute();
    expect(stored).toEqual([expect.objectContaining({ alert_id: alertId, by_id: USERS.securityOperator.aadObjectId, by_name: USERS.securityOperator.name, text: words, target: 'graph' })]);

    // Too long, empty: answered, nothing posted.
    const long = await click('alert.comment', { alertId, comment: 'x'.repeat(1001) });
    expect(read(long.value)).toMatch(/at most 1,000 characters \(yours has 1,001\); nothing was posted/);
    const empty = await click('alert.comment', { alertId, comment: '   ' });
    expect(cardText(empty.value)).toMatch(/Write a comment first/);
    expect(rig.fake.alerts[0].comments).toHaveLength(1);
    // Readers may not comment (fail closed).
    const denied = await click('alert.comment', { alertId, comment: 'hi' }, USERS.securityReader);
    expect(denied.value).toMatch(/Commenting on an alert needs one of these roles: .*Security Operator/);
  });

  test('every failure is one sentence with the fix, and nothing changes', async () => {
    await posted();
    const notice = (body: any) => read(body.value).split('\n').find((l: string) => /^Not |^Comment not/.test(l)) ?? '';
    rig.fake.forbidden.add('alertWrites');
    const f403 = notice(await click('alert.close', { alertId, resolution: 'truePositive' }));
    expect(f403).toMatch(/^Not closed: Microsoft Graph refused updating the alert in Defender XDR \(HTTP 403 Forbidden: Missing application roles/);
    expect(f403).toMatch(/— An administrator must grant the Microsoft Graph application permission SecurityAlert\.ReadWrite\.All to the app in GRAPH_CLIENT_ID/);
    expect(notice(await click('alert.assign', { alertId }))).toMatch(/^Not assigned: .*SecurityAlert\.ReadWrite\.All/);
    expect(notice(await click('alert.comment', { alertId, comment: 'hello' }))).toMatch(/^Comment not posted: .*SecurityAlert\.ReadWrite\.All/);
    rig.fake.forbidden.clear();

    rig.fake.failNext(1, { status: 429, retryAfter: '60', match: (r) => r.method === 'PATCH' });
    expect(notice(await click('alert.close', { alertId, resolution: 'truePositive' }))).toMatch(/^Not closed: Microsoft Graph is throttling Hybridwatch .* — Try again in 60 seconds/);
    rig.clock.advance(61_000);
    rig.fake.failNext(2, { status: 503, match: (r) => r.method === 'PATCH' });
    expect(notice(await click('alert.close', { alertId, resolution: 'truePositive' }))).toMatch(/^Not closed: Microsoft Graph is unavailable \(updating the alert in Defender XDR, HTTP 503/);
    rig.fake.failNext(1, { status: 404, code: 'NotFound', message: 'Alert not found', match: (r) => r.method === 'PATCH' });
    expect(notice(await click('alert.close', { alertId, resolution: 'truePositive' }))).toMatch(/^Not closed: Microsoft Graph does not know it .* — It may have been deleted, or belong to another tenant/);

    expect(rig.fake.patches).toEqual([]);
    expect(await rig.t.app.services.ledger.get(alertId)).toMatchObject({ status: 'open', assigned_to_id: null });
    expect(await rig.t.app.store.db.selectFrom('alert_comments').selectAll().execute()).toEqual([]);
    const audit = await rig.t.app.store.db.selectFrom('audit_log').select(['action', 'outcome']).where('action', 'like', 'alert.%').execute();
    expect(audit.every((a) => a.outcome === 'error')).toBe(true);
    expect(audit).toHaveLength(6);
  });

  test('alerts that live in Cloud App Security close there; comments on them stay in Hybridwatch, said plainly', async () => {
    rig = await startGraphRig({ mcas: true });
    const id = hex24(7, 'e');
    rig.mcas!.alerts.push(makeMcasAlert({ _id: id }));
    await pushMcas(rig, [rig.mcas!.alerts[0]]);
    const close = await click('alert.close', { alertId: `mcas:${id}`, resolution: 'falsePositive' });
    expect(rig.mcas!.closures).toEqual([expect.objectContaining({ id, kind: 'close_false_positive' })]);
    expect(rig.fake.patches).toEqual([]);
    expect(cardText(close.value)).toMatch(/✅ Closed \(False positive\)/);
    const comment = await click('alert.comment', { alertId: `mcas:${id}`, comment: 'checked with the user' });
    expect(cardText(comment.value)).toMatch(/Saved in Hybridwatch only: this alert did not come through Defender XDR/);
    expect((await rig.t.app.store.db.selectFrom('alert_comments').selectAll().execute())[0]).toMatchObject({ target: 'local' });
  });
});
