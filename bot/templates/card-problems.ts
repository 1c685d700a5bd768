import { MAX_CARD_BYTES, sizeOf, type AdaptiveCard } from '../../cards/card';
import { TemplateSet } from '../../cards/render';
import { templateShapeProblems } from '../../cards/template-rules';

// The official renderer's object model parses and validates cards; its lib/ is ESM without file
// extensions, so Node loads the bundled build (it needs no DOM to parse).
let AC: any;
const ac = () => (AC ??= require('adaptivecards/dist/adaptivecards.min.js'));

/** Every error and warning the `adaptivecards` library reports for a card, plus our own limits. */
export function cardProblems(card: AdaptiveCard): string[] {
  const lib = ac();
  const problems: string[] = [];
  const ctx = new lib.SerializationContext();
  const parsed = new lib.AdaptiveCard();
  parsed.parse(JSON.parse(JSON.stringify(card)), ctx);
  for (let i = 0; i < ctx.eventCount; i++) problems.push(`parse: ${ctx.getEventAt(i).message}`);
  const validation = parsed.validateProperties();
  for (const f of validation.failures ?? []) for (const err of f.errors ?? []) problems.push(`validate: ${err.message}`);
  if (card.version !== '1.5') problems.push(`version ${card.version}, want 1.5`);
  const size = sizeOf(card);
  if (size > MAX_CARD_BYTES) problems.push(`size ${size} bytes over ${MAX_CARD_BYTES}`);
  return problems;
}

/** `${…}` left in a card (data that contains "${" must not be passed here). */
export function leftoverBindings(card: AdaptiveCard): string[] {
  return [...JSON.stringify(card).matchAll(/\$\{[^}]{0,80}\}?/g)].map((m) => m[0]);
}

/**
 * Everything wrong with a template for one sample: its shape, expansion errors, fields the data lacks,
 * `${…}` left over, and what the adaptivecards library reports on the expanded card.
 */
export function templateProblems(name: string, template: unknown, sample: object): string[] {
  const shape = templateShapeProblems(template);
  if (shape.length) return shape;
  let expanded;
  try {
    expanded = new TemplateSet({ [name]: template as object }).expand(name, sample);
  } catch (e) {
    return [(e as Error).message];
  }
  const problems: string[] = [];
  if (expanded.unbound.length) problems.push(`binds fields the sample data does not have: ${expanded.unbound.map((p) => `\${${p}}`).join(', ')}`);
  const left = leftoverBindings(expanded.card);
  if (left.length) problems.push(`expressions left unevaluated: ${left.slice(0, 3).join(', ')}`);
  return [...problems, ...cardProblems(expanded.card)];
}
