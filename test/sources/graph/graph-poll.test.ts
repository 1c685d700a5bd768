import { makeAction, USERS } from '../../helpers/activities';
import { graphTime, makeGraphAlert, userEvidence } from '../../fakes/graph-security';
import { startTestApp } from '../../helpers/test-app';
import type { GraphFeature } from '../../../bot/sources/graph/graph-feature';
import { readCursor } from '../../../bot/sources/graph/graph-store';
import { graphRows, startGraphRig, type GraphRig } from './graph-helpers';

// An hour before the rig's clock (09:00): alerts are recent, as Graph would list them.
const T0 = Date.parse('2026-03-02T08:00:00.000Z');
const MDCA = 'microsoftDefenderForCloudApps';

/** n MDI alerts; `ts(i)` is alert i's lastUpdateDateTime offset in ms from `base` (equal offsets = equal timestamps). */
const alerts = (n: number, ts: (i: number) => number, prefix = 'a', base = T0) =>
  Array.from({ length: n }, (_, i) => {
    const t = graphTime(base + ts(i));
    return makeGraphAlert({ id: `${prefix}${String(i).padStart(5, '0')}`, title: `Alert ${prefix}${i}`, createdDateTime: t, lastUpdateDateTime: t, firstActivityDateTime: t, lastActivityDateTime: t });
  });

async function enable(rig: GraphRig) {
  const r = await rig.t.post(makeAction('integration.enable', {}, USERS.globalAdmin, rig.t.connector.url));
  expect(r.status).toBe(200);
}

async function ledgerGraphIds(rig: GraphRig): Promise<string[]> {
  const rows = await graphRows(rig);
  expect(rows.every((r) => Number(r.trigger_count) === 1)).toBe(true);
  return rows.map((r) => r.graph_id!).sort();
}

