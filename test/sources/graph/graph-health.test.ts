import { makeAction, makeChannelMessage, makeMessage, USERS, type TestUser } from '../../helpers/activities';
import { cardText, expectValidCard } from '../../helpers/cards';
import { makeHealthIssue, makeSensor } from '../../fakes/graph-security';
import { startTestApp, type TestApp } from '../../helpers/test-app';
import { summarize, type HealthSnapshot } from '../../../bot/sources/graph/mdi-health';
import { startGraphRig, type GraphRig } from './graph-helpers';

/** Card text as a reader sees it (bold markers of our own headings removed). */
const read = (card: any) => cardText(card).replace(/\*\*/g, '');

const SENSORS = () => [
  makeSensor({ displayName: 'DC1', domainName: 'contoso.local', healthStatus: 'healthy', version: '2.239.18124.58593' }),
  makeSensor({ displayName: 'DC2', domainName: 'contoso.local', healthStatus: 'notHealthyHigh', deploymentStatus: 'outdated', version: '2.230.1', openHealthIssuesCount: 1, serviceStatus: 'stopped' }),
  makeSensor({ displayName: 'ADFS1', domainName: 'contoso.local', healthStatus: 'healthy', sensorType: 'adfsIntegrated' }),
];
const HIGH = () => makeHealthIssue({ displayName: 'Sensor stopped communicating', severity: 'high', healthIssueType: 'sensor', sensorDNSNames: ['DC2.contoso.local'], domainNames: ['contoso.local'], recommendations: ['Check that the sensor service is running on DC2.'] });

