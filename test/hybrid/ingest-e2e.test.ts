import { FakeGraph } from '../fakes/graph';
import { USERS } from '../helpers/activities';
import { account, DETECTIONS, makeAlert } from '../helpers/alerts';
import { cardText, expectValidCard } from '../helpers/cards';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { HYBRID_DIRECTORY, JDOE, JDOE_ID, captureRisky, say } from './helpers';

const INGEST_TOKEN = 'hybrid-ingest-token-0123456789';
const BOM = '\uFEFF';

/** An Azure ATP SIEM (CEF over syslog RFC 5424) line as the sensor sends it. */
function cef(o: { at: string; sig: string; name: string; sev: number; externalId: string; suser: string; guid: string }): string {
  const header = `<132>1 ${o.at} DC01 CEF 4120 ${o.sig} `;
  const ext = `start=${o.at.replace('Z', '0000Z')} app=Kerberos shost=WKS-17 suser=${o.suser.replace(/\\/g, '\\\\')} msg=${o.name} on WKS-17. externalId=${o.externalId} cs1Label=url cs1=https\\://contoso.atp.azure.com/securityAlert/${o.guid} cs2Label=trigger cs2=new`;
  return `${header}${BOM}0|Microsoft|Azure ATP|2.230.0.0|${o.sig}|${o.name}|${o.sev}|${ext}`;
}

async function post(t: TestApp, path: string, contentType: string, body: string) {
  const res = await fetch(`${t.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${INGEST_TOKEN}`, 'content-type': contentType }, body });
  return { status: res.status, body: await res.json() };
}

describe('end to end through the real ingest paths: CEF (on-prem) + Cloud App Security push (cloud)', () => {
  let t: TestApp;
  afterEach(async () => {
    await t.close();
  });

  test('brute force + pass-the-hash over /api/ingest/cef and impossible travel over /api/ingest/mcas: John Doe is risky with all three reasons', async () => {
    t = await startTestApp({ env: { DIRECTORY_FILE: HYBRID_DIRECTORY, INGEST_TOKEN } });
    const risky = captureRisky(t.app);
    await t.app.services.integration.enable({ id: USERS.globalAdmin.aadObjectId, name: 'Alex Wilber' });

    const lines = [
      cef({ at: '2026-03-02T08:40:00.000Z', sig: 'BruteForceSecurityAlert', name: 'Suspected brute force attack (Kerberos, NTLM)', sev: 5, externalId: '2023', suser: 'CONTOSO\\jdoe', guid: '0d2f6f38-5d0e-4f7e-9a4e-2b1e6c3f7a10' }),
      cef({ at: '2026-03-02T08:45:00.000Z', sig: 'PassTheHashSecurityAlert', name: 'Suspected identity theft (pass-the-hash)', sev: 10, externalId: '2017', suser: 'CONTOSO\\jdoe', guid: '1d2f6f38-5d0e-4f7e-9a4e-2b1e6c3f7a11' }),
    ];
    const onprem = await post(t, '/api/ingest/cef', 'text/plain', lines.join('\n'));
    expect(onprem.status).toBe(200);
    expect(onprem.body).toMatchObject({ accepted: 2, rejected: [] });
    expect(risky).toHaveLength(0);

    const mcas = {
      _id: '5e6f7a8b9c0d1e2f3a4b5c6d',
      timestamp: Date.parse('2026-03-02T08:55:00.000Z'),
      title: 'Impossible travel activity',
      description: 'The user signed in from Amsterdam and Sydney within 20 minutes.',
      severityValue: 2,
      threatScore: 74,
      entities: [{ type: 'user', id: JDOE_ID, label: 'John Doe', pa: 'jdoe@contoso.com' }],
      URL: 'https://contoso.portal.cloudappsecurity.com/#/alerts/5e6f7a8b9c0d1e2f3a4b5c6d',
    };
    const cloud = await post(t, '/api/ingest/mcas', 'application/json', JSON.stringify(mcas));
    expect(cloud.status).toBe(200);
    expect(cloud.body).toMatchObject({ accepted: 1 });

    expect(risky).toHaveLength(1);
    expect(risky[0].userKey).toBe(JDOE);
    expect(risky[0].detail).toMatchObject({ score: 41.6, onpremScore: 22.68, cloudScore: 18.92, threatScore: 74, fullChain: true, tactics: ['LateralMovement', 'InitialAccess', 'CredentialAccess'] });
    expect(risky[0].detail.chain).toMatchObject({ onprem: { title: 'Suspected identity theft (pass-the-hash)' }, cloud: { title: 'Impossible travel activity' }, hours: 0.2 });
    expect(risky[0].detail.reasons.map((r) => r.environment).sort()).toEqual(['cloud', 'onprem', 'onprem']);

    const [m] = await say(t, 'risky', USERS.securityReader);
    expect(m.summary).toBe('Risky users: 1 risky of 1 scored');
    await say(t, 'user CONTOSO\\jdoe', USERS.securityReader);
    const card = t.connector.cards()[0];
    expectValidCard(card);
    expect(cardText(card)).toMatch(/Investigation priority: 41\.6 \(100th percentile[\s\S]*pass-the-hash[\s\S]*brute force[\s\S]*Impossible travel/);
  });

  test('Graph-backed resolution in the app (FakeGraph; sam through the advanced query)', async () => {
    const graph = new FakeGraph();
    await graph.start();
    try {
      graph.users = [
        { id: USERS.securityReader.aadObjectId, userPrincipalName: 'lee@contoso.com', displayName: 'Lee Gu', roles: ['5d6b6bb7-de71-4623-b4af-96380a352509'] },
        { id: JDOE_ID, userPrincipalName: 'jdoe@contoso.com', displayName: 'John Doe', onPremisesSamAccountName: 'jdoe', onPremisesDomainName: 'contoso.local' },
      ];
      t = await startTestApp({
        env: { GRAPH_TENANT_ID: '72f988bf-86f1-41af-91ab-2d7cd011db47', GRAPH_CLIENT_ID: '11111111-1111-1111-1111-111111111111', GRAPH_CLIENT_SECRET: 'fake-secret', GRAPH_BASE_URL: graph.graphBaseUrl, AZURE_AUTHORITY_HOST: graph.url },
      });
      const r = await t.app.services.ledger.record(makeAlert({ ...DETECTIONS.passTheHash, users: [account('CONTOSO\\jdoe', { key: 'onprem:contoso\\jdoe', domain: 'CONTOSO', sam: 'jdoe' })], seenAt: t.clock.now().toISOString() }));
      expect(r.alert.users[0]).toMatchObject({ key: JDOE, resolution: 'resolved', upn: 'jdoe@contoso.com' });
      expect(graph.requests.some((q) => q.path === '/v1.0/users' && q.headers.consistencylevel === 'eventual')).toBe(true);
      await say(t, 'user jdoe@contoso.com', USERS.securityReader);
      expect(cardText(t.connector.cards()[0])).toMatch(/Investigation priority: 5 \(100th/);
    } finally {
      await graph.stop();
    }
  });
});
