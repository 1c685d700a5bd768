import fc from 'fast-check';
import { normalizeGraphAlert, userFromEvidence } from '../../../bot/sources/graph/normalize-graph';
import { makeGraphAlert, userEvidence, deviceEvidence } from '../../fakes/graph-security';

describe('alerts_v2 normalization', () => {
  test('the documented example alert (Defender for Endpoint) normalizes; state and content are told apart', () => {
    const a = makeGraphAlert({ serviceSource: 'microsoftDefenderForEndpoint', severity: 'low', category: 'DefenseEvasion', status: 'new', classification: 'unknown', determination: 'unknown' });
    const n = normalizeGraphAlert(a);
    if (!n.ok) throw new Error(n.reason);
    expect(n.value).toMatchObject({ graphId: a.id, onPrem: false, serviceSource: 'microsoftDefenderForEndpoint', state: { status: 'new', classification: 'unknown', determination: 'unknown', assignedTo: null }, category: 'DefenseEvasion' });
    expect(n.value.alert).toMatchObject({ source: 'cloud', severity: 'low', tactics: ['DefenseEvasion'], status: 'open', resolution: null, graph: { id: a.id, providerAlertId: a.id.toLowerCase() } });
    // A portal change (status, assignee) keeps the content hash: not a re-trigger. New activity changes it.
    const worked = normalizeGraphAlert({ ...a, status: 'resolved', classification: 'truePositive', assignedTo: 'x@contoso.com', lastUpdateDateTime: '2026-03-03T00:00:00Z', comments: [{ comment: 'c' }] });
    const active = normalizeGraphAlert({ ...a, lastActivityDateTime: '2026-03-03T00:00:00Z' });
    if (!worked.ok || !active.ok) throw new Error('normalize');
    expect(worked.value.alert.hash).toBe(n.value.alert.hash);
    expect(worked.value.versionHash).not.toBe(n.value.versionHash);
    expect(worked.value.alert).toMatchObject({ status: 'closed', resolution: 'truePositive' });
    expect(active.value.alert.hash).not.toBe(n.value.alert.hash);
  });

  test('users from userEvidence: object id, UPN, DOMAIN\\sam, SID; hosts from deviceEvidence; unknown severity shown as medium', () => {
    const n = normalizeGraphAlert(
      makeGraphAlert({
        severity: 'unknownFutureValue',
        evidence: [
          userEvidence({ accountName: 'jdoe', domainName: 'CONTOSO', userSid: 'S-1-5-21-1-2-3-1107' }),
          userEvidence({ azureAdUserId: '00000000-0000-0000-0000-000000000003', userPrincipalName: 'Lee@Contoso.com' }),
          userEvidence({ accountName: 'jdoe', domainName: 'CONTOSO' }), // the same account again
          userEvidence({}),
          deviceEvidence('WKS-17.contoso.local'),
          deviceEvidence('wks-17.CONTOSO.local'),
          { '@odata.type': '#microsoft.graph.security.ipEvidence', ipAddress: '10.0.0.1' },
          null,
          'junk',
        ],
      }),
    );
    if (!n.ok) throw new Error(n.reason);
    expect(n.value.alert.severity).toBe('medium');
    expect(n.value.alert.users).toEqual([
      { raw: 'CONTOSO\\jdoe', key: 'onprem:contoso\\jdoe', sam: 'jdoe', domain: 'CONTOSO', sid: 'S-1-5-21-1-2-3-1107' },
      { raw: 'lee@contoso.com', key: 'aad:00000000-0000-0000-0000-000000000003', aadObjectId: '00000000-0000-0000-0000-000000000003', upn: 'lee@contoso.com' },
    ]);
    expect(n.value.alert.hosts).toEqual(['WKS-17.contoso.local']);
    expect(userFromEvidence({ userPrincipalName: 'a@b.c' }, false)).toMatchObject({ key: 'cloud:a@b.c' });
  });

  test('malformed alerts are reported with the field and never throw; the rest of the page is kept', () => {
    expect(normalizeGraphAlert(null)).toEqual({ ok: false, reason: 'not an alert object' });
    expect(normalizeGraphAlert([])).toEqual({ ok: false, reason: 'not an alert object' });
    expect(normalizeGraphAlert(makeGraphAlert({ id: 'a/../b' }))).toMatchObject({ ok: false, reason: expect.stringMatching(/id must be an alert id/) });
    expect(normalizeGraphAlert(makeGraphAlert({ id: 'x1', title: '  ' }))).toMatchObject({ ok: false, id: 'x1', reason: 'alert x1: title must not be empty' });
    const { createdDateTime: _c, ...noCreated } = makeGraphAlert({ id: 'x2' });
    expect(normalizeGraphAlert(noCreated)).toMatchObject({ ok: false, reason: 'alert x2: createdDateTime is missing' });
    // Links only over https; a javascript: link is dropped, not shown.
    const n = normalizeGraphAlert(makeGraphAlert({ alertWebUrl: 'javascript:alert(1)', incidentWebUrl: 'http://security.microsoft.com/incidents/1' }));
    expect(n.ok && n.value.alert.graph).toMatchObject({ url: null, incidentUrl: null });
    let deep: any = {};
    for (let i = 0; i < 20_000; i++) deep = { d: deep };
    expect(normalizeGraphAlert(makeGraphAlert({ id: 'deep', evidence: [deep] }))).toMatchObject({ ok: false, reason: 'the alert is nested too deeply to read' });
  });

  test('property: any JSON value normalizes or is rejected with a reason, never throws; ok results are bounded', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), fc.record({ id: fc.string(), title: fc.string(), lastUpdateDateTime: fc.string(), createdDateTime: fc.string(), evidence: fc.array(fc.jsonValue()), severity: fc.string(), category: fc.string() })), (v) => {
        const n = normalizeGraphAlert(v);
        if (!n.ok) return typeof n.reason === 'string' && n.reason.length > 0;
        return n.value.alert.title.length <= 500 && n.value.alert.users.length <= 50 && n.value.alert.hosts.length <= 50 && !/[\u0000-\u0008]/.test(n.value.alert.title);
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.string(), fc.string(), (title, description, sam, host) => {
        const n = normalizeGraphAlert(makeGraphAlert({ title: `t${title}`, description, evidence: [userEvidence({ accountName: sam, domainName: 'CONTOSO' }), deviceEvidence(host)] }));
        return n.ok && n.value.alert.description.length <= 4000;
      }),
      { numRuns: 300 },
    );
  });
});
