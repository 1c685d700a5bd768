import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { AlertUser, NormalizedAlert, Severity } from '../../hybrid/alert';
import { canonicalTactics } from '../../hybrid/tactics';
import { detectionNamed } from '../onprem/atp-catalog';
import { cloudTacticsFor } from './cloud-tactics';

export { ATP_SERVICE_ID } from '../../hybrid/merge';

const SEVERITY: Record<number, Severity> = { 0: 'low', 1: 'medium', 2: 'high', 3: 'informational' };
const RESOLUTION: Record<number, string | null> = { 0: null, 1: 'dismissed', 2: 'resolved', 3: 'falsePositive', 4: 'benign', 5: 'truePositive' };
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// Generous but bounded: a year-2000..2200 epoch-ms range catches seconds-vs-ms mistakes.
const MIN_TS = Date.UTC(2000, 0, 1);
const MAX_TS = Date.UTC(2200, 0, 1);

const idLike = z.union([z.string(), z.number()]).transform(String);
const entity = z
  .object({
    type: z.string(),
    id: idLike.optional().nullable(),
    label: z.string().optional().nullable(),
    pa: z.string().optional().nullable(),
  })
  .passthrough();

const alertSchema = z.object({
  _id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be the alert id (24 hex characters)'),
  timestamp: z.number().int().min(MIN_TS, 'must be epoch milliseconds').max(MAX_TS, 'must be epoch milliseconds'),
  title: z.string().trim().min(1, 'must not be empty'),
  description: z.string().optional().nullable(),
  isMarkdown: z.boolean().optional().nullable(),
  severityValue: z.union([z.literal(0), z.literal(1), z.literal(2), z.literal(3)], { error: 'must be 0, 1, 2 or 3' }),
  resolutionStatusValue: z.number().int().min(0).max(5).optional().nullable(),
  // A bad entity is dropped, not the alert: entities are context, the alert is what matters.
  entities: z.array(z.unknown()).max(10_000).optional().nullable(),
  threatScore: z.number().finite().optional().nullable(),
  URL: z.string().optional().nullable(),
});

/** A Cloud App Security alert, normalized, plus what the cloud side needs beyond the ledger fields. */
export interface CloudAlert {
  alert: NormalizedAlert;
  /** `entity.service` id, e.g. '20940' for Azure ATP alerts. */
  serviceId: string | null;
  timestampMs: number;
}

export type NormalizeResult = { ok: true; value: CloudAlert } | { ok: false; reason: string; id?: string; timestampMs?: number; key: string };

/** Canonical JSON (sorted keys) so the same alert in another key order hashes the same. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v as object).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

export function alertHash(raw: unknown): string {
  return createHash('sha256').update(canonicalJson(raw)).digest('hex');
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', '#39': "'" };

/** `isMarkdown` descriptions are markup (HTML): keep the words, drop the tags; cards escape the rest. */
export function markupToText(s: string): string {
  return s
    .replace(/<\s*(script|style)[^>]*>[\s\S]*?<\s*\/\s*\1\s*>/gi, ' ')
    .replace(/<\s*br\s*\/?>|<\s*\/\s*(p|div|li|tr|h[1-6])\s*>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&(#\d+|#x[0-9a-f]+|[a-z]+|#39);/gi, (m, e: string) => {
      if (e[0] === '#') {
        const code = e[1].toLowerCase() === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
        return code > 0 && code < 0x110000 && !(code >= 0xd800 && code <= 0xdfff) ? String.fromCodePoint(code) : '';
      }
      return ENTITIES[e.toLowerCase()] ?? m;
    })
    .replace(/[ \t]+/g, ' ')
    .replace(/ *\n[\s]*/g, '\n')
    .trim();
}

function clean(s: string, max: number): string {
  // Control characters other than newline/tab never reach the ledger.
  return s.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '').slice(0, max);
}

function httpsUrl(s: string | null | undefined): string | null {
  if (!s) return null;
  try {
    const u = new URL(s);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.toString() : null;
  } catch {
    return null;
  }
}

/**
 * Validate and normalize one alert object from the API or the push endpoint. Never throws: a
 * malformed object comes back as `{ ok: false, reason }` and the rest of the page is kept.
 */
