import { makeAction, USERS } from '../../helpers/activities';
import { graphTime, makeGraphAlert, userEvidence } from '../../fakes/graph-security';
import { makeMcasAlert } from '../../fakes/mcas';
import { hex24 } from '../cloud/cloud-helpers';
import { cef, pushCef, pushMcas, startGraphRig, type GraphRig } from './graph-helpers';

const START = '2026-03-02T08:30:00.000Z';
const at = (offsetMs: number) => graphTime(Date.parse(START) + offsetMs);
const GUID = '0d2f6f38-5d0e-4f7e-9a4e-2b1e6c3f7a10';
const BRUTE = 'Suspected brute force attack (Kerberos, NTLM)';

/** The MDI alert as Graph shows it: `offset` from START, provider id (the CEF alert id when they match). */
const mdi = (offset: number, over: Record<string, any> = {}) =>
  makeGraphAlert({ createdDateTime: at(offset), lastUpdateDateTime: at(offset + 1000), firstActivityDateTime: at(offset), lastActivityDateTime: at(offset), ...over });

const mdca = (offset: number, over: Record<string, any> = {}) =>
  makeGraphAlert({
    serviceSource: 'microsoftDefenderForCloudApps',
    detectionSource: 'cloudAppSecurity',
    title: 'Impossible travel activity',
    category: 'InitialAccess',
    evidence: [userEvidence({ userPrincipalName: 'jdoe@contoso.com', azureAdUserId: '00000000-0000-0000-0000-000000000004', displayName: 'John Doe' })],
    createdDateTime: at(offset),
    lastUpdateDateTime: at(offset + 1000),
    firstActivityDateTime: at(offset),
    lastActivityDateTime: at(offset),
    ...over,
  });

const cloudAlert = (id: string, offset: number, over: Record<string, any> = {}) => makeMcasAlert({ _id: id, timestamp: Date.parse(START) + offset, title: 'Impossible travel activity', ...over });

