/**
 * Shared card types and text helpers: pure, no I/O. Cards are Adaptive Card templates
 * (cards/templates/<name>.json) expanded from view models (see render.ts).
 */
export interface AdaptiveCard {
  type: 'AdaptiveCard';
  $schema: string;
  version: '1.5';
  body: Element[];
  actions?: Element[];
  refresh?: { action: Element; userIds?: string[] };
  msteams?: { width: 'Full'; entities?: unknown[] };
  fallbackText?: string;
}
// Cards are open JSON; templates keep to the schema and tests parse every card with the official library.
export type Element = Record<string, any>;

/** What goes out: the card, and the activity summary that Teams previews and search show. */
export interface CardMessage {
  card: AdaptiveCard;
  summary: string;
}

export const CARD_SCHEMA = 'http://adaptivecards.io/schemas/adaptive-card.json';
/** Teams rejects messages over 28 KB; keep a margin for the activity envelope. */
export const MAX_CARD_BYTES = 26 * 1024;

// ---- untrusted text -------------------------------------------------------------------------

// Control characters, zero-width characters and bidi overrides (which can make text read backwards).
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/g;

/** Shorten to max characters (by code point) with an ellipsis. */
export function truncate(s: string, max: number): string {
  if (s.length <= max) return s;
  const chars = Array.from(s);
  return chars.length <= max ? s : chars.slice(0, Math.max(0, max - 1)).join('') + '…';
}

/**
 * Text as it will be drawn: no control characters, whitespace runs as one space, bounded. This is
 * all untrusted text needs in a TextRun (no Markdown there), in `summary` and in `fallbackText`:
 * a string without control characters or doubled spaces comes out exactly as it went in.
 */
export function plain(s: unknown, max = 200): string {
  // Cut far beyond `max` first, so a 100 KB string costs no more than its first few thousand
  // characters (without splitting a surrogate pair).
  let raw = String(s ?? '');
  if (raw.length > max * 8 + 256) raw = raw.slice(0, max * 8 + 256).replace(/[\ud800-\udbff]$/, '');
  return truncate(raw.replace(CONTROL, '').replace(/\s+/g, ' ').trim(), max);
}

/**
 * Untrusted text for places that render Markdown (chat messages; card templates put it in TextRuns
 * instead). Escapes only what Markdown would act on — emphasis, code, links, HTML/mentions, entities,
 * line-start lists/headings/quotes, autolinks — so ordinary text (`Pass-the-Hash (O'Brien's PC, v1.2)`,
 * `CONTOSO\jdoe`) stays byte for byte: several Teams clients draw backslash escapes literally.
 */
export function esc(s: unknown, max = 200): string {
  let t = plain(s, max);
  t = t.replace(/\\(?=[!-/:-@[-`{-~]|$)/g, '\\\\'); // a backslash that would escape the next character
  t = t.replace(/[*_`~[\]<>|]/g, (ch) => `\\${ch}`);
  t = t.replace(/&(?=#?\w+;)/g, '\\&');
  t = t.replace(/^([#>+-])(?=\s|$)/, '\\$1').replace(/^(\d+)([.)])(?=\s|$)/, '$1\\$2');
  t = t.replace(/:\/\//g, ':\\/\\/').replace(/\bwww\./gi, (m) => `${m.slice(0, 3)}\\.`);
  return t;
}

// ---- links ----------------------------------------------------------------------------------

export interface Link {
  title: string;
  url: string;
}

/** Links only to hosts we know (https); anything else is dropped rather than shown. */
export function safeLink(title: string, url: string | null | undefined, allowedHosts: readonly string[]): Link | null {
  if (!url) return null;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.protocol !== 'https:') return null;
  const host = u.hostname.toLowerCase();
  if (!allowedHosts.some((h) => host === h || host.endsWith(`.${h}`))) return null;
  return { title, url: u.toString() };
}

/** The same check as an Action.OpenUrl element. */
export function openUrl(title: string, url: string | null | undefined, allowedHosts: readonly string[]): Element | null {
  const l = safeLink(title, url, allowedHosts);
  return l ? { type: 'Action.OpenUrl', title: l.title, url: l.url } : null;
}

export const DEFAULT_LINK_HOSTS = ['atp.azure.com', 'portal.cloudappsecurity.com', 'security.microsoft.com', 'learn.microsoft.com', 'docs.microsoft.com'] as const;

// ---- view-model pieces ----------------------------------------------------------------------

/** A label and its value, drawn as a row of two TextRuns (a FactSet would render the value as Markdown). */
export interface Fact {
  title: string;
  value: string;
}

export const fact = (title: string, value: string): Fact => ({ title, value });

export function sizeOf(c: AdaptiveCard): number {
  return Buffer.byteLength(JSON.stringify(c), 'utf8');
}

export const SEVERITY_COLOR: Record<string, string> = { high: 'Attention', medium: 'Warning', low: 'Good', informational: 'Default' };
export const colorOf = (severity: string): string => SEVERITY_COLOR[severity] ?? 'Default';

/** A timestamp as readers see it: UTC, minute precision (Teams does not support {{DATE()}} everywhere). */
export function when(iso: string | null | undefined): string {
  if (!iso) return 'never';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return plain(iso, 40);
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** "3 h 5 min" style duration. */
export function ago(fromIso: string | null | undefined, now: Date): string {
  if (!fromIso) return '';
  const ms = Math.max(0, now.getTime() - new Date(fromIso).getTime());
  const min = Math.floor(ms / 60000);
  if (min < 1) return 'just now';
  if (min < 60) return `${min} min ago`;
  const h = Math.floor(min / 60);
  if (h < 48) return `${h} h ${min % 60} min ago`;
  return `${Math.floor(h / 24)} days ago`;
}

/** "1 alert" / "3 alerts". */
export const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The first maxItems (formatted only those: lists can be long and hostile), then "and N more". */
export function listLine<T>(items: readonly T[], maxItems: number, fmt: (x: T) => string, sep = ', '): string {
  return items.slice(0, maxItems).map(fmt).join(sep) + (items.length > maxItems ? ` and ${items.length - maxItems} more` : '');
}