describe('Defender for Identity health through Graph: `health`, `status`, `enable`, health issue cards', () => {
  let rig: GraphRig;
  let plain: TestApp | null = null;
  afterEach(async () => {
    await rig?.close();
    await plain?.close();
    plain = null;
  });
  const say = async (text: string, user: TestUser = USERS.securityReader) => {
    rig.t.connector.clear();
    expect((await rig.t.post(makeMessage(text, user, rig.t.connector.url))).status).toBe(200);
    const cards = rig.t.connector.cards();
    return cards.length ? cards.at(-1) : rig.t.connector.texts().at(-1);
  };

  test('`health` names each sensor (health, deployment, service, version, open issues) and each open issue; `status` has the one-line summary', async () => {
    rig = await startGraphRig();
    rig.fake.sensors = SENSORS();
    rig.fake.healthIssues = [HIGH(), makeHealthIssue(), makeHealthIssue({ status: 'closed', displayName: 'An old one' })];
    const card = await say('health');
    expectValidCard(card);
    const t = read(card);
    expect(t).toMatch(/DC2 · Not healthy \(high\)/);
    expect(t).toMatch(/Deployment: outdated\nService: stopped\nVersion: 2.230.1\nOpen health issues: 1/);
    expect(t).toMatch(/DC1 · Healthy/);
    expect(t).toMatch(/ADFS1 · Healthy\nDomain: contoso.local\nType: adfs integrated/);
    expect(t).toMatch(/Sensor stopped communicating\nSeverity: high\nAffected sensors: DC2.contoso.local\nAffected domains: contoso.local/);
    expect(t).toMatch(/Recommended: Check that the sensor service is running on DC2./);
    expect(t).toMatch(/Directory Services Object Auditing is not configured as required\nSeverity: medium\nAffected sensors: DC1.domain1.contoso.com, DC2.domain2.contoso.com/);
    expect(t).not.toMatch(/An old one/);
    // Unhealthy sensors first; the high issue before the medium one.
    expect(t.indexOf('DC2 ·')).toBeLessThan(t.indexOf('DC1 ·'));
    expect(t.indexOf('Sensor stopped communicating')).toBeLessThan(t.indexOf('Directory Services Object Auditing'));
    const q = rig.fake.calls.find((c) => c.area === 'healthIssues')!.query.get('$filter');
    expect(q).toBe("status eq 'open'");

    const status = read(await say('status'));
    expect(status).toMatch(/Defender for Identity sensors: 3 sensors: 2 healthy, 1 not healthy \(high\); 2 open health issues \(1 high\)/);
  });

  test('read live with a cache of at most 30 s', async () => {
    rig = await startGraphRig();
    rig.fake.sensors = SENSORS();
    await say('health');
    const n = rig.fake.calls.length;
    rig.clock.advance(29_000);
    await say('health');
    expect(rig.fake.calls.length).toBe(n);
    rig.fake.sensors[1].healthStatus = 'healthy';
    rig.clock.advance(2_000);
    expect(read(await say('health'))).toMatch(/DC2 · Healthy/);
    expect(rig.fake.calls.length).toBe(n + 2);
  });

  test('summary wording: several severities, no sensors, problems', () => {
    const snap = (sensors: any[], issues: any[] = []): HealthSnapshot => ({ at: '2026-03-02T09:00:00.000Z', sensors: { ok: true, items: sensors }, issues: { ok: true, items: issues } });
    const s = (health: string) => ({ id: health, name: health, domain: null, type: null, health, deployment: null, service: null, version: null, openIssues: 0 });
    expect(summarize(snap([s('healthy'), s('healthy'), s('notHealthyHigh')])).line).toBe('3 sensors: 2 healthy, 1 not healthy (high)');
    expect(summarize(snap([s('notHealthyMedium'), s('notHealthyHigh'), s('notHealthyHigh'), s('healthy')])).line).toBe('4 sensors: 1 healthy, 3 not healthy (2 high, 1 medium)');
    expect(summarize(snap([s('healthy')])).line).toBe('1 sensor: 1 healthy');
    expect(summarize(snap([]))).toMatchObject({ line: 'onboarded, but no sensor is installed', onboarded: true, healthySensors: 0 });
  });

  test('not onboarded, no permission, Graph down: each said plainly with the fix; never an empty card', async () => {
    rig = await startGraphRig();
    rig.fake.notOnboarded = true;
    let t = read(await say('health'));
    expect(t).toMatch(/⚠️ This tenant is not onboarded to Microsoft Defender for Identity\nFix: Turn on Microsoft Defender for Identity for this tenant in the Microsoft Defender portal \(security.microsoft.com → Settings → Identities\) and install a sensor/);
    expect(read(await say('enable', USERS.globalAdmin))).toMatch(/⚠️ Defender for Identity onboarded: no\. Turn on Microsoft Defender for Identity/);
    rig.fake.notOnboarded = false;

    rig.clock.advance(31_000);
    rig.fake.forbidden.add('sensors');
    rig.fake.sensors = SENSORS();
    t = read(await say('health'));
    expect(t).toMatch(/Hybridwatch may not read the Defender for Identity sensors \(Microsoft Graph answered HTTP 403 UnknownError\)\nFix: An administrator must grant the Microsoft Graph application permission SecurityIdentitiesSensors.Read.All/);
    expect(t).toMatch(/No open health issues/);
    rig.fake.forbidden.clear();

    rig.clock.advance(31_000);
    rig.fake.forbidden.add('healthIssues');
    t = read(await say('health'));
    expect(t).toMatch(/DC2 · Not healthy \(high\)/);
    expect(t).toMatch(/SecurityIdentitiesHealth.Read.All/);
    expect(read(await say('status'))).toMatch(/Sensor health problem: Hybridwatch may not read the Defender for Identity health issues .* SecurityIdentitiesHealth.Read.All/);
    rig.fake.forbidden.clear();

    rig.clock.advance(31_000);
    rig.fake.failNext(4, { status: 503 });
    t = read(await say('health'));
    expect(t).toMatch(/Could not read the Defender for Identity sensors: Microsoft Graph is unavailable \(reading Defender for Identity sensors, HTTP 503/);
    expect(t).toMatch(/Fix: Hybridwatch retries by itself/);
  });

  test('without the Graph app: `health` and `status` say how to connect it', async () => {
    plain = await startTestApp();
    plain.connector.clear();
    await plain.post(makeMessage('health', USERS.securityReader, plain.connector.url));
    const t = read(plain.connector.cards().at(-1));
    expect(t).toMatch(/Defender for Identity health is read through Microsoft Graph, which is not configured\nFix: Set GRAPH_TENANT_ID, GRAPH_CLIENT_ID and GRAPH_CLIENT_SECRET for an app with SecurityIdentitiesSensors.Read.All and SecurityIdentitiesHealth.Read.All/);
    await plain.post(makeMessage('status', USERS.securityReader, plain.connector.url));
    expect(read(plain.connector.cards().at(-1))).toMatch(/Defender for Identity sensors: not connected \(Microsoft Graph is not configured\)/);
    // Anyone without a reader role is denied (fail closed).
    await plain.post(makeMessage('health', USERS.noRole, plain.connector.url));
    expect(plain.connector.texts().at(-1)).toMatch(/needs one of these roles/);
  });

  test('the enable checklist: onboarded and at least one healthy sensor', async () => {
    rig = await startGraphRig();
    rig.fake.sensors = SENSORS();
    const t = read(await say('enable', USERS.globalAdmin));
    expect(t).toMatch(/✅ Defender for Identity onboarded: yes \(read from Microsoft Graph\)/);
    expect(t).toMatch(/✅ A healthy sensor: 3 sensors: 2 healthy, 1 not healthy \(high\)/);
    rig.clock.advance(31_000);
    rig.fake.sensors = [];
    expect(read(await say('enable', USERS.globalAdmin))).toMatch(/⚠️ A healthy sensor: no sensor installed/);
  });

  test('a new open high-severity issue is a card to subscribed conversations, updated in place when it closes', async () => {
    rig = await startGraphRig();
    const c = rig.t.connector;
    await rig.t.post(makeChannelMessage('subscribe high', USERS.securityAdmin, c.url, '19:soc-health@thread.tacv2'));
    const high = HIGH();
    rig.fake.healthIssues = [high, makeHealthIssue({ severity: 'medium' })];
    const monitor = rig.graph().monitor!;
    expect((await monitor.checkOnce()).opened).toEqual([high.id]);
    await c.waitFor(() => c.cards().some((x) => /High-severity Defender for Identity health issue/.test(read(x))));
    const posted = c.cards().filter((x) => /Defender for Identity health issue/.test(read(x)));
    expect(posted).toHaveLength(1);
    expectValidCard(posted[0]);
    expect(read(posted[0])).toMatch(/Sensor stopped communicating[\s\S]*Affected sensors: DC2.contoso.local/);
    // Nothing new: nothing sent.
    expect((await monitor.checkOnce()).opened).toEqual([]);
    const cardRow = () => rig.t.app.store.db.selectFrom('notify_cards').selectAll().where('card_key', '=', `health:${high.id}`).executeTakeFirst();
    for (let i = 0; i < 100 && !(await cardRow()); i++) await new Promise((r) => setTimeout(r, 20));
    const card = (await cardRow())!;
    // It closes: the same card is updated in place, once.
    high.status = 'closed';
    expect((await monitor.checkOnce()).closed).toEqual([high.id]);
    await c.waitFor(() => c.updates(card.activity_id).length === 1);
    expect(read(c.updates(card.activity_id)[0].body.attachments[0].content)).toMatch(/✅ No longer open/);
    expect((await monitor.checkOnce()).closed).toEqual([]);
    await new Promise((r) => setTimeout(r, 200));
    expect(c.updates(card.activity_id)).toHaveLength(1);
    // A failed read announces nothing (an issue is closed only when a complete list no longer has it).
    high.status = 'open';
    rig.fake.failNext(8, { status: 503, match: (r) => r.path.endsWith('/healthIssues') }); // more than a background read retries
    expect(await monitor.checkOnce()).toMatchObject({ opened: [], closed: [] });
  });
});
