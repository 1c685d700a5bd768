import fs from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../config';
import { BUILT_IN_TEMPLATES, SAMPLE_DATA, TEMPLATE_NAMES, type TemplateName } from '../../cards/templates';
import { templateProblems } from './card-problems';

export interface CardOverrides {
  /** Template overrides by built-in name. */
  templates: Partial<Record<TemplateName, object>>;
  /** Sample data given beside them (`<name>.data.json`), for checks and the /dev/cards gallery. */
  samples: Partial<Record<TemplateName, object>>;
  /** The files read, relative to the folder. */
  files: string[];
}

const FIX = 'Fix it (open it with its sample data in the Adaptive Cards Designer, https://adaptivecards.io/designer) or remove it from CARDS_DIR';

/** One line, whatever the library said. */
const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim().slice(0, 400);

function fail(file: string, problem: string): never {
  throw new ConfigError('CARDS_DIR', `${file}: ${oneLine(problem)}`, FIX);
}

/** `<name>.json` / `<name>.data.json` → the built-in name and kind, or null. */
export function overrideFile(file: string): { name: TemplateName; kind: 'template' | 'data' } | null {
  const m = /^(.+?)(\.data)?\.json$/.exec(file);
  if (!m || !(TEMPLATE_NAMES as string[]).includes(m[1])) return null;
  return { name: m[1] as TemplateName, kind: m[2] ? 'data' : 'template' };
}

/**
 * Read and check every override in `dir` (start-up, and the /dev/cards gallery on each request). Each
 * template is parsed, expanded once with its own sample data (or the built-in sample) and validated
 * with the adaptivecards library; the first problem throws a ConfigError naming the file.
 */
export function loadCardsDir(dir: string, opts: { check?: boolean } = {}): CardOverrides {
  const out: CardOverrides = { templates: {}, samples: {}, files: [] };
  const entries = fs.readdirSync(dir, { withFileTypes: true }).filter((e) => !e.name.startsWith('.')).sort((a, b) => a.name.localeCompare(b.name));
  for (const e of entries) {
    const file = path.join(dir, e.name);
    if (!e.isFile()) fail(file, 'is not a file (CARDS_DIR holds only <template>.json and <template>.data.json files)');
    const which = overrideFile(e.name);
    if (!which) fail(file, `no built-in card template is named like this; use one of ${TEMPLATE_NAMES.map((n) => `${n}.json`).join(', ')} (and <name>.data.json for sample data)`);
    let json: unknown;
    try {
      json = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (err) {
      fail(file, `is not valid JSON (${(err as Error).message})`);
    }
    if (!json || typeof json !== 'object' || Array.isArray(json)) fail(file, 'is not a JSON object');
    (which.kind === 'template' ? out.templates : out.samples)[which.name] = json as object;
    out.files.push(e.name);
  }
  if (opts.check === false) return out;
  for (const name of TEMPLATE_NAMES) {
    const template = out.templates[name];
    const sample = out.samples[name];
    if (!template && !sample) continue;
    const problems = templateProblems(name, template ?? BUILT_IN_TEMPLATES[name], sample ?? SAMPLE_DATA[name]);
    if (problems.length) fail(path.join(dir, template ? `${name}.json` : `${name}.data.json`), `${problems[0]}${problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''})` : ''}${!template ? ` with the built-in ${name} template` : ''}`);
  }
  return out;
}
