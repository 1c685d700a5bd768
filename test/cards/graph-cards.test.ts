import { alertCard } from '../../cards/alert-card';
import { healthCard } from '../../cards/health-card';
import { healthIssueCard } from '../../cards/health-issue-card';
import { DEFAULT_LINK_HOSTS, MAX_CARD_BYTES, sizeOf } from '../../cards/card';
import type { AlertRow } from '../../bot/hybrid/alert';
import type { HealthIssueView, HealthSnapshot, SensorView } from '../../bot/sources/graph/mdi-health';
import { cardText, expectInert, expectValidCard } from '../helpers/cards';

const MARK = '⟦m⟧';
const HOSTILE = ['[click](https://evil.example)', '<at>x</at>', '**bold** _i_ # h', 'javascript:alert(1)', '\u202eevil', '![img](https://evil.example/a.png)', '${nosuchfield}'].map((h) => `${MARK}${h}`);
const links = [...DEFAULT_LINK_HOSTS];

const sensor = (i: number, over: Partial<SensorView> = {}): SensorView => ({ id: `s${i}`, name: `DC${i}`, domain: 'contoso.local', type: 'domainControllerIntegrated', health: 'healthy', deployment: 'upToDate', service: null, version: '2.239.1', openIssues: 0, ...over });
const issue = (i: number, over: Partial<HealthIssueView> = {}): HealthIssueView => ({ id: `i${i}`, title: `Issue ${i}`, description: 'd', severity: 'medium', status: 'open', type: 'global', sensors: [`DC${i}.contoso.local`], domains: ['contoso.local'], recommendations: ['Do the thing'], createdAt: '2026-03-01T00:00:00.000Z', modifiedAt: null, ...over });
const snap = (sensors: SensorView[], issues: HealthIssueView[]): HealthSnapshot => ({ at: '2026-03-02T09:00:00.000Z', sensors: { ok: true, items: sensors }, issues: { ok: true, items: issues } });

function row(over: Partial<AlertRow> = {}): AlertRow {
  return {
    id: 'xdr:g1', source: 'onprem', onprem_id: null, cloud_id: null, type: 'detector:x', type_name: 'Suspected brute-force attack', title: 'Suspected brute-force attack', description: 'd', severity: 'high', status: 'open',
    users: [], hosts: [], first_seen: '2026-03-02T08:00:00.000Z', last_seen: '2026-03-02T09:00:00.000Z', trigger_count: 1, cnt: null, url: null, cloud_url: null, app: null, policy: null, threat_score: null, last_hash: 'h',
    closed_by_id: null, closed_by_name: null, closed_at: null, resolution: null, assigned_to_id: null, assigned_to_name: null, muted_until: null, created_at: '2026-03-02T08:00:00.000Z', updated_at: '2026-03-02T09:00:00.000Z',
    graph_id: 'g1', graph_url: 'https://security.microsoft.com/alerts/g1', incident_url: 'https://evil.example/incidents/1',
    ...over,
  };
}

describe('Defender XDR and Defender for Identity cards (pure builders)', () => {
  test('alert card: Defender XDR state, tactic, links only to known hosts, comments inert, Comment… input ≤ 1,000', () => {
    for (const h of HOSTILE) {
      const c = alertCard({
        alert: row({ title: h }),
        linkHosts: links,
        now: '2026-03-02T09:01:00.000Z',
        interactive: true,
        xdr: { status: 'resolved', classification: 'truePositive', determination: 'compromisedUser', assignedTo: h, category: 'CredentialAccess' },
        comments: { count: 3, latest: [{ byName: h, at: '2026-03-02T09:00:00.000Z', text: h }, { byName: 'Lee', at: '2026-03-02T08:00:00.000Z', text: 'older' }] },
      });
      expectValidCard(c.card);
      const t = cardText(c.card);
      expect(t).toMatch(/Resolved in Defender XDR: true positive \(compromised user\) · assigned to /);
      expect(t).toContain('MITRE tactic: credential access');
      expect(t).toMatch(/1 earlier comment/);
      expectInert(c.card, MARK); // shown only as literal text (TextRuns), never as Markdown or a link
      expect(t).toContain(h.replace('\u202e', ''));
      const json = JSON.stringify(c.card);
      expect(json).not.toContain('evil.example/incidents'); // an incident link to an unknown host is dropped
      expect(json).toContain('https://security.microsoft.com/alerts/g1');
      const input = JSON.stringify(c.card).match(/"type":"Input.Text","id":"comment"[^}]*/)?.[0] ?? '';
      expect(input).toContain('"maxLength":1000');
    }
    // Readers get no Comment… box.
    expect(JSON.stringify(alertCard({ alert: row(), linkHosts: links, now: '2026-03-02T09:01:00.000Z', interactive: false }).card)).not.toContain('alert.comment');
  });

  test('health card: hostile names are inert; 300 sensors and 100 issues still fit under 28 KB', () => {
    const hostile = snap(HOSTILE.map((h, i) => sensor(i, { name: h, domain: h, version: h })), HOSTILE.map((h, i) => issue(i, { title: h, recommendations: [h], sensors: [h] })));
    const c = healthCard(hostile, links);
    expectValidCard(c.card);
    expectInert(c.card, MARK);
    const big = healthCard(snap(Array.from({ length: 300 }, (_, i) => sensor(i, { health: i % 3 ? 'healthy' : 'notHealthyMedium', name: 'D'.repeat(100) + i })), Array.from({ length: 100 }, (_, i) => issue(i, { description: 'x'.repeat(2000), recommendations: ['r'.repeat(400), 'r'.repeat(400), 'r'.repeat(400)], sensors: Array.from({ length: 40 }, (_, k) => `dc${k}.contoso.local`) }))), links);
    expectValidCard(big.card);
    expect(sizeOf(big.card)).toBeLessThanOrEqual(MAX_CARD_BYTES);
    expect(cardText(big.card)).toMatch(/and \d+ more sensors/);
    expect(cardText(big.card)).toMatch(/and \d+ more open issues/);
  });

  test('health issue card: open, then no longer open; valid, with a summary', () => {
    const open = healthIssueCard({ issue: issue(1, { severity: 'high', title: 'Sensor stopped communicating' }), status: 'open', firstSeen: '2026-03-02T09:00:00.000Z', closedAt: null, linkHosts: links });
    const closed = healthIssueCard({ issue: issue(1, { severity: 'high', title: 'Sensor stopped communicating' }), status: 'closed', firstSeen: '2026-03-02T09:00:00.000Z', closedAt: '2026-03-02T10:00:00.000Z', linkHosts: links });
    for (const c of [open, closed]) expectValidCard(c.card);
    expect(open.summary).toBe('High Defender for Identity health issue: Sensor stopped communicating');
    expect(cardText(closed.card)).toMatch(/No longer open[\s\S]*since 2026-03-02 10:00 UTC/);
  });
});
