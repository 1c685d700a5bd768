import { parseSyslogHeader, type SyslogHeader } from './syslog-header';

/** Why a message was refused; also the `reason` label of hybridwatch_ingest_rejected_total. */
export type RejectReason =
  | 'empty'
  | 'invalid_utf8'
  | 'binary'
  | 'too_large'
  | 'partial_frame'
  | 'not_cef'
  | 'truncated_header'
  | 'wrong_field_count'
  | 'bad_version'
  | 'bad_severity'
  | 'overloaded'
  | 'unavailable'
  | 'store_error'
  | 'parser_error';

export interface CefMessage {
  syslog: SyslogHeader;
  version: number;
  vendor: string;
  product: string;
  deviceVersion: string;
  signatureId: string;
  name: string;
  severity: string;
  /** Extension keys as sent (unescaped values); unknown keys are kept. Null prototype: keys are untrusted. */
  ext: Record<string, string>;
}

export type ParseResult = { ok: true; message: CefMessage } | { ok: false; reason: RejectReason; detail: string };

const fail = (reason: RejectReason, detail: string): ParseResult => ({ ok: false, reason, detail });

// C0 controls other than tab / LF / CR, and DEL: nothing Azure ATP sends; a sign of binary data.
const BINARY = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
// A bare CEF body (`0|…`) at the start of the line or after whitespace.
const BARE = /(?:^|[ \t])(\d{1,2})\|/;
const SEVERITY_WORD = /^(?:unknown|low|medium|high|very-high)$/i;

/**
 * One syslog line (already framed and decoded) → its syslog header and CEF fields. Accepts RFC 5424 and
 * RFC 3164 headers, a receiver's prefix, or none; bodies `CEF:0|…`, `<BOM>0|…` and `0|…`. Never throws.
 */
export function parseCefLine(line: string): ParseResult {
  try {
    return parse(line);
  } catch (e) {
    // Defensive only: the fast-check suite asserts this branch is never taken.
    return fail('parser_error', (e as Error).message);
  }
}

function parse(line: string): ParseResult {
  if (line.length === 0 || line.trim().length === 0) return fail('empty', 'empty message');
  if (BINARY.test(line)) return fail('binary', 'control characters in the message (binary data?)');
  const at = findBody(line);
  if (!at) return fail('not_cef', 'no CEF body (CEF:0|…, <BOM>0|… or 0|…) in the message');
  const syslog = parseSyslogHeader(line.slice(0, at.headerEnd));
  return parseBody(line, at.bodyStart, syslog);
}

/** Where the CEF version digits start, and where the syslog header before them ends. */
function findBody(line: string): { bodyStart: number; headerEnd: number } | null {
  const bom = line.indexOf('\uFEFF');
  const cef = line.indexOf('CEF:');
  const limit = Math.min(bom < 0 ? Infinity : bom, cef < 0 ? Infinity : cef);
  const bare = BARE.exec(limit === Infinity ? line : line.substring(0, limit + 1));
  if (bare && bare.index < limit) {
    const start = bare.index + (line.charCodeAt(bare.index) === 32 || line.charCodeAt(bare.index) === 9 ? 1 : 0);
    return { bodyStart: start, headerEnd: start };
  }
  if (limit === Infinity) return null;
  if (limit === cef) {
    let s = cef + 4;
    while (line.charCodeAt(s) === 32 || line.charCodeAt(s) === 0xfeff) s++;
    return { bodyStart: s, headerEnd: cef };
  }
  return { bodyStart: bom + 1, headerEnd: bom };
}

