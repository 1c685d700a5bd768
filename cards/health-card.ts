import type { HealthIssueView, HealthPart, HealthSnapshot, SensorView } from '../bot/sources/graph/mdi-health';
import { fact, listLine, plain, safeLink, when, type CardMessage, type Fact, type Link } from './card';
import { renderFitted } from './render';

/** How a sensor's healthStatus reads, and its colour. */
export function sensorHealthLabel(h: string): { label: string; color: string } {
  const m = /^notHealthy(\w+)$/i.exec(h);
  if (h.toLowerCase() === 'healthy') return { label: 'Healthy', color: 'Good' };
  if (m) return { label: `Not healthy (${m[1].toLowerCase()})`, color: m[1].toLowerCase() === 'high' ? 'Attention' : 'Warning' };
  return { label: plain(h || 'unknown', 40), color: 'Default' };
}

/** camelCase enum values as words: `domainControllerIntegrated` → "domain controller integrated". */
export function words(v: string | null | undefined): string {
  if (!v) return 'unknown';
  return plain(v.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase(), 60);
}

const SEV_COLOR: Record<string, string> = { high: 'Attention', medium: 'Warning', low: 'Default' };
export const HEALTH_PAGE = 'https://security.microsoft.com/settings/identities?tabid=health';

interface Problem {
  show: boolean;
  message: string;
  fix: string;
}

/** cards/templates/health.json (sample: health.data.json). Every string is drawn literally. */
export interface HealthModel {
  at: string;
  /** One problem for both halves (not configured, not onboarded, Graph down) is said once, here. */
  problem: Problem;
  sensors: { show: boolean; problem: Problem; none: boolean; items: Array<{ name: string; label: string; color: string; facts: Fact[] }>; more: string };
  issues: { show: boolean; problem: Problem; none: boolean; items: Array<{ title: string; color: string; facts: Fact[]; recommended: string }>; more: string };
  links: Link[];
}

const noProblem: Problem = { show: false, message: '', fix: '' };
const problemOf = (p: HealthPart<unknown>): Problem => (p.ok ? noProblem : { show: true, message: plain(p.message, 300), fix: plain(p.fix, 400) });

export function issueFacts(i: HealthIssueView, maxList = 5): Fact[] {
  const list = (xs: string[]) => (xs.length ? listLine(xs, maxList, (x) => plain(x, 120)) : 'none named');
  const facts = [fact('Severity', plain(i.severity, 20)), fact('Affected sensors', list(i.sensors)), fact('Affected domains', list(i.domains))];
  if (i.createdAt) facts.push(fact('Open since', when(i.createdAt)));
  return facts;
}

function sensorItem(s: SensorView) {
  const h = sensorHealthLabel(s.health);
  const facts = [fact('Domain', s.domain ? plain(s.domain, 120) : 'unknown'), fact('Type', words(s.type)), fact('Deployment', words(s.deployment))];
  if (s.service) facts.push(fact('Service', words(s.service)));
  facts.push(fact('Version', s.version ? plain(s.version, 40) : 'unknown'), fact('Open health issues', String(s.openIssues)));
  return { name: plain(s.name, 120), label: h.label, color: h.color, facts };
}

const ORDER = ['high', 'medium', 'low'];
const rank = (sev: string) => (ORDER.includes(sev) ? ORDER.indexOf(sev) : ORDER.length);

/** Levels 0–3 show fewer sensors and issues, with shorter recommendations, until the card fits. */
export function healthModel(s: HealthSnapshot, linkHosts: readonly string[], level = 0): HealthModel {
  const maxSensors = [30, 15, 8, 5][level];
  const maxIssues = [15, 8, 5, 3][level];
  const links = [safeLink('Open the health page', HEALTH_PAGE, linkHosts)].filter((l): l is Link => !!l);
  const at = when(s.at);
  const shared = !s.sensors.ok && !s.issues.ok && s.sensors.message === s.issues.message;
  if (shared) {
    return { at, problem: problemOf(s.sensors), sensors: { show: false, problem: noProblem, none: false, items: [], more: '' }, issues: { show: false, problem: noProblem, none: false, items: [], more: '' }, links };
  }
  const sensors = s.sensors.ok ? [...s.sensors.items].sort((a, b) => Number(a.health === 'healthy') - Number(b.health === 'healthy') || a.name.localeCompare(b.name)) : [];
  const issues = s.issues.ok ? [...s.issues.items].sort((a, b) => rank(a.severity) - rank(b.severity)) : [];
  return {
    at,
    problem: noProblem,
    sensors: {
      show: true,
      problem: problemOf(s.sensors),
      none: s.sensors.ok && sensors.length === 0,
      items: sensors.slice(0, maxSensors).map(sensorItem),
      more: sensors.length > maxSensors ? `and ${sensors.length - maxSensors} more sensors (the healthy ones last).` : '',
    },
    issues: {
      show: true,
      problem: problemOf(s.issues),
      none: s.issues.ok && issues.length === 0,
      items: issues.slice(0, maxIssues).map((i) => ({
        title: plain(i.title, 200),
        color: SEV_COLOR[i.severity] ?? 'Default',
        facts: issueFacts(i, [5, 3, 1, 1][level]),
        recommended: i.recommendations.length ? `Recommended: ${i.recommendations.slice(0, [3, 2, 1, 1][level]).map((r) => plain(r, [400, 200, 120, 80][level])).join(' · ')}` : '',
      })),
      more: issues.length > maxIssues ? `and ${issues.length - maxIssues} more open issues.` : '',
    },
    links,
  };
}

/** `health`: each sensor's health, deployment and service status, version and open issues; each open issue with what it affects and what to do. */
export function healthCard(s: HealthSnapshot, linkHosts: readonly string[]): CardMessage {
  const summary = s.sensors.ok ? `Defender for Identity health: ${s.sensors.items.length} sensors, ${s.issues.ok ? s.issues.items.length : '?'} open issues` : 'Defender for Identity health: could not be read';
  return renderFitted('health', 4, (level) => healthModel(s, linkHosts, level), { summary });
}
