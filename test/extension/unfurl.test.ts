import { account, DETECTIONS, makeAlert } from '../helpers/alerts';
import { makeQueryLink, USERS } from '../helpers/activities';
import { cardText, expectValidCard } from '../helpers/cards';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { HYBRID_DIRECTORY, click } from '../hybrid/helpers';
import { fixture } from '../sources/onprem/helpers';
import { flakyDirectory, pressButton, results, titleOf, unfurl } from './helpers';

const TOKEN = 'unfurl-ingest-token-0123456789';
const GUID = '0d2f6f38-5d0e-4f7e-9a4e-2b1e6c3f7a10';
const ATP_LINK = `https://contoso.atp.azure.com/securityAlert/${GUID}`;
const CLOUD_ID = '65f1c2a9e4b0a1d2c3e4f5a6';
const CLOUD_LINK = `https://contoso.portal.cloudappsecurity.com/#/alerts/${CLOUD_ID}`;
const NO_CACHE = { actions: [{ type: 'setCachePolicy', value: '{"type":"no-cache"}' }] };

/**
 * `composeExtension/queryLink` over HTTP: alerts that came in through the real ingest endpoints unfurl
 * from their portal links; unknown links get a neutral card; callers without a role learn nothing.
 */
describe('message extension: pasted alert links unfurl into the alert card', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ env: { DIRECTORY_FILE: HYBRID_DIRECTORY, INGEST_TOKEN: TOKEN }, overrides: { directory: flakyDirectory(HYBRID_DIRECTORY, USERS.globalAdmin.aadObjectId) } });
    await t.app.services.integration.enable({ id: USERS.securityAdmin.aadObjectId, name: USERS.securityAdmin.name });
    const cef = await fetch(`${t.url}/api/ingest/cef`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'text/plain' }, body: fixture('atp-reference.log')[0] as unknown as BodyInit });
    expect((await cef.json()).accepted).toBe(1);
    const cloud = { _id: CLOUD_ID, timestamp: Date.parse('2026-03-02T08:50:00Z'), title: 'Impossible travel activity', description: 'x', severityValue: 2, statusValue: 0, resolutionStatusValue: 0, entities: [{ type: 'user', id: '00000000-0000-0000-0000-000000000004', label: 'John Doe', pa: 'jdoe@contoso.com' }, { type: 'policyRule', id: 'p1', label: 'Impossible travel' }], URL: CLOUD_LINK };
    const mcas = await fetch(`${t.url}/api/ingest/mcas`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(cloud) });
    expect((await mcas.json()).accepted).toBe(1);
  });
  afterAll(async () => {
    await t.close();
  });

  const onlyCard = (ce: any) => {
    const r = results(ce);
    expect(r).toHaveLength(1);
    expectValidCard(r[0].card);
    return r[0];
  };

  test('the Azure ATP link of an alert (the CEF cs1 URL) shows its card: drawn-at note, Refresh, Open in chat, not cached', async () => {
    const ce = await unfurl(t, ATP_LINK, USERS.securityReader);
    const { card, preview } = onlyCard(ce);
    expect(titleOf(card)).toBe('Suspected brute force attack (Kerberos, NTLM)');
    expect(preview.title).toBe('Suspected brute force attack (Kerberos, NTLM)');
    expect(ce.suggestedActions).toEqual(NO_CACHE);
    const text = cardText(card);
    expect(text).toContain("Drawn at 2026-03-02 09:00 UTC from Hybridwatch's ledger. Teams keeps link previews for up to 30 minutes; Refresh shows the current state.");
    expect(text).toContain('[Open in Azure ATP]');
    expect(card.actions.map((a: any) => `${a.type} ${a.title}`)).toEqual(['Action.OpenUrl Open in Azure ATP', 'Action.Execute Refresh', 'Action.Submit Open in chat with Hybridwatch']);
    // Kept live where Teams allows it: operators' clients refresh it into the view with Close / Assign / Mute.
    expect(card.refresh).toMatchObject({ action: { verb: 'refresh', data: { view: 'alert', alertId: `atp:${GUID}` } } });
    expect(card.refresh.userIds).toContain(`8:orgid:${USERS.securityOperator.aadObjectId}`);
  });

  test('the same alert from other forms of its links: case, trailing parts, security.microsoft.com `aa<guid>`', async () => {
    for (const link of [ATP_LINK.toUpperCase().replace('HTTPS://CONTOSO.ATP.AZURE.COM', 'https://Contoso.atp.azure.com'), `${ATP_LINK}?tab=details#x`, `https://security.microsoft.com/alerts/aa${GUID}?tid=72f988bf-86f1-41af-91ab-2d7cd011db47`, `https://security.microsoft.com/alerts/AA${GUID.toUpperCase()}`]) {
      expect(titleOf(onlyCard(await unfurl(t, link, USERS.securityReader)).card)).toBe('Suspected brute force attack (Kerberos, NTLM)');
    }
  });

  test('a Cloud App Security alert link shows the cloud alert', async () => {
    const { card } = onlyCard(await unfurl(t, CLOUD_LINK, USERS.securityReader));
    expect(titleOf(card)).toBe('Impossible travel activity');
    expect(cardText(card)).toContain('[Open in Cloud App Security]');
  });

  test('unknown links: a small neutral card with no alert data (or nothing for pages Hybridwatch does not read); never an error', async () => {
    const neutral = async (link: string, portal: string) => {
      const ce = await unfurl(t, link, USERS.securityReader);
      const { card } = onlyCard(ce);
      expect(cardText(card)).toMatch(new RegExp(`^Hybridwatch · ${portal} link\\nThis ${portal} link is not an alert in Hybridwatch's ledger`));
      expect(JSON.stringify(ce)).not.toMatch(/brute force|John Doe|Impossible/i);
      return card;
    };
    const atp = await neutral('https://contoso.atp.azure.com/securityAlert/11111111-2222-4333-8444-555555555555', 'Azure ATP');
    expect(atp.actions).toEqual([{ type: 'Action.OpenUrl', title: 'Open in Azure ATP', url: 'https://contoso.atp.azure.com/securityAlert/11111111-2222-4333-8444-555555555555' }]);
    await neutral('https://contoso.atp.azure.com/timeline', 'Azure ATP');
    await neutral('https://contoso.portal.cloudappsecurity.com/#/alerts/ffffffffffffffffffffffff', 'Cloud App Security');
    await neutral('https://contoso.portal.cloudappsecurity.com/#/dashboard', 'Cloud App Security');
    // Incidents need the Defender XDR (Graph) ids of issue 12; until then they are links like any other.
    await neutral('https://security.microsoft.com/incidents/28282?tid=72f988bf-86f1-41af-91ab-2d7cd011db47', 'Microsoft Defender XDR');
    await neutral('https://security.microsoft.com/alerts/da637551227677560813_-961444813', 'Microsoft Defender XDR');
    for (const junk of ['https://evil.example/securityAlert/' + GUID, `http://contoso.atp.azure.com/securityAlert/${GUID}`, 'javascript:alert(1)', 'not a url', '', 42, null, { url: ATP_LINK }, `${ATP_LINK}/${'x'.repeat(10 * 1024)}`, "https://contoso.atp.azure.com/securityAlert/x' or '1'='1"]) {
      const r = await t.post(makeQueryLink(junk, USERS.securityReader, t.connector.url));
      expect(r.status).toBe(200);
      expect(JSON.stringify(r.body)).not.toMatch(/brute force|John Doe/i);
      expect(r.body.composeExtension.type).toBe('result');
    }
  });

  test('a caller without a role, or whose role cannot be verified, gets a neutral card: nothing says whether the alert exists', async () => {
    const noRole = await unfurl(t, ATP_LINK, USERS.noRole);
    expect(cardText(onlyCard(noRole).card)).toMatch(/Hybridwatch shows alert details to Security Readers/);
    const unknownForNoRole = await unfurl(t, 'https://contoso.atp.azure.com/securityAlert/11111111-2222-4333-8444-555555555555', USERS.noRole);
    // The same answer whether or not the alert exists (only the pasted link itself differs).
    expect(JSON.stringify(unknownForNoRole).split('11111111-2222-4333-8444-555555555555').join(GUID)).toBe(JSON.stringify(noRole));
    const unverified = await unfurl(t, ATP_LINK, USERS.globalAdmin); // the directory is down for him
    expect(cardText(onlyCard(unverified).card)).toMatch(/could not verify your directory role/);
    for (const ce of [noRole, unverified]) expect(JSON.stringify(ce)).not.toMatch(/brute force|John Doe|WKS/i);
  });

  test('composeExtension/anonymousQueryLink (zero install): a result with no alert data and no Universal Actions', async () => {
    const ce = await unfurl(t, ATP_LINK, null);
    const { card } = onlyCard(ce);
    expect(cardText(card)).toMatch(/Add Hybridwatch in Teams/);
    expect(JSON.stringify(ce)).not.toMatch(/brute force|John Doe|Action\.Execute/i);
  });

  test('the unfurled card stays live: Refresh after a close shows it closed; an operator gets the buttons', async () => {
    const { card } = onlyCard(await unfurl(t, CLOUD_LINK, USERS.securityReader));
    const refresh = card.actions.find((a: any) => a.title === 'Refresh');
    const asOperator = await click(t, refresh.verb, refresh.data, USERS.securityOperator);
    expect(JSON.stringify(asOperator.value)).toContain('"verb":"alert.close"');
    await click(t, 'alert.close', { alertId: refresh.data.alertId, resolution: 'benign' }, USERS.securityOperator);
    const after = await click(t, refresh.verb, refresh.data, USERS.securityReader);
    expect(cardText(after.value)).toMatch(/Closed \(Benign\) by Isaiah Langer/);
  });

  test('"Open in chat with Hybridwatch" (Action.Submit → onCardButtonClicked) posts the full card into the clicker\'s own chat', async () => {
    const { card } = onlyCard(await unfurl(t, ATP_LINK, USERS.securityReader));
    const open = card.actions.find((a: any) => a.type === 'Action.Submit');
    t.connector.clear();
    const r = await pressButton(t, open.data, USERS.securityOperator);
    expect(r.status).toBe(200);
    const [create, post] = t.connector.calls;
    expect(create).toMatchObject({ method: 'POST', path: '/v3/conversations', body: { isGroup: false, members: [{ id: `29:${USERS.securityOperator.aadObjectId}` }], tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47' } });
    expect(post.conversationId).toBe(`a:1on1-29:${USERS.securityOperator.aadObjectId}`);
    const sent = post.body.attachments[0].content;
    expectValidCard(sent);
    expect(titleOf(sent)).toBe('Suspected brute force attack (Kerberos, NTLM)');
    expect(JSON.stringify(sent)).toContain('"verb":"alert.close"'); // an operator's own view

    // A reader's chat gets the read-only card; a caller without a role gets nothing; other verbs are refused.
    t.connector.clear();
    await pressButton(t, open.data, USERS.securityReader);
    expect(JSON.stringify(t.connector.cards()[0])).not.toContain('alert.close');
    t.connector.clear();
    expect((await pressButton(t, open.data, USERS.noRole)).status).toBe(200);
    expect((await pressButton(t, { verb: 'alert.close', alertId: open.data.alertId, resolution: 'benign' }, USERS.securityOperator)).status).toBe(200);
    expect((await pressButton(t, { verb: 'integration.disable' }, USERS.globalAdmin)).status).toBe(200);
    expect(t.connector.calls).toEqual([]);
    expect((await t.app.services.ledger.get(`atp:${GUID}`))?.status).toBe('open');
    expect((await t.app.services.integration.get()).state).not.toBe('disabled');
  });

  test('when the clicker has no chat with Hybridwatch yet and Teams refuses, nothing breaks', async () => {
    t.connector.failNext.push({ status: 403, body: { error: { code: 'BotNotInConversationRoster', message: 'The bot is not part of the conversation roster.' } } });
    const r = await pressButton(t, { verb: 'alert.openInChat', alertId: `atp:${GUID}` }, USERS.securityReader);
    expect(r.status).toBe(200);
    // The same verb through Universal Actions says what to do.
    t.connector.failNext.push({ status: 403 });
    const ua = await click(t, 'alert.openInChat', { alertId: `atp:${GUID}` }, USERS.securityReader);
    expect(ua.value).toMatch(/Add Hybridwatch for yourself/);
  });
});

describe('message extension: another tenant', () => {
  test('links and searches from a tenant not in ALLOWED_TENANT_IDS get no answer', async () => {
    const t = await startTestApp({ env: { ALLOWED_TENANT_IDS: '11111111-1111-4111-8111-111111111111' } });
    try {
      await t.app.services.ledger.record(makeAlert({ ...DETECTIONS.passTheHash, sourceId: GUID, users: [account('CONTOSO\\jdoe')] }));
      const r = await t.post(makeQueryLink(ATP_LINK, USERS.securityReader, t.connector.url));
      expect(r.status).not.toBe(200);
      expect(JSON.stringify(r.body ?? '')).not.toMatch(/pass-the-hash|composeExtension/);
    } finally {
      await t.close();
    }
  });
});
