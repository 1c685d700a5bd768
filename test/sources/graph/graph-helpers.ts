import fs from 'node:fs';
import { ROLE_TEMPLATE_IDS, type RoleName } from '../../../bot/directory/roles';
import type { GraphFeature } from '../../../bot/sources/graph/graph-feature';
import type { CloudFeature } from '../../../bot/sources/cloud/cloud-feature';
import { FakeGraphSecurity } from '../../fakes/graph-security';
import { FakeMcas } from '../../fakes/mcas';
import { SAMPLE_DIRECTORY, startTestApp, type TestApp } from '../../helpers/test-app';
import { INGEST_TOKEN, MCAS_TOKEN, SleepyClock } from '../cloud/cloud-helpers';

export const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
export { INGEST_TOKEN };

export interface GraphRig {
  t: TestApp;
  fake: FakeGraphSecurity;
  mcas: FakeMcas | null;
  clock: SleepyClock;
  graph(): GraphFeature;
  cloud(): CloudFeature;
  close(): Promise<void>;
}

/** directory.sample.json as Graph users (roles by template id), so roles and identities come from the same fake. */
export function sampleGraphUsers() {
  const sample = JSON.parse(fs.readFileSync(SAMPLE_DIRECTORY, 'utf8')) as { users: Array<{ aadObjectId: string; userPrincipalName: string; displayName: string; onPremisesSamAccountName?: string; onPremisesDomainName?: string; onPremisesSecurityIdentifier?: string; roles: RoleName[] }> };
  return sample.users.map((u) => ({
    id: u.aadObjectId,
    userPrincipalName: u.userPrincipalName,
    displayName: u.displayName,
    onPremisesSamAccountName: u.onPremisesSamAccountName,
    onPremisesDomainName: u.onPremisesDomainName,
    onPremisesSecurityIdentifier: u.onPremisesSecurityIdentifier,
    roles: u.roles.map((r) => ROLE_TEMPLATE_IDS[r]),
  }));
}

/**
 * The real app with the GRAPH_* app pointing at one https fake that is the token endpoint, the directory
 * (roles, identities) and the security API, sharing the app's fake clock (Retry-After waits run in ms).
 * `mcas: true` adds the Cloud App Security fake as the second cloud feed.
 */
export async function startGraphRig(o: { env?: Record<string, string>; alerts?: any[]; mcas?: boolean } = {}): Promise<GraphRig> {
  const clock = new SleepyClock('2026-03-02T09:00:00.000Z');
  const fake = new FakeGraphSecurity(clock);
  fake.users = sampleGraphUsers();
  fake.alerts = o.alerts ?? [];
  await fake.start();
  let mcas: FakeMcas | null = null;
  if (o.mcas) {
    mcas = new FakeMcas(MCAS_TOKEN, clock);
    await mcas.start();
  }
  const t = await startTestApp({
    clock,
    env: {
      GRAPH_TENANT_ID: TENANT,
      GRAPH_CLIENT_ID: '11111111-1111-1111-1111-111111111111',
      GRAPH_CLIENT_SECRET: 'fake-secret',
      GRAPH_BASE_URL: fake.graphBaseUrl,
      AZURE_AUTHORITY_HOST: fake.url,
      GRAPH_SECURITY_POLL_SECONDS: '86400',
      GRAPH_SECURITY_HEALTH_SECONDS: '86400',
      INGEST_TOKEN,
      ...(mcas ? { MCAS_URL: mcas.url, MCAS_TOKEN, MCAS_POLL_SECONDS: '86400' } : {}),
      ...o.env,
    },
  });
  return {
    t,
    fake,
    mcas,
    clock,
    graph: () => t.app.features.find((f) => f.name === 'graph') as GraphFeature,
    cloud: () => t.app.features.find((f) => f.name === 'cloud') as CloudFeature,
    async close() {
      await t.close();
      await fake.stop();
      await mcas?.stop();
    },
  };
}

/** Every ledger row that came through Graph, with how often it triggered. */
export async function graphRows(rig: GraphRig) {
  return rig.t.app.store.db.selectFrom('alerts').select(['id', 'graph_id', 'trigger_count', 'source', 'onprem_id', 'cloud_id', 'status', 'resolution', 'assigned_to_name']).where('graph_id', 'is not', null).execute();
}

export const cef = (id: string, title: string, start: string, user = 'CONTOSO\\jdoe', sig = 'BruteForceSecurityAlert', externalId = 2023) =>
  `<132>1 ${start} DC01 CEF 4120 ${sig} \ufeff0|Microsoft|Azure ATP|2.230.0.0|${sig}|${title}|5|start=${start} app=Kerberos shost=WKS-17 suser=${user} msg=${title} against jdoe from WKS-17. externalId=${externalId} cs1Label=url cs1=https\\://contoso.atp.azure.com/securityAlert/${id} cs2Label=trigger cs2=new`;

export async function pushCef(rig: GraphRig, lines: string[]): Promise<any> {
  const r = await fetch(`${rig.t.url}/api/ingest/cef`, { method: 'POST', headers: { authorization: `Bearer ${INGEST_TOKEN}`, 'content-type': 'text/plain' }, body: lines.join('\n') });
  return r.json();
}

export async function pushMcas(rig: GraphRig, alerts: any[]): Promise<any> {
  const r = await fetch(`${rig.t.url}/api/ingest/mcas`, { method: 'POST', headers: { authorization: `Bearer ${INGEST_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(alerts) });
  return r.json();
}
