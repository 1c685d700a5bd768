import net from 'node:net';
import { makeMcasAlert } from '../fakes/mcas';
import { makeAction, makeChannelMessage, USERS } from '../helpers/activities';
import { cardText, expectValidCard } from '../helpers/cards';
import { startCloudRig, type CloudRig } from '../sources/cloud/cloud-helpers';
import type { OnPremFeature } from '../../bot/sources/onprem/onprem-feature';

/**
 * Issue 6 "done when", through the real paths: subscribe a channel, stream a hybrid attack through
 * syslog (TCP) and the Cloud App Security poller, re-trigger one alert, close one from its card:
 * exactly those cards and updates, within Teams' limits (the fake connector enforces them).
 */
const CHANNEL = '19:soc-done-when@thread.tacv2';
const guid = (n: number) => `7a1c0000-5d0e-4f7e-9a4e-${String(n).padStart(12, '0')}`;
const cef = (n: number, externalId: number, sig: string, name: string, sev: number, trigger = 'new', cnt = 1) =>
  `<132>1 2026-03-02T09:1${n}:44.120Z DC01 CEF 4120 ${sig} \ufeff0|Microsoft|Azure ATP|2.230.0.0|${sig}|${name}|${sev}|start=2026-03-02T09:1${n}:00.0000000Z app=Kerberos shost=WKS-17 suser=CONTOSO\\jdoe msg=${name} by jdoe from WKS-17. cnt=${cnt} externalId=${externalId} cs1Label=url cs1=https\\://contoso.atp.azure.com/securityAlert/${guid(n)} cs2Label=trigger cs2=${trigger}`;

describe('SOC channel end to end: syslog + cloud source → cards, re-trigger in place, close from the card', () => {
  let rig: CloudRig;
  afterEach(async () => {
    await rig?.close();
  });

  test('exactly the cards and updates, within Teams limits', async () => {
    rig = await startCloudRig();
    const { t, fake } = rig;
    const onprem = t.app.features.find((f) => f.name === 'onprem') as OnPremFeature;
    const { tcp } = await onprem.listen({ host: '127.0.0.1', udpPort: null, tcpPort: 0 });
    const syslog = (lines: string[]) =>
      new Promise<void>((resolve, reject) => {
        const s = net.connect(tcp!, '127.0.0.1', () => s.end(lines.map((l) => `${l}\n`).join('')));
        s.on('error', reject);
        s.on('close', () => resolve());
      });
    const c = t.connector;
    const creates = () => c.calls.filter((x) => x.method === 'POST' && x.conversationId === '');
    const summaries = () => creates().map((x) => String(x.body.activity.summary));

    expect((await t.post(makeAction('integration.enable', {}, USERS.globalAdmin, c.url))).body.type).toBe('application/vnd.microsoft.card.adaptive');
    expect((await t.post(makeChannelMessage('subscribe low', USERS.securityAdmin, c.url, CHANNEL))).status).toBe(200);
    await c.waitFor(() => c.texts().some((x) => /now receives hybrid alert cards/.test(x)));

    // On-premises: recon → brute force → pass-the-hash for CONTOSO\jdoe, over syslog TCP.
    await syslog([
      cef(1, 2038, 'LdapSearchReconnaissanceSecurityAlert', 'Security principal reconnaissance (LDAP)', 5),
      cef(2, 2023, 'BruteForceSecurityAlert', 'Suspected brute force attack (Kerberos, NTLM)', 5, 'new', 42),
      cef(3, 2017, 'PassTheHashSecurityAlert', 'Suspected identity theft (pass-the-hash)', 10),
    ]);
    // Cloud: the same user's alerts, through the poller.
    fake.alerts.push(
      makeMcasAlert({ _id: 'c1'.padEnd(24, '0'), timestamp: Date.parse('2026-03-02T09:20:00Z'), title: 'Impossible travel activity', severityValue: 2 }),
      makeMcasAlert({ _id: 'c2'.padEnd(24, '0'), timestamp: Date.parse('2026-03-02T09:25:00Z'), title: 'Mass download by a single user', severityValue: 1 }),
    );
    expect((await rig.cloud().pollOnce()).error).toBeUndefined();

    await c.waitFor(() => summaries().filter((s) => / alert: /.test(s)).length === 5 && summaries().some((s) => /^Risky user: John Doe/.test(s)), 20_000);
    expect(summaries().filter((s) => /Azure ATP integration active/.test(s))).toHaveLength(1);
    for (const x of creates()) expectValidCard(x.body.activity.attachments[0].content);
    // The risky-user card explains him: the tactics seen, the on-premises → cloud chain, the reasons by tactic.
    // (Which of his alerts were in when he crossed depends on how syslog lanes and the poll interleave.)
    const riskyCard = cardText(creates().find((x) => /^Risky user: John Doe/.test(String(x.body.activity.summary)))!.body.activity.attachments[0].content);
    expect(riskyCard).toContain('Risky user · hybrid investigation priority');
    expect(riskyCard).toMatch(/\nTactics: [A-Z][a-z ]+( · [A-Z][a-z ]+)+\n/);
    expect(riskyCard).toMatch(/\nHybrid chain: ⛓ Suspected (identity theft \(pass-the-hash\)|brute force attack \(Kerberos, NTLM\)) → [^\n]+ later( · full attack chain)?\n/);
    expect(riskyCard).toMatch(/\*\*Why\*\*\n[A-Z][a-z ]+\n(On-premises|Cloud): (high|medium): /);

    const cardFor = async (id: string) => {
      for (let i = 0; i < 200; i++) {
        const row = await t.app.store.db.selectFrom('notify_cards').selectAll().where('card_key', '=', `alert:${id}`).executeTakeFirst();
        if (row) return row;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`no notify_cards row for ${id}`);
    };

    // Re-trigger the brute force (cs2=update, higher cnt): the same card is updated in place + one thread reply.
    const bruteId = `atp:${guid(2)}`;
    const brute = await cardFor(bruteId);
    const createsBefore = creates().length;
    await syslog([cef(2, 2023, 'BruteForceSecurityAlert', 'Suspected brute force attack (Kerberos, NTLM)', 5, 'update', 97)]);
    await c.waitFor(() => c.updates(brute.activity_id).length >= 1 && c.sent(brute.thread_id).length === 1);
    expect(cardText(c.updates(brute.activity_id).at(-1)!.body.attachments[0].content)).toMatch(/Triggers: 2/);
    expect((await t.app.services.ledger.get(bruteId))?.cnt).toBe(97);

    // Close the pass-the-hash from its card as a Security Operator: the channel card shows who closed it.
    const pthId = `atp:${guid(3)}`;
    const pth = await cardFor(pthId);
    const closed = await t.post(makeAction('alert.close', { alertId: pthId, resolution: 'truePositive' }, USERS.securityOperator, c.url));
    expect(closed.body.type).toBe('application/vnd.microsoft.card.adaptive');
    await c.waitFor(() => c.updates(pth.activity_id).some((u) => /Closed/.test(cardText(u.body.attachments[0].content))));
    expect(cardText(c.updates(pth.activity_id).at(-1)!.body.attachments[0].content)).toMatch(/Isaiah Langer/);
    expect((await t.app.services.ledger.get(pthId))?.status).toBe('closed');

    // Exactly these new cards: 5 alerts + integration active + risky user, nothing created by the updates.
    expect(creates().length).toBe(createsBefore);
    expect(summaries().filter((s) => / alert: /.test(s))).toHaveLength(5);
    // Within Teams' limits: the connector never had to refuse a send.
    expect(c.rejected).toHaveLength(0);
  }, 60_000);
});
