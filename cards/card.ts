/** Adaptive Card building blocks: pure data → JSON, no I/O. Schema 1.5, full width in Teams. */
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
// Cards are open JSON; builders keep to the schema and tests parse every card with the official library.
export type Element = Record<string, unknown>;

/** What goes out: the card, and the activity summary that Teams previews and search show. */
export interface CardMessage {
  card: AdaptiveCard;
  summary: string;
}

export const CARD_SCHEMA = 'http://adaptivecards.io/schemas/adaptive-card.json';
/** Teams rejects messages over 28 KB; keep a margin for the activity envelope. */
export const MAX_CARD_BYTES = 26 * 1024;

export function card(body: Element[], opts: { actions?: Element[]; refresh?: AdaptiveCard['refresh']; fallbackText?: string } = {}): AdaptiveCard {
  const c: AdaptiveCard = { type: 'AdaptiveCard', $schema: CARD_SCHEMA, version: '1.5', body, msteams: { width: 'Full' } };
  if (opts.actions?.length) c.actions = opts.actions;
  if (opts.refresh) c.refresh = opts.refresh;
  if (opts.fallbackText) c.fallbackText = plain(opts.fallbackText, 300);
  return c;
}

// ---- untrusted text -------------------------------------------------------------------------

const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/g;

/** Shorten to max characters (by code point) with an ellipsis. */
export function truncate(s: string, max: number): string {
  const chars = Array.from(s);
  return chars.length <= max ? s : chars.slice(0, Math.max(0, max - 1)).join('') + '…';
}

/** Plain text for places that do not render Markdown (summary, fallbackText): no control characters, bounded. */
export function plain(s: unknown, max = 200): string {
  return truncate(String(s ?? '').replace(CONTROL, '').replace(/\s+/g, ' ').trim(), max);
}

/**
 * Untrusted text for TextBlock / FactSet, which always render Markdown in Teams: every Markdown and
 * HTML-ish character is backslash-escaped, line starts cannot become lists or headings, and URL
 * schemes are broken so nothing auto-links. Links appear only as Action.OpenUrl.
 */
export function esc(s: unknown, max = 200, keepNewlines = false): string {
  let t = truncate(String(s ?? '').replace(CONTROL, '').replace(/\r\n?/g, '\n'), max);
  if (!keepNewlines) t = t.replace(/\s+/g, ' ').trim();
  t = t.replace(/[\\`*_{}\[\]()#+\-.!|~<>&"']/g, (ch) => `\\${ch}`);
  t = t.replace(/:\/\//g, '\\:\\/\\/').replace(/\bwww\\?\./gi, (m) => m.replace(/\\?\.$/, '\\.'));
  return t;
}

// ---- elements -----------------------------------------------------------------------------

/** A TextBlock whose text is already safe (built by us, or passed through esc). */
export function text(safeText: string, opts: Element = {}): Element {
  return { type: 'TextBlock', text: safeText, wrap: true, ...opts };
}

export function heading(safeText: string, opts: Element = {}): Element {
  return text(safeText, { size: 'Large', weight: 'Bolder', ...opts });
}

export function facts(pairs: Array<[string, string]>): Element {
  return { type: 'FactSet', facts: pairs.map(([title, value]) => ({ title, value })) };
}

export function execute(title: string, verb: string, data: Record<string, unknown> = {}, style?: 'positive' | 'destructive'): Element {
  const a: Element = { type: 'Action.Execute', title, verb, data };
  if (style) a.style = style;
  return a;
}

/** Links only to hosts we know; anything else is dropped rather than shown. */
export function openUrl(title: string, url: string | null | undefined, allowedHosts: readonly string[]): Element | null {
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
  return { type: 'Action.OpenUrl', title, url: u.toString() };
}

export const DEFAULT_LINK_HOSTS = ['atp.azure.com', 'portal.cloudappsecurity.com', 'security.microsoft.com', 'learn.microsoft.com', 'docs.microsoft.com'] as const;

export function sizeOf(c: AdaptiveCard): number {
  return Buffer.byteLength(JSON.stringify(c), 'utf8');
}

export const SEVERITY_COLOR: Record<string, string> = { high: 'Attention', medium: 'Warning', low: 'Good', informational: 'Default' };

/** A timestamp as readers see it: UTC, minute precision (FactSet values do not support {{DATE()}}). */
export function when(iso: string | null | undefined): string {
  if (!iso) return 'never';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return esc(iso, 40);
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
