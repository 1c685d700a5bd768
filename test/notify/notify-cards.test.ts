import { alertCard } from '../../cards/alert-card';
import { digestCard } from '../../cards/digest-card';
import { integrationCard } from '../../cards/integration-card';
import { riskyUserCard } from '../../cards/risky-user-card';
import { DEFAULT_LINK_HOSTS, MAX_CARD_BYTES, plain, sizeOf } from '../../cards/card';
import type { AlertRow } from '../../bot/hybrid/alert';
import { cardText, expectInert, expectValidCard } from '../helpers/cards';

const HOSTILE = ['[click](https://evil.example)', '<at>x</at>', '**bold** _i_ # h', 'javascript:alert(1)', '\u202eevil', '![img](https://evil.example/a.png)'];

function row(over: Partial<AlertRow> = {}): AlertRow {
  return {
    id: 'atp:1', source: 'onprem', onprem_id: '1', cloud_id: null, type: '2017', type_name: 'PassTheHashSecurityAlert', title: 'Suspected identity theft (pass-the-hash)', description: 'Alex used a hash', severity: 'high', status: 'open',
    users: [{ raw: 'CONTOSO\\awilber', key: 'aad:1', aadObjectId: '1', upn: 'alex@contoso.com', displayName: 'Alex Wilber', sam: 'awilber', domain: 'contoso.local', resolution: 'resolved' }],
    hosts: ['WKS-17', 'DC-01'], first_seen: '2026-03-02T08:00:00.000Z', last_seen: '2026-03-02T09:00:00.000Z', trigger_count: 1, cnt: 3, url: 'https://contoso.atp.azure.com/alert/1', cloud_url: null, app: null, policy: null, threat_score: null, last_hash: 'h',
    closed_by_id: null, closed_by_name: null, closed_at: null, resolution: null, assigned_to_id: null, assigned_to_name: null, muted_until: null, created_at: '2026-03-02T08:00:00.000Z', updated_at: '2026-03-02T09:00:00.000Z',
    graph_id: null, graph_url: null, incident_url: null,
    ...over,
  };
}
const base = { linkHosts: [...DEFAULT_LINK_HOSTS], now: '2026-03-02T09:01:00.000Z' };

