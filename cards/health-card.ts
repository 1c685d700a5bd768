import type { HealthIssueView, HealthPart, HealthSnapshot, SensorView } from '../bot/sources/graph/mdi-health';
import { MAX_CARD_BYTES, card, esc, execute, facts, heading, openUrl, sizeOf, text, when, type CardMessage, type Element } from './card';

/** How a sensor's healthStatus reads, and its colour. */
export function sensorHealthLabel(h: string): { label: string; color: string } {
  const m = /^notHealthy(\w+)$/i.exec(h);
  if (h.toLowerCase() === 'healthy') return { label: 'Healthy', color: 'Good' };
  if (m) return { label: `Not healthy (${m[1].toLowerCase()})`, color: m[1].toLowerCase() === 'high' ? 'Attention' : 'Warning' };
  return { label: esc(h || 'unknown', 40), color: 'Default' };
}

/** camelCase enum values as words: `domainControllerIntegrated` → "domain controller integrated". */
export function words(v: string | null | undefined): string {
  if (!v) return 'unknown';
  return esc(v.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase(), 60);
}

const SEV_COLOR: Record<string, string> = { high: 'Attention', medium: 'Warning', low: 'Default' };

function problem(p: Extract<HealthPart<unknown>, { ok: false }>): Element[] {
  return [text(`⚠️ **${esc(p.message, 300)}**`, { color: 'Attention' }), text(`Fix: ${esc(p.fix, 400)}`, { isSubtle: true, spacing: 'None' })];
}

function sensorBlock(s: SensorView): Element {
  const h = sensorHealthLabel(s.health);
  const rows: Array<[string, string]> = [
    ['Domain', s.domain ? esc(s.domain, 120) : 'unknown'],
    ['Type', words(s.type)],
    ['Deployment', words(s.deployment)],
  ];
  if (s.service) rows.push(['Service', words(s.service)]);
  rows.push(['Version', s.version ? esc(s.version, 40) : 'unknown'], ['Open health issues', String(s.openIssues)]);
  return { type: 'Container', separator: true, items: [text(`**${esc(s.name, 120)}** · ${h.label}`, { color: h.color }), facts(rows)] };
}

export function issueFacts(i: HealthIssueView, maxList = 5): Array<[string, string]> {
  const list = (xs: string[]) => (xs.length ? xs.slice(0, maxList).map((x) => esc(x, 120)).join(', ') + (xs.length > maxList ? ` and ${xs.length - maxList} more` : '') : 'none named');
  const rows: Array<[string, string]> = [
    ['Severity', esc(i.severity, 20)],
    ['Affected sensors', list(i.sensors)],
    ['Affected domains', list(i.domains)],
  ];
  if (i.createdAt) rows.push(['Open since', when(i.createdAt)]);
  return rows;
}

function issueBlock(i: HealthIssueView, level: number): Element {
  const items: Element[] = [text(`**${esc(i.title, 200)}**`, { color: SEV_COLOR[i.severity] ?? 'Default' }), facts(issueFacts(i, [5, 3, 1][level]))];
  const recs = i.recommendations.slice(0, [3, 2, 1][level]);
  if (recs.length) items.push(text(`Recommended: ${recs.map((r) => esc(r, [400, 200, 120][level])).join(' · ')}`, { isSubtle: true, size: 'Small' }));
  return { type: 'Container', separator: true, items };
}

/** `health`: each sensor's health, deployment and service status, version and open issues; each open issue with what it affects and what to do. */
export function healthCard(s: HealthSnapshot, linkHosts: readonly string[]): CardMessage {
  for (const level of [0, 1, 2]) {
    const c = build(s, linkHosts, level);
    if (sizeOf(c.card) <= MAX_CARD_BYTES) return c;
  }
  return build(s, linkHosts, 2, true);
}

function build(s: HealthSnapshot, linkHosts: readonly string[], level: number, minimal = false): CardMessage {
  const maxSensors = minimal ? 5 : [30, 15, 8][level];
  const maxIssues = minimal ? 3 : [15, 8, 5][level];
  const body: Element[] = [heading('Defender for Identity health'), text(`Read from Microsoft Graph at ${when(s.at)}.`, { isSubtle: true, spacing: 'None' })];

  // Not configured, not onboarded, Graph down: one problem for both halves is said once.
  if (!s.sensors.ok && !s.issues.ok && s.sensors.message === s.issues.message) {
    body.push(...problem(s.sensors));
    return finish(body, linkHosts, 'Defender for Identity health: could not be read');
  }
  body.push(text('**Sensors**', { spacing: 'Medium' }));
  if (!s.sensors.ok) body.push(...problem(s.sensors));
  else if (s.sensors.items.length === 0) body.push(text('The tenant is onboarded, but no sensor is installed. Install the Defender for Identity sensor on your domain controllers (security.microsoft.com → Settings → Identities → Sensors).'));
  else {
    const sorted = [...s.sensors.items].sort((a, b) => Number(a.health === 'healthy') - Number(b.health === 'healthy') || a.name.localeCompare(b.name));
    for (const x of sorted.slice(0, maxSensors)) body.push(sensorBlock(x));
    if (sorted.length > maxSensors) body.push(text(`and ${sorted.length - maxSensors} more sensors (the healthy ones last).`, { isSubtle: true }));
  }

  body.push(text('**Open health issues**', { spacing: 'Medium' }));
  if (!s.issues.ok) body.push(...problem(s.issues));
  else if (s.issues.items.length === 0) body.push(text('No open health issues.', { color: 'Good' }));
  else {
    const order = ['high', 'medium', 'low'];
    const sorted = [...s.issues.items].sort((a, b) => (order.indexOf(a.severity) + 4) % 4 - (order.indexOf(b.severity) + 4) % 4);
    for (const i of sorted.slice(0, maxIssues)) body.push(issueBlock(i, level));
    if (sorted.length > maxIssues) body.push(text(`and ${sorted.length - maxIssues} more open issues.`, { isSubtle: true }));
  }
  return finish(body, linkHosts, s.sensors.ok ? `Defender for Identity health: ${s.sensors.items.length} sensors, ${s.issues.ok ? s.issues.items.length : '?'} open issues` : 'Defender for Identity health: could not be read');
}

function finish(body: Element[], linkHosts: readonly string[], summary: string): CardMessage {
  const actions: Element[] = [execute('Refresh', 'refresh', { view: 'health' })];
  const portal = openUrl('Open the health page', 'https://security.microsoft.com/settings/identities?tabid=health', linkHosts);
  if (portal) actions.push(portal);
  return { card: card(body, { actions, fallbackText: summary }), summary };
}
