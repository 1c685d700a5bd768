// The official renderer's parser; its lib/ is ESM without extensions, so load the bundled build.
// eslint-disable-next-line @typescript-eslint/no-var-requires
const AC = require('adaptivecards/dist/adaptivecards.min.js');
import { MAX_CARD_BYTES, sizeOf, type AdaptiveCard } from '../../cards/card';

/** Parse with the `adaptivecards` library and list every error it reports, plus our own rules. */
export function cardProblems(card: AdaptiveCard): string[] {
  const problems: string[] = [];
  const ctx = new AC.SerializationContext();
  const parsed = new AC.AdaptiveCard();
  parsed.parse(JSON.parse(JSON.stringify(card)), ctx);
  for (let i = 0; i < ctx.eventCount; i++) {
    const e = ctx.getEventAt(i);
    problems.push(`parse: ${e.message}`);
  }
  const validation = parsed.validateProperties();
  for (const f of validation.failures ?? []) for (const err of f.errors ?? []) problems.push(`validate: ${err.message}`);
  if (card.version !== '1.5') problems.push(`version ${card.version}, want 1.5`);
  if (sizeOf(card) > MAX_CARD_BYTES) problems.push(`size ${sizeOf(card)} bytes over ${MAX_CARD_BYTES}`);
  return problems;
}

export function expectValidCard(card: AdaptiveCard): void {
  expect(cardProblems(card)).toEqual([]);
}

/** All text a reader sees on a card (TextBlocks, facts), joined. */
export function cardText(card: any): string {
  const out: string[] = [];
  const walk = (x: any) => {
    if (!x || typeof x !== 'object') return;
    if (Array.isArray(x)) return x.forEach(walk);
    if (x.type === 'TextBlock' && typeof x.text === 'string') out.push(x.text);
    if (x.type === 'FactSet') for (const f of x.facts ?? []) out.push(`${f.title}: ${f.value}`);
    if (typeof x.title === 'string' && String(x.type ?? '').startsWith('Action.')) out.push(`[${x.title}]`);
    Object.values(x).forEach(walk);
  };
  walk(card);
  return out.join('\n');
}