describe('notify cards (pure builders)', () => {
  test('hybrid alert card: both identities, hosts, source, counts, context, ATP link; valid 1.5 with summary', () => {
    const c = alertCard({ ...base, alert: row(), interactive: true, refreshUserIds: ['8:orgid:1'], context: { other: 'cloud', count: 2, topTitles: ['Impossible travel activity'], hybridChain: true } });
    expectValidCard(c.card);
    const t = cardText(c.card);
    expect(t).toContain('Users: Alex Wilber (alex@contoso.com · CONTOSO\\awilber)');
    expect(t).toContain('Hosts: WKS-17, DC-01');
    expect(t).toMatch(/On-premises \(Azure ATP\)/);
    expect(t).toMatch(/Also in the cloud \(Cloud App Security\): 2 alerts/);
    expect(t).toMatch(/Hybrid attack chain/);
    expect(t).toMatch(/Triggers: 1 \(source count 3\)/);
    expect(c.card.actions?.some((a) => a.type === 'Action.OpenUrl' && a.url === 'https://contoso.atp.azure.com/alert/1')).toBe(true);
    expect(c.card.refresh?.userIds).toEqual(['8:orgid:1']);
    expect(c.card.msteams?.width).toBe('Full');
    expect(c.summary).toMatch(/^High alert: Suspected identity theft/);
  });

  test('read-only view has no operate buttons; closed card says who closed it', () => {
    const ro = alertCard({ ...base, alert: row(), interactive: false });
    expect(JSON.stringify(ro.card)).not.toContain('alert.close');
    const closed = alertCard({ ...base, alert: row({ status: 'closed', closed_by_name: 'Isaiah Langer', closed_at: '2026-03-02T09:05:00.000Z', resolution: 'benign', assigned_to_name: 'Isaiah Langer' }), interactive: true });
    expectValidCard(closed.card);
    expect(cardText(closed.card)).toMatch(/✅ Closed \(Benign\) by Isaiah Langer at 2026-03-02 09:05 UTC · assigned to Isaiah Langer/);
    expect(JSON.stringify(closed.card)).not.toContain('alert.close');
  });

  test('hostile strings render inert, links only to known hosts, 100 KB titles fit the size limit', () => {
    for (const h of HOSTILE) {
      const big = h + 'A'.repeat(100_000);
      const users = Array.from({ length: 500 }, (_, i) => ({ raw: `${h}${i}`, key: `k${i}`, displayName: `${big}`, upn: big, sam: big, domain: big, note: big, resolution: 'ambiguous' as const }));
      const c = alertCard({ ...base, alert: row({ title: big, description: big, type_name: big, hosts: Array(500).fill(big), users, app: big, url: 'https://evil.example/x', cloud_url: 'javascript:alert(1)' }), interactive: true, context: { other: 'cloud', count: 9, topTitles: [big, big, big], hybridChain: false }, notice: big });
      expectValidCard(c.card);
      expect(sizeOf(c.card)).toBeLessThanOrEqual(MAX_CARD_BYTES);
      // The hostile text is shown as written (a TextRun, no Markdown there), never in Markdown or as a link.
      expectInert(c.card, h);
      expect(cardText(c.card)).toContain(plain(h)); // bidi overrides and control characters are dropped
      expect(JSON.stringify(c.card)).not.toContain('"url":"https://evil.example');
      // Plain text "javascript:" is inert; it must never be a link.
      expect(JSON.stringify(c.card)).not.toMatch(/"url":"(?!https:\/\/contoso)/);
      expect(c.summary.length).toBeLessThanOrEqual(200);
    }
  });

  test('digest, risky-user and integration cards are valid and keep untrusted text inert', () => {
    const d = digestCard({ windowStart: '2026-03-02T09:00:00.000Z', windowEnd: '2026-03-02T09:01:00.000Z', total: 480, bySeverity: { high: 100, medium: 380 }, byType: [['[click](https://evil.example)', 300]], topUsers: [['<at>x</at>', 480]], updatedAt: '2026-03-02T09:00:59.000Z' });
    expectValidCard(d.card);
    expect(cardText(d.card)).toMatch(/480 more alerts/);
    expect(cardText(d.card)).toMatch(/100 high, 380 medium/);
    expect(cardText(d.card)).toMatch(/send alerts to list them/);
    expectInert(d.card, '<at>x</at>');
    expectInert(d.card, 'evil.example');
    const r = riskyUserCard({ userKey: 'aad:1', displayName: '[click](https://evil.example)', upn: 'alex@contoso.com', onPremAccount: 'CONTOSO\\awilber', score: 42.5, percentile: 97, reasons: [{ source: 'onprem', text: 'high: pass-the-hash' }, { source: 'cloud', text: 'high: impossible travel' }], at: '2026-03-02T09:00:00.000Z', interactive: true });
    expectValidCard(r.card);
    expect(JSON.stringify(r.card)).toContain('user.dismiss');
    expectInert(r.card, 'evil.example');
    for (const n of [
      { kind: 'changed' as const, from: 'disabled' as const, to: 'pending' as const, actorName: '<at>x</at>', at: '2026-03-02T09:00:00.000Z' },
      { kind: 'changed' as const, from: 'pending' as const, to: 'active' as const, actorName: null, at: '2026-03-02T09:00:00.000Z' },
      { kind: 'changed' as const, from: 'active' as const, to: 'disabled' as const, actorName: 'Alex', at: '2026-03-02T09:00:00.000Z' },
      { kind: 'nodata' as const, enabledAt: '2026-03-01T21:00:00.000Z', at: '2026-03-02T09:00:00.000Z' },
    ]) {
      const c = integrationCard(n);
      expectValidCard(c.card);
      expectInert(c.card, '<at>x</at>');
    }
  });
});
