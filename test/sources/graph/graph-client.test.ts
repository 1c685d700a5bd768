import { GraphSecurityError, toUserMessage } from '../../../bot/errors';
import { alertsPage, listAlerts, listSensors } from '../../../bot/sources/graph/defender-api';
import { makeGraphAlert } from '../../fakes/graph-security';
import { startGraphRig, type GraphRig } from './graph-helpers';

describe('the Graph security connector (typed errors with status, Graph code and the fix)', () => {
  let rig: GraphRig;
  afterEach(async () => {
    await rig?.close();
  });
  const client = () => rig.graph().client!;
  const fail = (p: Promise<unknown>) => p.then(() => { throw new Error('expected a GraphSecurityError'); }, (e) => e as GraphSecurityError);

  test('the app cannot sign in: unauthorized, naming the GRAPH_* variables; secrets never in the message', async () => {
    rig = await startGraphRig();
    rig.fake.tokenFailWith = 401;
    const e = await fail(listSensors(client(), { maxAttempts: 1 }));
    expect(e).toBeInstanceOf(GraphSecurityError);
    expect(e).toMatchObject({ status: 401, problem: 'unauthorized' });
    expect(toUserMessage(e)).toBe('Hybridwatch could not sign in to Microsoft Graph — An administrator should check GRAPH_TENANT_ID, GRAPH_CLIENT_ID and GRAPH_CLIENT_SECRET (the client secret may have expired).');
    expect(toUserMessage(e)).not.toContain('fake-secret');
  });

  test('a nextLink outside GRAPH_BASE_URL is refused (the token never leaves for another host)', async () => {
    rig = await startGraphRig();
    const before = rig.fake.requests.length;
    const e = await fail(alertsPage(client(), 'https://evil.example/v1.0/security/alerts_v2?$skip=100'));
    expect(e.message).toMatch(/returned a link outside GRAPH_BASE_URL \(https:\/\/evil\.example\)/);
    expect(rig.fake.requests.length).toBe(before);
  });

  test('a filter Graph rejects: 400 with Graph’s code and message, not retried', async () => {
    rig = await startGraphRig();
    const e = await fail(listAlerts(client(), { filter: "title eq 'x'" }));
    expect(e).toMatchObject({ status: 400, problem: 'rejected', graphCode: 'BadRequest' });
    expect(e.message).toMatch(/Microsoft Graph rejected listing alerts \(HTTP 400 BadRequest: Invalid filter clause: property 'title' cannot be filtered\)/);
    expect(rig.fake.alertCalls()).toHaveLength(1);
  });

  test('a body that is not a list page: said plainly', async () => {
    rig = await startGraphRig();
    rig.fake.failNext(1, { status: 200, body: 'not json at all' as unknown as object });
    rig.fake.alerts = [makeGraphAlert()];
    // The fake serialises bodies as JSON: a JSON string is valid JSON but not a list page.
    const e = await fail(listAlerts(client(), { filter: 'lastUpdateDateTime ge 2026-01-01T00:00:00Z' }));
    expect(e.message).toMatch(/answered listing alerts in an unexpected shape \(no "value" list\)/);
  });

  test('network errors back off and surface as unavailable', async () => {
    rig = await startGraphRig();
    rig.fake.failNext(2, { status: 0, drop: true });
    const e = await fail(listSensors(client(), { maxAttempts: 2 }));
    expect(e).toMatchObject({ problem: 'unavailable' });
    expect(e.message).toMatch(/^Could not reach Microsoft Graph for reading Defender for Identity sensors/);
  });
});
