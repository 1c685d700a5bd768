import type { Clock } from '../../clock';
import { GraphSecurityError, type GraphProblem } from '../../errors';
import type { Logger } from '../../log';
import { listOpenHealthIssues, listSensors } from './defender-api';
import { NOT_ONBOARDED_FIX } from './graph-errors';
import { PERMISSIONS, type GraphSecurityClient } from './graph-security-client';

/** One Defender for Identity sensor as the `health` card shows it. */
export interface SensorView {
  id: string;
  name: string;
  domain: string | null;
  type: string | null;
  /** healthy | notHealthyLow | notHealthyMedium | notHealthyHigh (or whatever Graph adds). */
  health: string;
  deployment: string | null;
  /** serviceStatus is beta-only: null on v1.0. */
  service: string | null;
  version: string | null;
  openIssues: number;
}

export interface HealthIssueView {
  id: string;
  title: string;
  description: string;
  severity: 'low' | 'medium' | 'high' | string;
  status: string;
  type: string | null;
  sensors: string[];
  domains: string[];
  recommendations: string[];
  createdAt: string | null;
  modifiedAt: string | null;
}

export type HealthPart<T> = { ok: true; items: T[] } | { ok: false; problem: GraphProblem | 'notConfigured'; message: string; fix: string };

export interface HealthSnapshot {
  at: string;
  sensors: HealthPart<SensorView>;
  issues: HealthPart<HealthIssueView>;
}

/** The one-line summary `status` and the enable checklist use. */
export interface HealthSummary {
  configured: boolean;
  /** "3 sensors: 2 healthy, 1 not healthy (high)", or the problem in words. */
  line: string;
  /** null when it could not be told (no permission, Graph down). */
  onboarded: boolean | null;
  sensors: number;
  healthySensors: number;
  openIssues: number | null;
  problem: { message: string; fix: string } | null;
  at: string;
}

export const HEALTH_CACHE_MS = 30_000;
export const NOT_CONFIGURED = {
  message: 'Defender for Identity health is read through Microsoft Graph, which is not configured',
  fix: `Set GRAPH_TENANT_ID, GRAPH_CLIENT_ID and GRAPH_CLIENT_SECRET for an app with ${PERMISSIONS.sensors} and ${PERMISSIONS.healthIssues}`,
};

const str = (v: unknown, max = 300) => (typeof v === 'string' ? v.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '').slice(0, max) : '');
const strs = (v: unknown, n = 50) => (Array.isArray(v) ? v.map((x) => str(x)).filter(Boolean).slice(0, n) : []);

export function toSensor(raw: unknown): SensorView | null {
  const r = (raw ?? {}) as Record<string, unknown>;
  if (typeof r.id !== 'string' || !r.id) return null;
  const n = Number(r.openHealthIssuesCount);
  return {
    id: str(r.id, 200),
    name: str(r.displayName, 200) || str(r.id, 200),
    domain: str(r.domainName, 200) || null,
    type: str(r.sensorType, 64) || null,
    health: str(r.healthStatus, 64) || 'unknown',
    deployment: str(r.deploymentStatus, 64) || null,
    service: str(r.serviceStatus, 64) || null,
    version: str(r.version, 64) || null,
    openIssues: Number.isFinite(n) && n >= 0 ? Math.floor(n) : 0,
  };
}

export function toIssue(raw: unknown): HealthIssueView | null {
  const r = (raw ?? {}) as Record<string, unknown>;
  if (typeof r.id !== 'string' || !r.id) return null;
  return {
    id: str(r.id, 200),
    title: str(r.displayName, 300) || 'Health issue',
    description: str(r.description, 2000),
    // The documented samples mix cases ("Global"): compare lower-cased.
    severity: str(r.severity, 20).toLowerCase() || 'unknown',
    status: str(r.status, 20).toLowerCase() || 'open',
    type: str(r.healthIssueType, 20).toLowerCase() || null,
    sensors: strs(r.sensorDNSNames),
    domains: strs(r.domainNames),
    recommendations: strs(r.recommendations, 10),
    createdAt: str(r.createdDateTime, 40) || null,
    modifiedAt: str(r.lastModifiedDateTime, 40) || null,
  };
}

function failed<T>(e: unknown, what: string, permission: string): HealthPart<T> {
  if (e instanceof GraphSecurityError) {
    if (e.problem === 'notOnboarded' || e.status === 404) return { ok: false, problem: 'notOnboarded', message: 'This tenant is not onboarded to Microsoft Defender for Identity', fix: NOT_ONBOARDED_FIX };
    if (e.problem === 'forbidden') return { ok: false, problem: 'forbidden', message: `Hybridwatch may not read ${what} (Microsoft Graph answered HTTP 403${e.graphCode ? ` ${e.graphCode}` : ''})`, fix: e.fix.includes(permission) ? e.fix : `An administrator must grant the Microsoft Graph application permission ${permission} to the app in GRAPH_CLIENT_ID` };
    return { ok: false, problem: e.problem, message: `Could not read ${what}: ${e.message}`, fix: e.fix };
  }
  return { ok: false, problem: 'error', message: `Could not read ${what} (${str((e as Error)?.message, 160)})`, fix: 'Try again in a minute; the Hybridwatch logs have the details' };
}

const NOT_HEALTHY = /^notHealthy(\w+)$/i;

/**
 * Defender for Identity health through Graph: sensors and open health issues, read together, cached
 * for at most 30 s (concurrent readers share one read). Never throws: a tenant not onboarded, a
 * missing permission or Graph being down is part of the snapshot, said plainly with its fix.
 */
