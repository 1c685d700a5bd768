/**
 * What the compose box searches, as pure functions: text is folded the same way when stored and when
 * searched (Unicode lower case in JavaScript, so SQLite and PostgreSQL compare identical bytes), and a
 * query becomes LIKE patterns whose wildcards are escaped (`%`, `_` and `\` typed by a user are literal).
 */
import type { AlertRow, AlertUser } from '../hybrid/alert';
import { onPremAccount } from '../hybrid/views';

/** Longest query the compose box accepts (characters); longer ones are answered with a sentence. */
export const MAX_QUERY = 256;
/** Words of a query used (each must match). */
export const MAX_QUERY_WORDS = 8;
const MAX_FIELD = 300;
const MAX_LIST = 50;

const CONTROL = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/g;

/** Searchable form: NFKC, lower case, no control characters, whitespace folded to single spaces. */
export function fold(s: unknown, max = MAX_FIELD): string {
  const t = String(s ?? '')
    .slice(0, max * 4)
    .normalize('NFKC')
    .toLowerCase()
    .replace(CONTROL, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return Array.from(t).slice(0, max).join('');
}

/** "CONTOSO\jdoe" as cards show it, from what the alert knows about the account. */
export function accountOf(u: AlertUser): string | null {
  return onPremAccount(u.sam, u.domain) ?? (u.raw.includes('\\') ? u.raw : null);
}

/** One line per field, so a query never matches across two fields. */
export function alertSearchText(a: Pick<AlertRow, 'title' | 'type' | 'type_name' | 'users' | 'hosts' | 'app' | 'policy'>): string {
  const fields: unknown[] = [a.title, a.type, a.type_name, a.app, a.policy];
  for (const u of a.users.slice(0, MAX_LIST)) fields.push(u.raw, u.displayName, u.upn, u.sam, accountOf(u));
  fields.push(...a.hosts.slice(0, MAX_LIST));
  return [...new Set(fields.map((f) => fold(f)).filter(Boolean))].join('\n');
}

/** What a user is found by (prefix): the whole name and each of its words, UPN and its local part, DOMAIN\sam, sam. */
export function userTerms(u: { displayName?: string | null; upn?: string | null; account?: string | null; sam?: string | null }): string[] {
  const terms = new Set<string>();
  const add = (s: unknown) => {
    const t = fold(s, 200);
    if (t) terms.add(t);
  };
  if (u.displayName) {
    add(u.displayName);
    for (const w of fold(u.displayName).split(/[\s,;()"]+/)) add(w);
  }
  if (u.upn) {
    add(u.upn);
    add(u.upn.split('@')[0]);
  }
  add(u.account);
  add(u.sam);
  return [...terms];
}

export type QueryWords = { kind: 'empty' } | { kind: 'tooLong' } | { kind: 'words'; text: string; words: string[] };

/** A typed query: empty (show the latest), too long (answered with a sentence), or its folded words. */
export function parseQuery(raw: unknown): QueryWords {
  const s = typeof raw === 'string' ? raw : '';
  if (Array.from(s.trim()).length > MAX_QUERY) return { kind: 'tooLong' };
  const text = fold(s, MAX_QUERY);
  if (!text) return { kind: 'empty' };
  return { kind: 'words', text, words: [...new Set(text.split(' '))].slice(0, MAX_QUERY_WORDS) };
}

/** LIKE wildcards and the escape character itself, made literal (used with ESCAPE '\'). */
export function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export const containsPattern = (word: string): string => `%${escapeLike(word)}%`;
export const prefixPattern = (text: string): string => `${escapeLike(text)}%`;
