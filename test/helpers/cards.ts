import type { AdaptiveCard } from '../../cards/card';
import { cardProblems } from '../../bot/templates/card-problems';

export { cardProblems };

export function expectValidCard(card: AdaptiveCard): void {
  expect(cardProblems(card)).toEqual([]);
}

/**
 * All text a reader sees on a card, one line per block: TextBlock text (our own Markdown), each
 * RichTextBlock's runs joined as drawn, facts (FactSet or fact rows) as "Title: value", and [button titles].
 */
export function cardText(card: any): string {
  const out: string[] = [];
  const walk = (x: any) => {
    if (!x || typeof x !== 'object') return;
    if (Array.isArray(x)) return x.forEach(walk);
    if (isFactRow(x)) return void out.push(`${runs(x.columns[0])}: ${runs(x.columns[1])}`);
    if (x.type === 'TextBlock' && typeof x.text === 'string') out.push(x.text);
    if (x.type === 'RichTextBlock') out.push((x.inlines ?? []).map((r: any) => (typeof r === 'string' ? r : r?.text ?? '')).join(''));
    if (x.type === 'FactSet') for (const f of x.facts ?? []) out.push(`${f.title}: ${f.value}`);
    if (typeof x.title === 'string' && String(x.type ?? '').startsWith('Action.')) out.push(`[${x.title}]`);
    Object.values(x).forEach(walk);
  };
  walk(card);
  return out.join('\n');
}

/** A template fact row: a ColumnSet of a 150px title column and a value column (drawn like a FactSet). */
const isFactRow = (x: any) => x.type === 'ColumnSet' && x.columns?.length === 2 && x.columns[0]?.width === '150px';
const runs = (col: any) => (col?.items ?? []).flatMap((i: any) => (i.inlines ?? []).map((r: any) => r.text ?? '')).join('');

/** The text Teams renders as Markdown (TextBlock text, FactSet facts): untrusted text must never be here. */
export function markdownText(card: any): string {
  const out: string[] = [];
  const walk = (x: any) => {
    if (!x || typeof x !== 'object') return;
    if (Array.isArray(x)) return x.forEach(walk);
    if (x.type === 'TextBlock' && typeof x.text === 'string') out.push(x.text);
    if (x.type === 'FactSet') for (const f of x.facts ?? []) out.push(`${f.title}: ${f.value}`);
    Object.values(x).forEach(walk);
  };
  walk(card);
  return out.join('\n');
}

/** Every URL a card can open (Action.OpenUrl anywhere, images). */
export function cardUrls(card: any): string[] {
  const out: string[] = [];
  const walk = (x: any) => {
    if (!x || typeof x !== 'object') return;
    if (Array.isArray(x)) return x.forEach(walk);
    if (typeof x.url === 'string') out.push(x.url);
    Object.values(x).forEach(walk);
  };
  walk(card);
  return out;
}

/**
 * Untrusted text on a card is inert: none of it in Markdown-rendered places, never in a link; where it
 * is shown, it is TextRun text (drawn literally). `probe` = a distinctive part of the text. It may also
 * be an id a button sends back (`data.alertId` / `data.userKey`), which is never drawn.
 */
export function expectInert(card: any, probe: string): void {
  expect(markdownText(card)).not.toContain(probe);
  expect(cardUrls(card).filter((u) => u.includes(probe) || !u.startsWith('https://'))).toEqual([]);
  const elsewhere: string[] = [];
  const walk = (x: any) => {
    if (!x || typeof x !== 'object') return;
    if (Array.isArray(x)) return x.forEach(walk);
    for (const [k, v] of Object.entries(x)) {
      if (typeof v !== 'string') walk(v);
      else if (v.includes(probe) && !(x.type === 'TextRun' && k === 'text') && k !== 'fallbackText' && !(x.type === undefined && (k === 'alertId' || k === 'userKey'))) elsewhere.push(`${x.type ?? 'data'}.${k}`);
    }
  };
  walk(card);
  expect(elsewhere).toEqual([]);
}
