import { openUrl } from '../../cards/card';
import { statusCard, type StatusData } from '../../cards/status-card';
import { enableConfirmCard, disableConfirmCard } from '../../cards/confirm-card';
import { configCard } from '../../cards/config-card';
import { helpCard } from '../../cards/help-card';
import { cardProblems, cardText, expectInert, expectValidCard } from '../helpers/cards';
import type { IntegrationState } from '../../bot/integration/integration-service';

const state = (over: Partial<IntegrationState> = {}): IntegrationState => ({
  state: 'disabled', since: '2026-03-02T09:00:00.000Z', byId: null, byName: null, enabledAt: null, activatedAt: null,
  lastOnPremAt: null, lastCloudAt: null, ignoredCount: 0, nodataWarnedAt: null, ...over,
});
const status = (over: Partial<StatusData> = {}): StatusData => ({
  integration: state(), now: '2026-03-02T10:00:00.000Z', retentionDays: 180, noDataWarning: false,
  counts: { total: 3, open: 2, onprem: 2, cloud: 1 }, onPremSources: ['syslog UDP 127.0.0.1:1514'], ...over,
});

describe('core cards: pure data → Adaptive Card 1.5, parsed by the adaptivecards library', () => {
  test.each([
    ['status disabled', statusCard(status())],
    ['status pending + no data', statusCard(status({ integration: state({ state: 'pending', byName: 'Alex Wilber', enabledAt: '2026-03-01T20:00:00.000Z' }), noDataWarning: true }))],
    ['status active + health + cloud error', statusCard(status({ integration: state({ state: 'active', lastOnPremAt: '2026-03-02T09:59:00.000Z' }), health: { title: 'Sensor stopped communicating', sensor: 'DC01', severity: 'high', at: '2026-03-02T09:00:00.000Z' }, cloud: { configured: true, lastPollAt: '2026-03-02T09:59:00.000Z', received: 12, lastError: { message: 'HTTP 401', fix: 'token invalid or lacks Investigation permissions', at: '2026-03-02T09:58:00.000Z' } } }))],
    ['enable confirm', enableConfirmCard({ integration: state(), onPremSources: [], retentionDays: 180, callerRoles: ['Global Administrator'] })],
    ['disable confirm', disableConfirmCard({ integration: state({ state: 'active' }), onPremSources: [], retentionDays: 90, callerRoles: [] })],
    ['config set', configCard('https://contoso.atp.azure.com')],
    ['config unset', configCard(undefined)],
    ['help', helpCard([{ usage: 'status', description: 'state' }])],
  ])('%s', (_name, msg) => {
    expectValidCard(msg.card);
    expect(msg.summary.length).toBeGreaterThan(0);
    expect(msg.card.msteams?.width).toBe('Full');
    expect(msg.card).toMatchSnapshot();
  });

  test('posture section only while enabled; no-data warning only when flagged', () => {
    expect(cardText(statusCard(status()).card)).not.toContain('Identity Security Posture');
    expect(cardText(statusCard(status({ integration: state({ state: 'active' }) })).card)).toContain('Identity Security Posture');
    expect(cardText(statusCard(status({ integration: state({ state: 'pending', enabledAt: '2026-03-01T20:00:00.000Z' }), noDataWarning: true })).card)).toMatch(/No on-premises data 14 h 0 min ago after enabling/);
  });

  test('config links are OpenUrl actions to the workspace only', () => {
    const c = configCard('https://contoso.atp.azure.com').card;
    expect(c.actions?.map((a: any) => a.url)).toEqual([
      'https://contoso.atp.azure.com/settings/sensors',
      'https://contoso.atp.azure.com/settings/directoryServices',
      'https://contoso.atp.azure.com/settings/vpn',
      'https://contoso.atp.azure.com/health',
    ]);
  });
});

describe('links', () => {
  test('openUrl allows only https links to known hosts', () => {
    const hosts = ['atp.azure.com', 'portal.cloudappsecurity.com'];
    expect(openUrl('x', 'https://contoso.atp.azure.com/securityAlert/1', hosts)).toMatchObject({ type: 'Action.OpenUrl' });
    expect(openUrl('x', 'https://evil.example/atp.azure.com', hosts)).toBeNull();
    expect(openUrl('x', 'https://atp.azure.com.evil.example/', hosts)).toBeNull();
    expect(openUrl('x', 'http://contoso.atp.azure.com/', hosts)).toBeNull();
    expect(openUrl('x', 'javascript:alert(1)', hosts)).toBeNull();
    expect(openUrl('x', 'not a url', hosts)).toBeNull();
  });
});

describe('the card validator itself can fail', () => {
  test('unknown element types, bad versions and oversize cards are reported', () => {
    const bad: any = { type: 'AdaptiveCard', $schema: 'x', version: '1.2', body: [{ type: 'NoSuchElement' }, { type: 'TextBlock', text: 'x'.repeat(30_000) }] };
    const problems = cardProblems(bad);
    expect(problems.join('\n')).toMatch(/NoSuchElement/);
    expect(problems.join('\n')).toMatch(/version 1\.2/);
    expect(problems.join('\n')).toMatch(/size/);
  });

  test('expectInert fails for untrusted text in Markdown, in a link or drawn outside a TextRun', () => {
    const run = (text: string) => ({ type: 'RichTextBlock', inlines: [{ type: 'TextRun', text }] });
    expect(() => expectInert({ body: [run('evil.example')] }, 'evil.example')).not.toThrow();
    expect(() => expectInert({ body: [{ type: 'TextBlock', text: 'evil.example' }] }, 'evil.example')).toThrow();
    expect(() => expectInert({ body: [{ type: 'FactSet', facts: [{ title: 't', value: 'evil.example' }] }] }, 'evil.example')).toThrow();
    expect(() => expectInert({ actions: [{ type: 'Action.OpenUrl', title: 'x', url: 'https://evil.example/' }] }, 'evil.example')).toThrow();
    expect(() => expectInert({ actions: [{ type: 'Action.Execute', title: 'evil.example', verb: 'x', data: {} }] }, 'evil.example')).toThrow();
  });
});
