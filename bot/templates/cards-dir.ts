import fs from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../config';
import { BUILT_IN_TEMPLATES, SAMPLE_DATA, TEMPLATE_NAMES, type TemplateName } from '../../cards/templates';
import { templateProblems } from './card-problems';

/** One file of a CARDS_DIR as read: what it overrides, its JSON, or what is wrong with it. */
export interface OverrideFile {
  file: string;
  name?: TemplateName;
  kind?: 'template' | 'data';
  json?: object;
  problem?: string;
}

export interface CardOverrides {
  /** Template overrides by built-in name. */
  templates: Partial<Record<TemplateName, object>>;
  /** Sample data given beside them (`<name>.data.json`). */
  samples: Partial<Record<TemplateName, object>>;
  /** The files read, relative to the folder. */
  files: string[];
}

const FIX = 'Fix it (open it with its sample data in the Adaptive Cards Designer, https://adaptivecards.io/designer) or remove it from CARDS_DIR';

/** One line, whatever the library said. */
const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim().slice(0, 400);

/** `<name>.json` / `<name>.data.json` → the built-in name and kind, or null. */
export function overrideFile(file: string): { name: TemplateName; kind: 'template' | 'data' } | null {
  const m = /^(.+?)(\.data)?\.json$/.exec(file);
  if (!m || !(TEMPLATE_NAMES as string[]).includes(m[1])) return null;
  return { name: m[1] as TemplateName, kind: m[2] ? 'data' : 'template' };
}

/** Every file of `dir` (dotfiles skipped), parsed; problems are reported per file, nothing throws. */
export function readOverrides(dir: string): OverrideFile[] {
  const entries = fs.readdirSync(dir, { withFileTypes: true }).filter((e) => !e.name.startsWith('.')).sort((a, b) => a.name.localeCompare(b.name));
  return entries.map((e): OverrideFile => {
    const file = path.join(dir, e.name);
    if (!e.isFile()) return { file, problem: 'is not a file (CARDS_DIR holds only <template>.json and <template>.data.json files)' };
    const which = overrideFile(e.name);
    if (!which) return { file, problem: `no built-in card template is named like this; use one of ${TEMPLATE_NAMES.map((n) => `${n}.json`).join(', ')} (and <name>.data.json for sample data)` };
    let json: unknown;
    try {
      json = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (err) {
      return { file, ...which, problem: `is not valid JSON (${oneLine((err as Error).message)})` };
    }
    if (!json || typeof json !== 'object' || Array.isArray(json)) return { file, ...which, problem: 'is not a JSON object' };
    return { file, ...which, json: json as object };
  });
}

/** What is wrong with one template + sample pair, worded for a person ("" = nothing). */
export function pairProblem(name: TemplateName, template: object | undefined, sample: object | undefined): string {
  const problems = templateProblems(name, template ?? BUILT_IN_TEMPLATES[name], sample ?? SAMPLE_DATA[name]);
  if (!problems.length) return '';
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''})` : '';
  return `${oneLine(problems[0])}${more}${template ? '' : ` with the built-in ${name} template`}`;
}

/**
 * Read and check every override in `dir` at start. Each template is parsed, expanded once with its
 * own sample data (or the built-in sample) and validated with the adaptivecards library; the first
 * problem throws a ConfigError naming the file, which start-up prints as one line.
 */
export function loadCardsDir(dir: string): CardOverrides {
  const out: CardOverrides = { templates: {}, samples: {}, files: [] };
  for (const f of readOverrides(dir)) {
    if (f.problem) throw new ConfigError('CARDS_DIR', `${f.file}: ${f.problem}`, FIX);
    (f.kind === 'template' ? out.templates : out.samples)[f.name!] = f.json!;
    out.files.push(path.basename(f.file));
  }
  for (const name of TEMPLATE_NAMES) {
    const [template, sample] = [out.templates[name], out.samples[name]];
    if (!template && !sample) continue;
    const problem = pairProblem(name, template, sample);
    if (problem) throw new ConfigError('CARDS_DIR', `${path.join(dir, template ? `${name}.json` : `${name}.data.json`)}: ${problem}`, FIX);
  }
  return out;
}
