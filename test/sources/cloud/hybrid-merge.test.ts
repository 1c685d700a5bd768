import { createHash } from 'node:crypto';
import type { NormalizedAlert } from '../../../bot/hybrid/alert';
import { makeMcasAlert } from '../../fakes/mcas';
import { hex24, INGEST_TOKEN, startCloudRig, type CloudRig } from './cloud-helpers';

const JDOE = { aadObjectId: '00000000-0000-0000-0000-000000000004', upn: 'jdoe@contoso.com' };
const BRUTE = 'Suspected brute force attack (Kerberos, NTLM)';
const START = '2026-03-02T08:30:00.000Z';

/** An on-prem Azure ATP alert as the CEF source would hand it to the ledger. */
function onPrem(over: Partial<NormalizedAlert> = {}): NormalizedAlert {
  const id = over.sourceId ?? '0d2f6f38-5d0e-4f7e-9a4e-2b1e6c3f7a10';
  return {
    source: 'onprem',
    sourceId: id,
    type: '2023',
    typeName: BRUTE,
    title: BRUTE,
    description: 'Password guessing against jdoe from WKS-17 (42 attempts).',
    severity: 'medium',
    users: [{ raw: 'CONTOSO\\jdoe', key: `aad:${JDOE.aadObjectId}`, aadObjectId: JDOE.aadObjectId, upn: JDOE.upn, sam: 'jdoe', domain: 'CONTOSO' }],
    hosts: ['WKS-17'],
    start: START,
    seenAt: START,
    cnt: 42,
    url: `https://contoso.atp.azure.com/securityAlert/${id}`,
    trigger: 'new',
    hash: createHash('sha256').update(`cef:${id}:${JSON.stringify(over)}`).digest('hex'),
    ...over,
  };
}

/** The same ATP alert as Cloud App Security shows it (service 20940 "Active Directory"). */
function atpThroughCloud(id: string, offsetMs: number, over: Record<string, any> = {}) {
  return makeMcasAlert({
    _id: id,
    timestamp: Date.parse(START) + offsetMs,
    title: BRUTE,
    description: '<p>Password guessing against <b>jdoe</b> from WKS-17.</p>',
    isMarkdown: true,
    severityValue: 1,
    entities: [
      { type: 'account', id: JDOE.aadObjectId, label: 'John Doe', pa: JDOE.upn, entityRole: 'Source' },
      { type: 'device', id: 'wks-17', label: 'WKS-17' },
      { type: 'service', id: 20940, label: 'Active Directory' },
    ],
    ...over,
  });
}

const push = (rig: CloudRig, body: unknown) =>
  fetch(`${rig.t.url}/api/ingest/mcas`, { method: 'POST', headers: { authorization: `Bearer ${INGEST_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) }).then(async (r) => ({ status: r.status, body: await r.json() }));

describe('ATP alerts seen through the cloud become one hybrid alert', () => {
  let rig: CloudRig;
  afterEach(async () => {
    await rig?.close();
  });

  test('on-prem first, then the cloud poll: one row, source both, both links', async () => {
    const twin = atpThroughCloud(hex24(1), 3 * 60_000);
    const otherUser = atpThroughCloud(hex24(2), 60_000, { entities: [{ type: 'account', id: '00000000-0000-0000-0000-000000000003', pa: 'lee@contoso.com' }, { type: 'service', id: 20940, label: 'Active Directory' }] });
    const tooLate = atpThroughCloud(hex24(3), 11 * 60_000);
    const otherType = atpThroughCloud(hex24(4), 2 * 60_000, { title: 'Suspected DCSync attack (replication of directory services)' });
    rig = await startCloudRig({ alerts: [twin, otherUser, tooLate, otherType] });
    const { ledger } = rig.t.app.services;
    const first = await ledger.record(onPrem());
    expect(first.outcome).toBe('new');

    const events: Array<{ type: string; source?: string }> = [];
    rig.t.app.services.events.on(async (_trx, e) => void events.push({ type: e.type, source: 'alert' in e ? e.alert.source : undefined }));
    const r = await rig.cloud().pollOnce();
    expect(r).toMatchObject({ merged: 1, new: 3 });

    const row = await ledger.get(first.alert.id);
    expect(row).toMatchObject({ source: 'both', onprem_id: first.alert.onprem_id, cloud_id: twin._id, cloud_url: twin.URL, url: first.alert.url, type: '2023', trigger_count: 1 });
    expect(row!.users.filter((u) => u.aadObjectId === JDOE.aadObjectId)).toHaveLength(1);
    expect((await ledger.counts()).total).toBe(4);
    expect(events.filter((e) => e.type === 'alert.updated')).toEqual([{ type: 'alert.updated', source: 'both' }]);
    expect(events.filter((e) => e.type === 'alert.new')).toEqual(Array(3).fill({ type: 'alert.new', source: 'cloud' }));

    // The same cloud alert pushed again (e.g. by a flow) is a duplicate, and a CEF re-send too.
    expect((await push(rig, twin)).body).toMatchObject({ accepted: 0, duplicates: 1 });
    expect((await ledger.record(onPrem())).outcome).toBe('duplicate');
    // A CEF re-trigger still updates the merged row in place.
    const re = await ledger.record(onPrem({ cnt: 60, trigger: 'update', seenAt: '2026-03-02T08:40:00.000Z' }));
    expect(re.outcome).toBe('updated');
    expect(re.alert).toMatchObject({ id: first.alert.id, source: 'both', trigger_count: 2, cnt: 60 });
  });

  test('cloud first (push), then the CEF alert: it joins the cloud row instead of a second alert', async () => {
    rig = await startCloudRig();
    const { ledger } = rig.t.app.services;
    const cloud = atpThroughCloud(hex24(9), -4 * 60_000);
    expect((await push(rig, { data: [cloud] })).body).toMatchObject({ accepted: 1, duplicates: 0, rejected: [] });
    const cloudRow = (await ledger.latestOpen(5))[0];
    expect(cloudRow).toMatchObject({ source: 'cloud', cloud_id: cloud._id, description: 'Password guessing against jdoe from WKS-17.' });

    const r = await ledger.record(onPrem());
    expect(r.outcome).toBe('updated');
    expect(r.alert).toMatchObject({ id: cloudRow.id, source: 'both', onprem_id: onPrem().sourceId, cloud_id: cloud._id, type: '2023', url: onPrem().url, cloud_url: cloud.URL, cnt: 42 });
    expect((await ledger.counts()).total).toBe(1);
    // Both sides' duplicates stay duplicates after the merge.
    expect((await ledger.record(onPrem())).outcome).toBe('duplicate');
    expect((await push(rig, cloud)).body).toMatchObject({ accepted: 0, duplicates: 1 });
    expect((await ledger.counts()).total).toBe(1);
  });

  test('an unrelated on-prem alert does not merge into a cloud ATP alert', async () => {
    rig = await startCloudRig();
    const { ledger } = rig.t.app.services;
    await push(rig, atpThroughCloud(hex24(10), 0));
    const other = await ledger.record(onPrem({ sourceId: '1d2f6f38-5d0e-4f7e-9a4e-2b1e6c3f7a10', type: '2006', typeName: 'Suspected DCSync attack (replication of directory services)', title: 'Suspected DCSync attack (replication of directory services)' }));
    expect(other.outcome).toBe('new');
    expect((await ledger.counts()).total).toBe(2);
  });
});
