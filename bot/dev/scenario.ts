import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from './static-files';

/** One thing the replay pushes through a real ingest endpoint. */
export interface ScenarioStep {
  label: string;
  path: '/api/ingest/cef' | '/api/ingest/mcas';
  contentType: string;
  body: string;
}

export const SCENARIO_DIR = () => path.join(repoRoot(), 'bot', 'dev', 'scenario');
const MINUTE = 60_000;

/** ISO with 7 fraction digits, as Azure ATP writes `start=`. */
const cefTime = (d: Date) => d.toISOString().replace(/\.(\d{3})Z$/, (_m, ms: string) => `.${ms}0000Z`);

/**
 * The bundled hybrid attack on John Doe: on-prem recon → brute force (and its re-trigger) →
 * pass-the-hash as Azure ATP CEF lines, then his cloud alerts as Cloud App Security alert objects.
 * Times are placed so the last step is `now`; alert ids are fresh per replay (`run`).
 */
export function loadScenario(now: Date, run = randomBytes(4).toString('hex'), dir = SCENARIO_DIR()): ScenarioStep[] {
  const cef = fs.readFileSync(path.join(dir, 'onprem.cef'), 'utf8');
  const cloud = JSON.parse(fs.readFileSync(path.join(dir, 'cloud.json'), 'utf8')) as { data: Array<Record<string, unknown>> };
  const span = 40;
  const at = (minutes: number) => new Date(now.getTime() - (span - minutes) * MINUTE);
  const fill = (s: string) =>
    s
      .replace(/\{\{h\+(\d+)\}\}/g, (_, n) => at(Number(n)).toISOString())
      .replace(/\{\{t\+(\d+)\}\}/g, (_, n) => cefTime(at(Number(n))))
      .replace(/\{\{bom\}\}/g, '\ufeff')
      .replace(/\{\{run4\}\}/g, run.slice(0, 4))
      .replace(/\{\{run\}\}/g, run);

  const steps: ScenarioStep[] = [];
  for (const raw of cef.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const name = line.split('|')[5] ?? 'Azure ATP alert';
    const trigger = /cs2=(\w+)/.exec(line)?.[1] ?? 'new';
    steps.push({ label: `Azure ATP: ${name}${trigger === 'update' ? ' (re-triggered)' : ''}`, path: '/api/ingest/cef', contentType: 'text/plain; charset=utf-8', body: fill(line) + '\n' });
  }
  for (const alert of cloud.data) {
    const filled = JSON.parse(JSON.stringify(alert), (_k, v) => {
      if (typeof v !== 'string') return v;
      const t = /^\{\{t\+(\d+)\}\}$/.exec(v);
      return t ? at(Number(t[1])).getTime() : fill(v);
    }) as Record<string, unknown>;
    steps.push({ label: `Cloud App Security: ${String(filled.title)}`, path: '/api/ingest/mcas', contentType: 'application/json', body: JSON.stringify(filled) });
  }
  return steps;
}

export interface StepResult {
  label: string;
  status: number;
  result?: { accepted?: number; duplicates?: number; ignored?: number; rejected?: unknown[] };
  error?: string;
}

/** Push each step through the real endpoint with the ingest token; a failing step is reported, the rest still run. */
export async function replayScenario(o: {
  baseUrl: string;
  token: string;
  steps: ScenarioStep[];
  fetch: typeof fetch;
  paceMs: number;
  onStep(r: StepResult, index: number, total: number): void;
}): Promise<StepResult[]> {
  const results: StepResult[] = [];
  for (const [i, step] of o.steps.entries()) {
    if (i > 0 && o.paceMs > 0) await new Promise((r) => setTimeout(r, o.paceMs));
    let r: StepResult;
    try {
      const res = await o.fetch(`${o.baseUrl}${step.path}`, { method: 'POST', headers: { authorization: `Bearer ${o.token}`, 'content-type': step.contentType }, body: step.body });
      const text = await res.text();
      let json: any;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      r = res.ok ? { label: step.label, status: res.status, result: json } : { label: step.label, status: res.status, error: json?.error ?? (text.slice(0, 200) || res.statusText) };
    } catch (e) {
      r = { label: step.label, status: 0, error: (e as Error).message };
    }
    results.push(r);
    o.onStep(r, i, o.steps.length);
  }
  return results;
}
