import fs from 'node:fs';
import path from 'node:path';
import type { Request, Response } from 'restify';
import type { AdaptiveCard } from '../../cards/card';
import { sizeOf } from '../../cards/card';
import { TemplateSet } from '../../cards/render';
import { TEMPLATE_NAMES, type TemplateName } from '../../cards/templates';
import type { AppParts } from '../feature';
import { pairProblem, readOverrides } from '../templates/cards-dir';
import type { Guard } from './console-routes';
import { repoRoot, type StaticFiles } from './static-files';

export interface GalleryEntry {
  name: string;
  /** Where the template and its sample data come from. */
  template: 'built-in' | 'CARDS_DIR';
  sample: 'built-in' | 'CARDS_DIR';
  card: AdaptiveCard | null;
  bytes: number;
  problems: string[];
  /** The template and sample data as read, to paste into the Adaptive Cards Designer. */
  source: object | null;
  data: object | null;
}

function readJson(file: string): { json?: object; problem?: string } {
  try {
    return { json: JSON.parse(fs.readFileSync(file, 'utf8')) };
  } catch (e) {
    return { problem: `${file}: ${(e as Error).message.replace(/\s+/g, ' ')}` };
  }
}

/**
 * Every template drawn with its sample data, read from disk on each request (cards/templates and
 * CARDS_DIR) so an edited template shows on reload; the bot itself reads them once at start.
 */
export function galleryEntries(cardsDir: string | undefined, builtInDir = path.join(repoRoot(), 'cards', 'templates')): GalleryEntry[] {
  const overrides = cardsDir ? readOverrides(cardsDir) : [];
  const stray = overrides.filter((f) => !f.name).map((f) => `${f.file}: ${f.problem}`);
  const entries = TEMPLATE_NAMES.map((name: TemplateName): GalleryEntry => {
    const mine = (kind: 'template' | 'data') => overrides.find((f) => f.name === name && f.kind === kind);
    const [ot, od] = [mine('template'), mine('data')];
    const bt = ot ? {} : readJson(path.join(builtInDir, `${name}.json`));
    const bd = od ? {} : readJson(path.join(builtInDir, `${name}.data.json`));
    const template = ot?.json ?? bt.json;
    const data = od?.json ?? bd.json ?? null;
    const problems = [ot?.problem && `${ot.file}: ${ot.problem}`, od?.problem && `${od.file}: ${od.problem}`, bt.problem, bd.problem].filter((p): p is string => !!p);
    let card: AdaptiveCard | null = null;
    if (template && data && !problems.length) {
      const problem = pairProblem(name, template, data);
      if (problem) problems.push(problem);
      try {
        card = new TemplateSet({ [name]: template }).expand(name, data).card;
      } catch {
        card = null; // the problem above says why
      }
    }
    return { name, template: ot ? 'CARDS_DIR' : 'built-in', sample: od ? 'CARDS_DIR' : 'built-in', card, bytes: card ? sizeOf(card) : 0, problems, source: template ?? null, data };
  });
  if (stray.length) entries.unshift({ name: 'CARDS_DIR', template: 'CARDS_DIR', sample: 'CARDS_DIR', card: null, bytes: 0, problems: stray, source: null, data: null });
  return entries;
}

/** /dev/cards: the template gallery page and its data (local mode only, like all of /dev). */
export function mountGallery(parts: AppParts, guard: Guard, files: StaticFiles): void {
  parts.server.get('/dev/cards', guard, async (_req: Request, res: Response) => files.send(res, 'cards.html'));
  parts.server.get('/dev/api/cards', guard, async (_req: Request, res: Response) => {
    res.header('cache-control', 'no-store');
    res.send(200, { cardsDir: parts.config.cardsDir ?? null, entries: galleryEntries(parts.config.cardsDir) });
  });
}