function parseBody(s: string, start: number, syslog: SyslogHeader): ParseResult {
  let i = start;
  while (i < s.length && isDigit(s.charCodeAt(i))) i++;
  if (i === start || i - start > 3) return i >= s.length ? fail('truncated_header', 'the CEF header ends before its version') : fail('bad_version', 'the CEF version is not a number');
  const version = Number(s.slice(start, i));
  if (i >= s.length) return fail('truncated_header', 'the CEF header ends after its version');
  if (s.charCodeAt(i) !== 124) return fail('bad_version', 'the CEF version is not followed by "|"');
  i++;

  // Six more header fields (vendor … severity), `\|` and `\\` escaped; then the extension.
  const fields: string[] = [];
  let bs = s.indexOf('\\', i);
  while (fields.length < 6) {
    const p = s.indexOf('|', i);
    if (p < 0) break;
    if (bs >= 0 && bs < i) bs = s.indexOf('\\', i);
    if (bs < 0 || bs > p) {
      fields.push(s.slice(i, p));
      i = p + 1;
      continue;
    }
    let out = '';
    let j = i;
    let closed = false;
    while (j < s.length) {
      const c = s.charCodeAt(j);
      if (c === 92 && j + 1 < s.length && (s.charCodeAt(j + 1) === 124 || s.charCodeAt(j + 1) === 92)) {
        out += s[j + 1];
        j += 2;
      } else if (c === 124) {
        closed = true;
        break;
      } else {
        out += s[j];
        j++;
      }
    }
    if (!closed) break;
    fields.push(out);
    i = j + 1;
  }
  if (fields.length < 6) {
    const rest = s.slice(i);
    return /(?:^|\s)[\w.\[\]-]+=/.test(rest)
      ? fail('wrong_field_count', `the CEF header has ${fields.length + 2} of 8 fields before the extension`)
      : fail('truncated_header', `the CEF header is cut off after ${fields.length + 1} of 8 fields`);
  }
  const [vendor, product, deviceVersion, signatureId, name, severity] = fields;
  const sev = severity.trim();
  if (!(/^\d{1,2}$/.test(sev) && Number(sev) <= 10) && !SEVERITY_WORD.test(sev)) {
    const ext = s.slice(i);
    const firstEq = ext.indexOf('=');
    const beforeKeys = firstEq < 0 ? ext : ext.slice(0, firstEq);
    return beforeKeys.includes('|')
      ? fail('wrong_field_count', 'the CEF header has more than 8 fields')
      : fail('bad_severity', 'the CEF severity is not 0–10 or Low/Medium/High/Very-High');
  }
  return { ok: true, message: { syslog, version, vendor, product, deviceVersion, signatureId, name, severity: sev, ext: parseExtension(s.slice(i)) } };
}

const isDigit = (c: number) => c >= 48 && c <= 57;
// CEF keys: letters, digits, `_`, `.`, `[`, `]`, `-`.
const isKeyChar = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || isDigit(c) || c === 95 || c === 46 || c === 91 || c === 93 || c === 45;

/**
 * `k1=v1 k2=v with spaces k3=…`: a value runs until the next ` key=` whose `=` is not escaped.
 * Escapes `\=`, `\\`, `\n`, `\r` (and the `\:` / `\|` some senders add, e.g. `https\://`).
 */
export function parseExtension(ext: string): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  let key: string | null = null;
  let valStart = 0;
  let from = 0;
  for (;;) {
    const e = ext.indexOf('=', from);
    if (e < 0) break;
    from = e + 1;
    let b = e - 1;
    while (b >= valStart && ext.charCodeAt(b) === 92) b--;
    if ((e - 1 - b) % 2 === 1) continue; // escaped `\=`
    let k = e - 1;
    while (k >= valStart && isKeyChar(ext.charCodeAt(k))) k--;
    const keyStart = k + 1;
    if (keyStart === e) continue;
    // A key starts the extension or follows a space (the separator); anything else is part of a value.
    if (!(keyStart === 0 || ext.charCodeAt(k) === 32 || (key === null && ext.charCodeAt(k) === 9))) continue;
    if (key !== null) out[key] = unescapeValue(ext.slice(valStart, keyStart - 1));
    key = ext.slice(keyStart, e);
    valStart = e + 1;
  }
  if (key !== null) out[key] = unescapeValue(ext.slice(valStart));
  return out;
}

const UNESCAPE = /\\([\\=nr:|])/g;

export function unescapeValue(v: string): string {
  if (v.indexOf('\\') < 0) return v;
  return v.replace(UNESCAPE, (_, c: string) => (c === 'n' ? '\n' : c === 'r' ? '\r' : c));
}

/** Sender side of the escaping (tests, benches and the dev console build messages with these). */
export function escapeExtensionValue(v: string): string {
  return v.replace(/[\\=\n\r]/g, (c) => (c === '\n' ? '\\n' : c === '\r' ? '\\r' : `\\${c}`));
}

export function escapeHeaderField(v: string): string {
  return v.replace(/[\\|]/g, (c) => `\\${c}`);
}
