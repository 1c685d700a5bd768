import { makeAction, makeChannelMessage, makeMessage, USERS } from '../../helpers/activities';
import { cardText, expectValidCard } from '../../helpers/cards';
import { graphTime, makeGraphAlert, makeHealthIssue, makeSensor, userEvidence } from '../../fakes/graph-security';
import { startGraphRig, type GraphRig } from './graph-helpers';

const CHANNEL = '19:soc-defender-xdr@thread.tacv2';
const read = (card: any) => cardText(card).replace(/\*\*/g, '');

/**
 * Issue 12 "done when", through the real paths with GRAPH_SECURITY_POLL_SECONDS set against the fake:
 * Defender for Identity and Defender for Cloud Apps alerts arrive as cards, a close clicked in Teams shows
 * up on the Graph side, a change made on the Graph side shows up on the card, and `health` names the
 * sensors and open issues.
 */
describe('Defender XDR through Graph: done when', () => {
  let rig: GraphRig;
  afterEach(async () => {
    await rig?.close();
  });

  test('MDI + MDCA alerts → cards; Teams close → Graph; Graph change → card; `health` names sensors and issues', async () => {
    // A short poll interval: the app's own timer polls (no test hook in the alert path).
    rig = await startGraphRig({ env: { GRAPH_SECURITY_POLL_SECONDS: '5' } });
    const { t, fake } = rig;
    const c = t.connector;
    fake.sensors = [makeSensor({ displayName: 'DC01', domainName: 'contoso.local' }), makeSensor({ displayName: 'DC02', domainName: 'contoso.local', healthStatus: 'notHealthyHigh', openHealthIssuesCount: 1 })];
    fake.healthIssues = [makeHealthIssue({ displayName: 'Sensor stopped communicating', severity: 'high', sensorDNSNames: ['DC02.contoso.local'] })];

    await t.post(makeAction('integration.enable', {}, USERS.globalAdmin, c.url));
    await t.post(makeChannelMessage('subscribe low', USERS.securityAdmin, c.url, CHANNEL));
    const now = graphTime(rig.clock.now().getTime());
    const mdi = makeGraphAlert({ id: 'aa0d2f6f38-done-when-mdi', severity: 'high', title: 'Suspected identity theft (pass-the-hash)', category: 'LateralMovement', createdDateTime: now, lastUpdateDateTime: now });
    const mdca = makeGraphAlert({
      id: 'da637551227677560813_-1',
      serviceSource: 'microsoftDefenderForCloudApps',
      detectionSource: 'cloudAppSecurity',
      title: 'Impossible travel activity',
      description: 'Sign-ins from Seattle and Kyiv within an hour.',
      category: 'InitialAccess',
      evidence: [userEvidence({ userPrincipalName: 'jdoe@contoso.com', azureAdUserId: '00000000-0000-0000-0000-000000000004' })],
      createdDateTime: now,
      lastUpdateDateTime: now,
    });
    fake.alerts.push(mdi, mdca);

    // Both arrive as cards in the channel (the app's poll timer, real time).
    const titled = (re: RegExp) => c.cards().filter((x) => re.test(String(x.fallbackText)));
    await c.waitFor(() => titled(/alert: (Suspected identity theft|Impossible travel)/).length === 2, 20_000);
    const mdiCard = titled(/alert: Suspected identity theft/)[0];
    const mdcaCard = titled(/alert: Impossible travel/)[0];
    expectValidCard(mdiCard);
    expectValidCard(mdcaCard);
    expect(read(mdiCard)).toMatch(/High severity · On-premises \(Defender for Identity, via Defender XDR\)/);
    expect(read(mdiCard)).toMatch(/Users: John Doe \(jdoe@contoso.com · CONTOSO\\jdoe\)/);
    expect(read(mdcaCard)).toMatch(/Cloud \(via Defender XDR\)/);
    expect(read(mdcaCard)).toMatch(/Hybrid attack chain/);

    // A close clicked in Teams (Security Operator) shows up on the Graph side.
    const closed = await t.post(makeAction('alert.close', { alertId: `xdr:${mdi.id}`, resolution: 'truePositive' }, USERS.securityOperator, c.url));
    expect(closed.body.type).toBe('application/vnd.microsoft.card.adaptive');
    expect(fake.alerts.find((a) => a.id === mdi.id)).toMatchObject({ status: 'resolved', classification: 'truePositive', determination: 'other' });

    // A change made on the Graph side shows up on the card (updated in place).
    const mdcaRow = await t.app.store.db.selectFrom('notify_cards').selectAll().where('card_key', '=', `alert:xdr:${mdca.id}`).executeTakeFirstOrThrow();
    rig.clock.advance(60_000);
    fake.edit(mdca.id, { status: 'resolved', classification: 'falsePositive', determination: 'clean', assignedTo: 'megan@contoso.com' });
    await c.waitFor(() => c.updates(mdcaRow.activity_id).some((u) => /Resolved in Defender XDR: false positive/.test(read(u.body.attachments[0].content))), 20_000);
    const updated = read(c.updates(mdcaRow.activity_id).at(-1)!.body.attachments[0].content);
    expect(updated).toMatch(/Resolved in Defender XDR: false positive \(clean\) · assigned to megan@contoso.com/);
    expect(updated).toMatch(/Closed \(False positive\) by Defender XDR/);

    // `health` names the sensors and the open issues.
    c.clear();
    await t.post(makeMessage('health', USERS.securityReader, c.url));
    const health = read(c.cards().at(-1));
    expect(health).toMatch(/DC02 · Not healthy \(high\)/);
    expect(health).toMatch(/DC01 · Healthy/);
    expect(health).toMatch(/Sensor stopped communicating\nSeverity: high\nAffected sensors: DC02.contoso.local/);
    c.clear();
    await t.post(makeMessage('status', USERS.securityReader, c.url));
    expect(read(c.cards().at(-1))).toMatch(/Defender for Identity sensors: 2 sensors: 1 healthy, 1 not healthy \(high\); 1 open health issue \(1 high\)/);
  }, 60_000);
});