export function normalizeMcasAlert(raw: unknown): NormalizeResult {
  let hash: string;
  try {
    hash = alertHash(raw);
  } catch {
    return { ok: false, reason: 'the alert is nested too deeply to read', key: 'h:unreadable' };
  }
  const r = raw as Record<string, unknown> | null;
  const id = r && typeof r === 'object' && typeof r._id === 'string' && r._id.length <= 64 ? r._id : undefined;
  const ts = r && typeof r === 'object' && typeof r.timestamp === 'number' && Number.isFinite(r.timestamp) ? r.timestamp : undefined;
  const key = id ?? `h:${hash}`;
  if (!r || typeof r !== 'object' || Array.isArray(r)) return { ok: false, reason: 'not an alert object', key };
  const parsed = alertSchema.safeParse(r);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue.path.length ? issue.path.join('.') : 'alert';
    const detail = issue.code === 'invalid_type' && issue.input === undefined ? 'is missing' : issue.message;
    return { ok: false, reason: `${id ? `alert ${id}: ` : ''}${field} ${detail}`, id, timestampMs: ts, key };
  }
  const a = parsed.data;
  const users: AlertUser[] = [];
  const hosts: string[] = [];
  let service: { id: string | null; label: string | null } | null = null;
  let policy: { id: string | null; label: string | null } | null = null;
  for (const e of a.entities ?? []) {
    const p = entity.safeParse(e);
    if (!p.success) continue;
    const en = p.data;
    if (en.type === 'account' || en.type === 'user') {
      const objectId = en.id && GUID.test(en.id) ? en.id.toLowerCase() : undefined;
      const upn = en.pa && en.pa.includes('@') ? clean(en.pa, 256).toLowerCase() : undefined;
      const raw = clean(en.pa ?? en.label ?? en.id ?? '', 256);
      if (!raw && !objectId) continue;
      const userKey = objectId ? `aad:${objectId}` : `cloud:${(upn ?? raw).toLowerCase()}`;
      if (users.some((u) => u.key === userKey) || users.length >= 50) continue;
      users.push({ raw: raw || objectId!, key: userKey, ...(objectId ? { aadObjectId: objectId } : {}), ...(upn ? { upn } : {}), ...(en.label ? { displayName: clean(en.label, 256) } : {}) });
    } else if (en.type === 'device' && en.label && hosts.length < 50) {
      const h = clean(en.label, 256);
      if (!hosts.includes(h)) hosts.push(h);
    } else if (en.type === 'service' && !service) {
      service = { id: en.id ?? null, label: en.label ? clean(en.label, 200) : null };
    } else if (en.type === 'policyRule' && !policy) {
      policy = { id: en.id ?? null, label: en.label ? clean(en.label, 200) : null };
    }
  }
  const title = clean(a.title.trim(), 500);
  const desc = a.description ? (a.isMarkdown ? markupToText(a.description) : a.description) : '';
  const at = new Date(a.timestamp).toISOString();
  const status = a.resolutionStatusValue ? 'closed' : 'open';
  // `intent` (MITRE tactics; its exact spelling is not documented) is only a fallback: for types
  // Microsoft's anomaly-detection guide or the Azure ATP catalog names, the catalog decides.
  const intent = cloudTacticsFor(policy?.label, title) || detectionNamed(title) ? [] : canonicalTactics(r.intent);
  return {
    ok: true,
    value: {
      serviceId: service?.id ?? null,
      timestampMs: a.timestamp,
      alert: {
        source: 'cloud',
        sourceId: a._id,
        type: policy?.id ? `policy:${clean(policy.id, 120)}` : `title:${title.toLowerCase().slice(0, 120)}`,
        typeName: policy?.label ?? title,
        title,
        description: clean(desc, 4000),
        severity: SEVERITY[a.severityValue],
        users,
        hosts,
        start: at,
        seenAt: at,
        url: httpsUrl(a.URL),
        app: service?.label ?? null,
        policy: policy?.label ?? null,
        threatScore: a.threatScore === null || a.threatScore === undefined ? null : Math.round(a.threatScore),
        status,
        resolution: a.resolutionStatusValue ? RESOLUTION[a.resolutionStatusValue] : null,
        ...(intent.length ? { tactics: intent } : {}),
        trigger: 'new',
        hash,
      },
    },
  };
}
