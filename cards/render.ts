import * as ACData from 'adaptivecards-templating';
import { MAX_CARD_BYTES, plain, sizeOf, type AdaptiveCard, type CardMessage } from './card';
import { BUILT_IN_TEMPLATES, type TemplateName } from './templates';

/** A template that could not be expanded with the data it was given. */
export class TemplateError extends Error {
  constructor(readonly template: string, problem: string) {
    super(problem);
    this.name = 'TemplateError';
  }
}

// A `${path}` the data does not have would stay in the card as literal text (the library's default):
// record it instead, and put a marker there that render() removes.
const UNBOUND = '\u0000';
let unbound: string[] | null = null;
ACData.GlobalSettings.getUndefinedFieldValueSubstitutionString = (path: string) => {
  unbound?.push(path);
  return UNBOUND;
};

export interface Expansion {
  card: AdaptiveCard;
  /** `${…}` paths the data did not have (their text was left empty). */
  unbound: string[];
}

/** Named templates, each parsed once (on first use) and expanded many times. */
export class TemplateSet {
  private readonly parsed = new Map<string, ACData.Template>();

  constructor(readonly sources: Readonly<Record<string, object>>) {}

  has(name: string): boolean {
    return Object.prototype.hasOwnProperty.call(this.sources, name);
  }

  /** `$root` = data. Throws TemplateError for an expression the library cannot evaluate. */
  expand(name: string, data: object): Expansion {
    let t = this.parsed.get(name);
    if (!t) {
      if (!this.has(name)) throw new TemplateError(name, `no template named "${name}"`);
      try {
        t = new ACData.Template(this.sources[name]);
      } catch (e) {
        throw new TemplateError(name, `cannot parse its \${…} expressions: ${(e as Error).message}`);
      }
      this.parsed.set(name, t);
    }
    const missing: string[] = [];
    unbound = missing; // expand() is synchronous: no other expansion can interleave
    let out: unknown;
    try {
      out = t.expand({ $root: data });
    } catch (e) {
      throw new TemplateError(name, `expanding failed: ${(e as Error).message}`);
    } finally {
      unbound = null;
    }
    if (!out || typeof out !== 'object' || (out as AdaptiveCard).type !== 'AdaptiveCard') throw new TemplateError(name, 'does not expand to an object of type "AdaptiveCard"');
    const card = missing.length ? (JSON.parse(JSON.stringify(out).split('\\u0000').join('')) as AdaptiveCard) : (out as AdaptiveCard);
    return { card, unbound: [...new Set(missing)] };
  }
}

export const BUILT_INS = new TemplateSet(BUILT_IN_TEMPLATES);

/**
 * The templates cards are drawn with: the built-ins, or CARDS_DIR overrides installed once at start by
 * the composition root. Process-wide like the configuration it comes from, so the builders keep their
 * plain `xCard(input)` signatures wherever they are called.
 */
let active: { set: TemplateSet; overridden: ReadonlySet<string>; onError?: (e: TemplateError) => void } = { set: BUILT_INS, overridden: new Set() };

/** Use these overrides (validated by the caller) in place of the built-ins of the same name; {} = built-ins only. */
export function installTemplates(overrides: Readonly<Record<string, object>>, onError?: (e: TemplateError) => void): void {
  active = { set: new TemplateSet({ ...BUILT_IN_TEMPLATES, ...overrides }), overridden: new Set(Object.keys(overrides)), onError };
}

export function overriddenTemplates(): string[] {
  return [...active.overridden];
}

function expandActive(name: TemplateName, data: object): AdaptiveCard {
  if (active.overridden.has(name)) {
    try {
      const r = active.set.expand(name, data);
      if (r.unbound.length) throw new TemplateError(name, `uses fields this card's data does not have: ${r.unbound.join(', ')}`);
      // An expression that fails inside a longer string is left there as text by the library; data
      // may legitimately contain "${" (untrusted text), so only flag it when the data has none.
      if (JSON.stringify(r.card).includes('${') && !JSON.stringify(data).includes('${')) throw new TemplateError(name, 'left an expression unevaluated for this data');
      return r.card;
    } catch (e) {
      // An override that fails on real data must not cost the card: draw the built-in and say so once.
      active.onError?.(e instanceof TemplateError ? e : new TemplateError(name, String(e)));
    }
  }
  return BUILT_INS.expand(name, data).card;
}

export interface CardMeta {
  /** The activity summary (Teams previews, search); plain text. */
  summary: string;
  /** Shown by clients that cannot draw the card; defaults to the summary. */
  fallbackText?: string;
}

/** Template + view model → the message. */
export function render(name: TemplateName, data: object, meta: CardMeta): CardMessage {
  const card = expandActive(name, data);
  // Every action of a template can be conditional ($when / $data): send no empty action bar.
  if (Array.isArray(card.actions) && card.actions.length === 0) delete card.actions;
  card.fallbackText = plain(meta.fallbackText ?? meta.summary, 300);
  return { card, summary: plain(meta.summary, 200) };
}

/**
 * For cards whose data can be long: level 0 is the full view model, each next level shorter; the
 * first that fits the Teams size limit is sent (the last one in any case).
 */
export function renderFitted(name: TemplateName, levels: number, model: (level: number) => object, meta: CardMeta): CardMessage {
  let msg: CardMessage | null = null;
  for (let level = 0; level < levels; level++) {
    msg = render(name, model(level), meta);
    if (sizeOf(msg.card) <= MAX_CARD_BYTES) return msg;
  }
  return msg!;
}