describe('Defender XDR alerts_v2 poller against the https fake (real app, real HTTP)', () => {
  let rig: GraphRig;
  afterEach(async () => {
    await rig?.close();
  });

  test('normalizes MDI and MDCA alerts: users through the resolver (CONTOSO + jdoe), hosts, links, tactic; bad ones rejected', async () => {
    const mdi = makeGraphAlert({ severity: 'high' });
    const mdca = makeGraphAlert({
      serviceSource: MDCA,
      detectionSource: 'cloudAppSecurity',
      title: 'Impossible travel activity',
      category: 'InitialAccess',
      evidence: [userEvidence({ userPrincipalName: 'Lee@Contoso.com', azureAdUserId: '00000000-0000-0000-0000-000000000003', displayName: 'Lee Gu' })],
    });
    const endpoint = makeGraphAlert({ serviceSource: 'microsoftDefenderForEndpoint', title: 'Not asked for' });
    const broken = makeGraphAlert({ id: 'broken-1', lastUpdateDateTime: 'yesterday' });
    const worked = makeGraphAlert({ id: 'already-worked', title: 'Suspected DCSync attack', status: 'resolved', classification: 'informationalExpectedActivity', determination: 'securityTesting', assignedTo: 'megan@contoso.com', resolvedDateTime: '2026-03-02T08:30:00.0000000Z' });
    rig = await startGraphRig({ alerts: [mdi, mdca, endpoint, broken, worked] });
    await enable(rig);
    const r = await rig.graph().pollOnce();
    expect(r.error).toBeUndefined();
    expect(r).toMatchObject({ new: 3, ignored: 0, caughtUp: true });
    // Worked in the portal before Hybridwatch saw it: arrives closed, with who and when.
    expect(await rig.t.app.services.ledger.get('xdr:already-worked')).toMatchObject({ status: 'closed', resolution: 'benign', closed_by_name: 'Defender XDR', closed_at: '2026-03-02T08:30:00.000Z', assigned_to_name: 'megan@contoso.com' });
    expect(r.rejected).toEqual([{ id: 'broken-1', reason: 'alert broken-1: lastUpdateDateTime must be a date-time' }]);

    const q = rig.fake.alertCalls()[0].query;
    expect(q.get('$filter')).toMatch(/^lastUpdateDateTime ge 2026-02-23T09:00:00\.000Z and \(serviceSource eq 'microsoftDefenderForIdentity' or serviceSource eq 'microsoftDefenderForCloudApps'\)$/);
    expect(q.get('$top')).toBe('100');

    const { ledger } = rig.t.app.services;
    const a = (await ledger.get(`xdr:${mdi.id}`))!;
    expect(a).toMatchObject({ source: 'onprem', graph_id: mdi.id, onprem_id: null, cloud_id: null, severity: 'high', title: mdi.title, graph_url: mdi.alertWebUrl, incident_url: mdi.incidentWebUrl, hosts: ['WKS-17.contoso.local'] });
    expect(a.users).toEqual([expect.objectContaining({ key: 'aad:00000000-0000-0000-0000-000000000004', upn: 'jdoe@contoso.com', sam: 'jdoe', domain: 'CONTOSO', resolution: 'resolved' })]);
    const b = (await ledger.get(`xdr:${mdca.id}`))!;
    expect(b).toMatchObject({ source: 'cloud', users: [expect.objectContaining({ key: 'aad:00000000-0000-0000-0000-000000000003', resolution: 'resolved' })] });
    const g = await rig.t.app.store.db.selectFrom('graph_alerts').selectAll().where('graph_id', '=', mdi.id).executeTakeFirstOrThrow();
    expect(g).toMatchObject({ alert_id: `xdr:${mdi.id}`, provider_alert_id: mdi.id.toLowerCase(), incident_id: mdi.incidentId, service_source: 'microsoftDefenderForIdentity', category: 'CredentialAccess', status: 'new' });
    // MDI counts as on-premises data (the first one turned pending → active), MDCA as cloud.
    const s = await rig.t.app.services.integration.get();
    expect(s.state).toBe('active');
    expect(s.lastCloudAt).not.toBeNull();
  });

  test('Defender for Identity alerts gate like CEF: ignored while disabled; the first one while pending turns it active', async () => {
    rig = await startGraphRig({ alerts: [makeGraphAlert(), makeGraphAlert(), makeGraphAlert({ serviceSource: MDCA, title: 'Mass download' })] });
    const r1 = await rig.graph().pollOnce();
    expect(r1).toMatchObject({ new: 1, ignored: 2 });
    expect((await rig.t.app.services.integration.get()).ignoredCount).toBe(2);
    expect((await graphRows(rig)).map((x) => x.source)).toEqual(['cloud']);
    await enable(rig);
    expect((await rig.t.app.services.integration.get()).state).toBe('pending');
    rig.clock.advance(60_000);
    rig.fake.alerts.push(makeGraphAlert({ lastUpdateDateTime: graphTime(rig.clock.now().getTime()) }));
    const r2 = await rig.graph().pollOnce();
    expect(r2.new).toBe(1);
    expect((await rig.t.app.services.integration.get()).state).toBe('active');
  });

  test('paging: equal timestamps across page and poll boundaries are neither lost nor repeated', async () => {
    // 250 alerts; 90..115 share one timestamp (spans the page boundary at 100), 190..249 another.
    const ts = (i: number) => (i >= 90 && i <= 115 ? 90 : i >= 190 ? 190 : i);
    rig = await startGraphRig({ alerts: alerts(250, ts) });
    await enable(rig);
    const events: string[] = [];
    rig.t.app.services.events.on(async (_trx, e) => void events.push(e.type));
    const r1 = await rig.graph().pollOnce();
    expect(r1.error).toBeUndefined();
    expect(r1).toMatchObject({ pages: 3, new: 250, duplicates: 0 });
    expect(await ledgerGraphIds(rig)).toEqual(rig.fake.alerts.map((a) => a.id).sort());
    // Pages 2 and 3 followed Graph's nextLink.
    expect(rig.fake.alertCalls().map((c) => c.query.get('$skip'))).toEqual([null, '100', '200']);

    // More alerts at exactly the sweep's bound (the next sweep's `since`), and later ones: only those are new.
    const since = Date.parse((await readCursor(rig.t.app.store.db)).since!);
    expect(since).toBe(Date.parse('2026-03-02T09:00:00.000Z'));
    rig.clock.advance(5 * 60_000);
    rig.fake.alerts.push(...alerts(30, (i) => (i < 20 ? 0 : 1000 + i), 'b', since));
    const r2 = await rig.graph().pollOnce();
    expect(r2.error).toBeUndefined();
    expect(r2.new).toBe(30);
    expect(await ledgerGraphIds(rig)).toHaveLength(280);

    // Nothing new: one request; what it re-reads (the overlap) is recognised, nothing recorded.
    const before = rig.fake.alertCalls().length;
    rig.clock.advance(10 * 60_000);
    const r3 = await rig.graph().pollOnce();
    expect(r3).toMatchObject({ new: 0, updated: 0, changed: 0 });
    expect(rig.fake.alertCalls().length - before).toBe(1);
    expect(events.filter((e) => e === 'alert.new')).toHaveLength(280);
    expect(events).not.toContain('alert.updated');
    expect(events).not.toContain('alert.changed');
  });

  test('a restart in the middle of a sweep resumes from the durable next page; no nextLink → $skip', async () => {
    rig = await startGraphRig({ alerts: alerts(450, (i) => (i >= 195 && i <= 205 ? 195 : i)) });
    await enable(rig);
    rig.fake.passNext(2);
    rig.fake.failNext(8, { status: 500 });
    const r1 = await rig.graph().pollOnce();
    expect(r1.error?.status).toBe(500);
    expect(r1.new).toBe(200);
    await rig.t.restart();
    const r2 = await rig.graph().pollOnce();
    expect(r2.error).toBeUndefined();
    expect(r2.new).toBe(250);
    const afterRestart = rig.fake.alertCalls().filter((c) => c.status === 200)[2];
    expect(afterRestart.query.get('$skip')).toBe('200'); // the nextLink saved with page 2
    expect(await ledgerGraphIds(rig)).toEqual(rig.fake.alerts.map((a) => a.id).sort());

    // Graph without nextLinks: full pages go on by $skip with the same filter.
    rig.fake.nextLinks = false;
    rig.clock.advance(10 * 60_000);
    const later = graphTime(rig.clock.now().getTime());
    rig.fake.alerts.push(...alerts(230, () => 0, 'c').map((a) => ({ ...a, lastUpdateDateTime: later })));
    const r3 = await rig.graph().pollOnce();
    expect(r3).toMatchObject({ new: 230, pages: 3 });
    expect(rig.fake.alertCalls().slice(-3).map((c) => c.query.get('$skip'))).toEqual([null, '100', '200']);
  });

  test('an alert updated or created while a sweep pages through is not lost (order by lastUpdateDateTime or createdDateTime)', async () => {
    for (const order of ['lastUpdateDateTime', 'createdDateTime'] as const) {
      rig = await startGraphRig({ alerts: alerts(300, (i) => i * 1000) });
      rig.fake.order = order;
      await enable(rig);
      rig.fake.passNext(1);
      rig.fake.failNext(8, { status: 503 }); // the sweep stops after page 1
      await rig.graph().pollOnce();
      // Meanwhile: an unread alert (old, deep in the list) is resolved in the portal, and a new one arrives.
      rig.clock.advance(60_000);
      rig.fake.edit(rig.fake.alerts[10].id, { status: 'resolved', classification: 'falsePositive' });
      rig.fake.alerts.push(alerts(1, () => 0, 'n', rig.clock.now().getTime())[0]);
      const r = await rig.graph().pollOnce();
      expect(r.error).toBeUndefined();
      rig.clock.advance(60_000);
      await rig.graph().pollOnce();
      expect(await ledgerGraphIds(rig)).toHaveLength(301);
      expect((await rig.t.app.services.ledger.get(`xdr:${rig.fake.alerts[10].id}`))).toMatchObject({ status: 'closed', resolution: 'falsePositive' });
      await rig.close();
    }
    rig = undefined as unknown as GraphRig;
  });

  test('two instances on one database: only the lease holder polls; the other takes over after stop', async () => {
    rig = await startGraphRig({ alerts: alerts(120, (i) => i) });
    await enable(rig);
    const second = await startTestApp({ clock: rig.clock, db: rig.t.db, env: rig.t.env });
    const secondGraph = second.app.features.find((f) => f.name === 'graph') as GraphFeature;
    try {
      expect((await rig.graph().pollOnce()).new).toBe(120);
      const before = rig.fake.calls.length;
      expect(await secondGraph.pollOnce()).toMatchObject({ skipped: true, pages: 0 });
      expect(rig.fake.calls.length).toBe(before);
      rig.fake.alerts.push(...alerts(5, (i) => i, 'b', rig.clock.now().getTime()));
      await rig.t.app.stop(); // releases the lease
      const taken = await secondGraph.pollOnce();
      expect(taken.skipped).toBeUndefined();
      expect(taken.new).toBe(5);
    } finally {
      await second.close();
      await rig.t.restart();
    }
  });
});