describe('one alert however many feeds: CEF + Graph, Cloud App Security API + Graph (both orders)', () => {
  let rig: GraphRig;
  let events: Array<{ type: string; action?: string }>;
  afterEach(async () => {
    await rig?.close();
  });

  async function start(o: { mcas?: boolean } = {}) {
    rig = await startGraphRig({ mcas: o.mcas });
    expect((await rig.t.post(makeAction('integration.enable', {}, USERS.globalAdmin, rig.t.connector.url))).status).toBe(200);
    events = [];
    rig.t.app.services.events.on(async (_trx, e) => void (e.type.startsWith('alert.') && events.push({ type: e.type, action: 'action' in e ? e.action : undefined })));
  }
  const rows = () => rig.t.app.store.db.selectFrom('alerts').selectAll().execute();

  test('CEF first, then Graph with the same provider id: one row with both links, no re-trigger', async () => {
    await start();
    expect(await pushCef(rig, [cef(GUID, BRUTE, START)])).toMatchObject({ accepted: 1 });
    rig.fake.alerts.push(mdi(2 * 60_000, { id: 'aa637551227677560999_1', providerAlertId: GUID.toUpperCase() }));
    const r = await rig.graph().pollOnce();
    expect(r).toMatchObject({ merged: 1, new: 0 });
    const all = await rows();
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({ id: `atp:${GUID}`, source: 'onprem', onprem_id: GUID, graph_id: 'aa637551227677560999_1', url: `https://contoso.atp.azure.com/securityAlert/${GUID}`, graph_url: expect.stringContaining('security.microsoft.com/alerts/aa637551227677560999_1'), trigger_count: 1 });
    expect(events.map((e) => e.type)).toEqual(['alert.new', 'alert.changed']);
    expect(events[1].action).toBe('xdr.linked');
  });

  test('Graph first, then CEF with the same provider id: one row; later CEF re-triggers update it as usual', async () => {
    await start();
    rig.fake.alerts.push(mdi(0, { id: 'aa637551227677560999_2', providerAlertId: GUID }));
    expect((await rig.graph().pollOnce()).new).toBe(1);
    expect(await pushCef(rig, [cef(GUID, BRUTE, START)])).toMatchObject({ accepted: 1 });
    const all = await rows();
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({ id: 'xdr:aa637551227677560999_2', source: 'onprem', onprem_id: GUID, graph_id: 'aa637551227677560999_2', type: '2023', trigger_count: 1 });
    expect(events.map((e) => `${e.type}${e.action ? `:${e.action}` : ''}`)).toEqual(['alert.new', 'alert.changed:feed.linked.onprem']);
    // A CEF re-trigger of the same alert is a re-trigger of the one row.
    await pushCef(rig, [cef(GUID, BRUTE, START).replace('cs2=new', 'cs2=update').replace('msg=', 'cnt=9 msg=')]);
    expect((await rows())[0]).toMatchObject({ trigger_count: 2, cnt: 9 });
  });

  test('no matching ids: the type + user + time heuristic merges, both orders; another user or 11 minutes apart does not', async () => {
    await start();
    // CEF first, Graph second (different ids; CONTOSO\jdoe on both sides; 4 minutes apart).
    await pushCef(rig, [cef('11111111-5d0e-4f7e-9a4e-2b1e6c3f7a10', BRUTE, START)]);
    rig.fake.alerts.push(mdi(4 * 60_000, { id: 'g-one' }));
    // Graph first, CEF second: a DCSync an hour later.
    const DCSYNC = 'Suspected DCSync attack (replication of directory services)';
    rig.fake.alerts.push(mdi(60 * 60_000, { id: 'g-two', title: DCSYNC }));
    // Not twins: another user; the same user but 11 minutes from the CEF one.
    rig.fake.alerts.push(mdi(2 * 60_000, { id: 'g-other-user', evidence: [userEvidence({ accountName: 'lgu', domainName: 'CONTOSO' })] }));
    rig.fake.alerts.push(mdi(15 * 60_000, { id: 'g-too-late' }));
    const r = await rig.graph().pollOnce();
    expect(r).toMatchObject({ merged: 1, new: 3 });
    await pushCef(rig, [cef('22222222-5d0e-4f7e-9a4e-2b1e6c3f7a10', DCSYNC, '2026-03-02T09:32:00.000Z', 'CONTOSO\\jdoe', 'DirectoryServicesReplicationSecurityAlert', 2006)]);
    const all = await rows();
    expect(all).toHaveLength(4);
    expect(all.find((x) => x.graph_id === 'g-one')).toMatchObject({ onprem_id: '11111111-5d0e-4f7e-9a4e-2b1e6c3f7a10' });
    expect(all.find((x) => x.graph_id === 'g-two')).toMatchObject({ onprem_id: '22222222-5d0e-4f7e-9a4e-2b1e6c3f7a10', type: '2006' });
    expect(all.find((x) => x.graph_id === 'g-other-user')).toMatchObject({ onprem_id: null });
    expect(all.find((x) => x.graph_id === 'g-too-late')).toMatchObject({ onprem_id: null });
    expect(events.filter((e) => e.type === 'alert.updated')).toEqual([]);
  });

  test('Cloud App Security API first, then Graph (provider id = _id), and Graph first, then the API: one row each', async () => {
    await start({ mcas: true });
    const first = hex24(1, 'c');
    rig.mcas!.alerts.push(cloudAlert(first, 0));
    expect((await rig.cloud().pollOnce()).new).toBe(1);
    rig.fake.alerts.push(mdca(60_000, { id: 'g-mdca-1', providerAlertId: first }));
    const second = hex24(2, 'c');
    rig.fake.alerts.push(mdca(3 * 60 * 60_000, { id: 'g-mdca-2', providerAlertId: second, title: 'Mass download by a single user' }));
    expect(await rig.graph().pollOnce()).toMatchObject({ merged: 1, new: 1 });
    rig.mcas!.alerts.push(cloudAlert(second, 3 * 60 * 60_000, { title: 'Mass download by a single user' }));
    expect(await rig.cloud().pollOnce()).toMatchObject({ new: 0, updated: 1 }); // it joined the Graph row
    const all = await rows();
    expect(all).toHaveLength(2);
    expect(all.find((x) => x.graph_id === 'g-mdca-1')).toMatchObject({ id: `mcas:${first}`, source: 'cloud', cloud_id: first, trigger_count: 1 });
    expect(all.find((x) => x.graph_id === 'g-mdca-2')).toMatchObject({ id: 'xdr:g-mdca-2', source: 'cloud', cloud_id: second, cloud_url: expect.stringContaining(second), trigger_count: 1 });
    // The same cloud alert pushed again is still a duplicate of that one row.
    expect(await pushMcas(rig, [rig.mcas!.alerts[1]])).toMatchObject({ duplicates: 1 });
  });

  test('Cloud App Security and Graph with different ids: the heuristic merges both orders', async () => {
    await start({ mcas: true });
    rig.mcas!.alerts.push(cloudAlert(hex24(3, 'c'), 0));
    await rig.cloud().pollOnce();
    rig.fake.alerts.push(mdca(2 * 60_000, { id: 'g-h1', providerAlertId: 'something-else' }));
    rig.fake.alerts.push(mdca(5 * 60 * 60_000, { id: 'g-h2', providerAlertId: 'other', title: 'Suspicious inbox forwarding' }));
    expect(await rig.graph().pollOnce()).toMatchObject({ merged: 1, new: 1 });
    expect(await pushMcas(rig, [cloudAlert(hex24(4, 'c'), 5 * 60 * 60_000 + 60_000, { title: 'Suspicious inbox forwarding' })])).toMatchObject({ accepted: 1 });
    const all = await rows();
    expect(all).toHaveLength(2);
    expect(all.find((x) => x.graph_id === 'g-h1')?.cloud_id).toBe(hex24(3, 'c'));
    expect(all.find((x) => x.graph_id === 'g-h2')?.cloud_id).toBe(hex24(4, 'c'));
  });

  test('CEF, Graph and the ATP alert through Cloud App Security (service 20940): still one row', async () => {
    await start({ mcas: true });
    rig.fake.alerts.push(mdi(0, { id: 'g-atp' }));
    await rig.graph().pollOnce();
    await pushCef(rig, [cef('33333333-5d0e-4f7e-9a4e-2b1e6c3f7a10', BRUTE, at(60_000))]);
    await pushMcas(rig, [
      makeMcasAlert({
        _id: hex24(9, 'd'),
        timestamp: Date.parse(START) + 120_000,
        title: BRUTE,
        entities: [{ type: 'account', id: '00000000-0000-0000-0000-000000000004', label: 'John Doe', pa: 'jdoe@contoso.com' }, { type: 'service', id: 20940, label: 'Active Directory' }],
      }),
    ]);
    const all = await rows();
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({ source: 'both', graph_id: 'g-atp', onprem_id: '33333333-5d0e-4f7e-9a4e-2b1e6c3f7a10', cloud_id: hex24(9, 'd') });
  });
});
