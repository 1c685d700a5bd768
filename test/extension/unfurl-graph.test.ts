import { makeGraphAlert, userEvidence } from '../fakes/graph-security';
import { USERS } from '../helpers/activities';
import { cardText } from '../helpers/cards';
import { startGraphRig, type GraphRig } from '../sources/graph/graph-helpers';
import { results, titleOf, unfurl } from './helpers';

const TID = 'b3c1b5fc-828c-45fa-a1e1-10d74f6d6e9c';
const GUID1 = '3f1c2a9e-4b0a-4d2c-8e4f-5a6b7c8d9e01';
const GUID2 = '3f1c2a9e-4b0a-4d2c-8e4f-5a6b7c8d9e02';

/**
 * Defender XDR links once the Graph source (issue 12) records alerts: an alert's security.microsoft.com
 * link by its Graph id, an incident link by the incident's alerts, and the Azure ATP link of an alert only
 * Graph saw (its providerAlertId).
 */
describe('message extension: Defender XDR links resolve through the Graph source', () => {
  let rig: GraphRig;
  const mdca = makeGraphAlert({
    id: 'caf1e2d3c4b5a697887766554433221100ffeeddccbbaa99887766',
    providerAlertId: '72e04fdfba1758188250d1d593711dd0e7aeaf11d35782c79d8c82f485fc1ce8',
    incidentId: '9002',
    serviceSource: 'microsoftDefenderForCloudApps',
    detectionSource: 'cloudAppSecurity',
    title: 'Impossible travel activity',
    severity: 'high',
    evidence: [userEvidence({ userPrincipalName: 'jdoe@contoso.com', azureAdUserId: USERS.noRole.aadObjectId, displayName: 'John Doe' })],
  });

  beforeAll(async () => {
    const brute = makeGraphAlert({ id: `aa${GUID1}`, providerAlertId: GUID1, incidentId: '9001', severity: 'medium' });
    const dcsync = makeGraphAlert({ id: `aa${GUID2}`, providerAlertId: GUID2, incidentId: '9001', severity: 'high', title: 'Suspected DCSync attack (replication of directory services)' });
    rig = await startGraphRig({ alerts: [brute, dcsync, mdca] });
    await rig.t.app.services.integration.enable({ id: USERS.globalAdmin.aadObjectId, name: USERS.globalAdmin.name });
    const r = await rig.graph().pollOnce();
    expect(r).toMatchObject({ new: 3, rejected: [] });
  });
  afterAll(async () => {
    await rig.close();
  });

  const card = async (link: string) => {
    const r = results(await unfurl(rig.t, link, USERS.securityReader));
    expect(r).toHaveLength(1);
    return r[0].card;
  };

  test("an alert's Defender XDR link (Graph's alertWebUrl) shows it, whichever product raised it", async () => {
    expect(titleOf(await card(mdca.alertWebUrl))).toBe('Impossible travel activity');
    expect(titleOf(await card(`https://security.microsoft.com/alerts/aa${GUID2}`))).toBe('Suspected DCSync attack (replication of directory services)');
  });

  test('an incident link shows its most severe, newest alert and says so', async () => {
    for (const link of [`https://security.microsoft.com/incidents/9001?tid=${TID}`, `https://security.microsoft.com/incident2/9001/overview?tid=${TID}`]) {
      const c = await card(link);
      expect(titleOf(c)).toBe('Suspected DCSync attack (replication of directory services)');
      expect(cardText(c)).toContain('Defender XDR incident 9001: the most severe, newest of its 2 alerts here.');
    }
    expect(cardText(await card(`https://security.microsoft.com/incidents/9002?tid=${TID}`))).toContain('Defender XDR incident 9002: its alert here.');
    expect(cardText(await card('https://security.microsoft.com/incidents/424242'))).toMatch(/not an alert in Hybridwatch's ledger/);
  });

  test('the Azure ATP link of a Defender for Identity alert only Graph saw resolves through its providerAlertId', async () => {
    expect(titleOf(await card(`https://contoso.atp.azure.com/securityAlert/${GUID1}`))).toBe('Suspected brute-force attack (Kerberos, NTLM)');
  });

  test('no role: the same neutral card as for any link', async () => {
    const ce = await unfurl(rig.t, `https://security.microsoft.com/incidents/9001?tid=${TID}`, USERS.noRole);
    expect(JSON.stringify(ce)).not.toMatch(/DCSync|brute-force/);
  });
});