export class MdiHealth {
  private cached: { at: number; snap: HealthSnapshot } | null = null;
  private inflight: Promise<HealthSnapshot> | null = null;
  private lastProblems = '';

  constructor(private readonly client: GraphSecurityClient | null, private readonly clock: Clock, private readonly log?: Logger) {}

  get configured(): boolean {
    return !!this.client;
  }

  /** The latest snapshot no older than maxAgeMs (≤ 30 s for the `health` command). Interactive reads do not wait on throttling. */
  read(opts: { maxAgeMs?: number; interactive?: boolean } = {}): Promise<HealthSnapshot> {
    const now = this.clock.now().getTime();
    const maxAge = opts.maxAgeMs ?? HEALTH_CACHE_MS;
    if (this.cached && maxAge > 0 && now - this.cached.at <= maxAge) return Promise.resolve(this.cached.snap);
    this.inflight ??= this.load(opts.interactive ?? true).finally(() => (this.inflight = null));
    return this.inflight;
  }

  /** The last snapshot read, however old (null before the first read). */
  latest(): HealthSnapshot | null {
    return this.cached?.snap ?? null;
  }

  private async load(interactive: boolean): Promise<HealthSnapshot> {
    const at = this.clock.now().toISOString();
    if (!this.client) {
      const part = { ok: false as const, problem: 'notConfigured' as const, ...NOT_CONFIGURED };
      return { at, sensors: part, issues: part };
    }
    // A person is waiting (a card action answers within Teams' 5 s): short, bounded; the background read may wait out throttling.
    const call = interactive ? { maxAttempts: 2, maxWaitMs: 2_000, signal: AbortSignal.timeout(3_000) } : { background: true };
    const client = this.client;
    const [sensors, issues] = await Promise.all([
      listSensors(client, call).then(
        (v): HealthPart<SensorView> => ({ ok: true, items: v.map(toSensor).filter((x): x is SensorView => !!x) }),
        (e) => failed<SensorView>(e, 'the Defender for Identity sensors', PERMISSIONS.sensors),
      ),
      listOpenHealthIssues(client, call).then(
        (v): HealthPart<HealthIssueView> => ({ ok: true, items: v.map(toIssue).filter((x): x is HealthIssueView => !!x && x.status === 'open') }),
        (e) => failed<HealthIssueView>(e, 'the Defender for Identity health issues', PERMISSIONS.healthIssues),
      ),
    ]);
    const snap: HealthSnapshot = { at, sensors, issues };
    // Said once per change, not every interval: a missing permission stays missing until someone fixes it.
    const problems = [sensors, issues].filter((p) => !p.ok).map((p) => (p.ok ? '' : p.message)).join(' | ');
    if (problems !== this.lastProblems) {
      if (problems) this.log?.warn({ problems }, 'Defender for Identity health: could not read everything');
      else if (this.lastProblems) this.log?.info('Defender for Identity health: readable again');
      this.lastProblems = problems;
    }
    this.cached = { at: this.clock.now().getTime(), snap };
    return snap;
  }
}

/** Sensors and issues → the status line ("3 sensors: 2 healthy, 1 not healthy (high)") and checklist facts. */
export function summarize(s: HealthSnapshot): HealthSummary {
  const base = { at: s.at, sensors: 0, healthySensors: 0, openIssues: null as number | null };
  if (!s.sensors.ok) {
    const p = s.sensors;
    return {
      ...base,
      configured: p.problem !== 'notConfigured',
      onboarded: p.problem === 'notOnboarded' ? false : null,
      line: p.problem === 'notConfigured' ? 'not connected (Microsoft Graph is not configured)' : p.problem === 'notOnboarded' ? 'not onboarded' : p.message,
      problem: { message: p.message, fix: p.fix },
    };
  }
  const sensors = s.sensors.items;
  const healthy = sensors.filter((x) => x.health.toLowerCase() === 'healthy').length;
  const bySeverity = new Map<string, number>();
  for (const x of sensors) {
    const m = NOT_HEALTHY.exec(x.health);
    if (x.health.toLowerCase() !== 'healthy') {
      const sev = m ? m[1].toLowerCase() : 'unknown';
      bySeverity.set(sev, (bySeverity.get(sev) ?? 0) + 1);
    }
  }
  const order = ['high', 'medium', 'low', 'unknown'];
  const sevs = [...bySeverity.entries()].sort((a, b) => order.indexOf(a[0]) - order.indexOf(b[0]));
  const notHealthy = sensors.length - healthy;
  const detail = sevs.length === 1 ? sevs[0][0] : sevs.map(([k, n]) => `${n} ${k}`).join(', ');
  let line = sensors.length === 0 ? 'onboarded, but no sensor is installed' : `${sensors.length} sensor${sensors.length === 1 ? '' : 's'}: ${healthy} healthy${notHealthy ? `, ${notHealthy} not healthy (${detail})` : ''}`;
  let openIssues: number | null = null;
  if (s.issues.ok) {
    openIssues = s.issues.items.length;
    const high = s.issues.items.filter((i) => i.severity === 'high').length;
    if (openIssues) line += `; ${openIssues} open health issue${openIssues === 1 ? '' : 's'}${high ? ` (${high} high)` : ''}`;
  }
  return { ...base, configured: true, onboarded: true, sensors: sensors.length, healthySensors: healthy, openIssues, line, problem: s.issues.ok ? null : { message: s.issues.message, fix: s.issues.fix } };
}
