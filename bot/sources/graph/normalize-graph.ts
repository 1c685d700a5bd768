import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { AlertUser, NormalizedAlert, Severity } from '../../hybrid/alert';
import { canonicalJson } from '../cloud/normalize-mcas';

export const MDI = 'microsoftDefenderForIdentity';
export const MDCA = 'microsoftDefenderForCloudApps';

/** Graph's severities; `unknown` (and future values) is shown as medium rather than hidden below a channel's threshold. */
const SEVERITY: Record<string, Severity> = { informational: 'informational', low: 'low', medium: 'medium', high: 'high' };
/** How a Defender XDR classification reads in the ledger's `resolution` (the card's wording for Teams closes). */
export const RESOLUTION_OF: Record<string, string> = { truePositive: 'truePositive', falsePositive: 'falsePositive', informationalExpectedActivity: 'benign' };
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const WORD = /^[A-Za-z][A-Za-z0-9]{0,63}$/;
/** Fields that change when someone works the alert (in the portal or from Teams), not when the detection does. */
const STATE_FIELDS = new Set(['status', 'classification', 'determination', 'assignedTo', 'lastUpdateDateTime', 'resolvedDateTime', 'comments', '@odata.etag']);

const isoish = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'must be a date-time');
const alertSchema = z.object({
  id: z.string().trim().min(1, 'must not be empty').max(200, 'is too long').regex(/^[^\s/\\?#]+$/, 'must be an alert id'),
  title: z.string().trim().min(1, 'must not be empty'),
  lastUpdateDateTime: isoish,
  createdDateTime: isoish,
  serviceSource: z.string().max(64).optional().nullable(),
  providerAlertId: z.string().max(200).optional().nullable(),
  incidentId: z.union([z.string().max(200), z.number()]).optional().nullable(),
  description: z.string().optional().nullable(),
  severity: z.string().optional().nullable(),
  status: z.string().optional().nullable(),
  classification: z.string().optional().nullable(),
  determination: z.string().optional().nullable(),
  assignedTo: z.string().optional().nullable(),
  category: z.string().optional().nullable(),
  detectorId: z.string().max(200).optional().nullable(),
  alertWebUrl: z.string().optional().nullable(),
  incidentWebUrl: z.string().optional().nullable(),
  firstActivityDateTime: isoish.optional().nullable(),
  lastActivityDateTime: isoish.optional().nullable(),
  resolvedDateTime: isoish.optional().nullable(),
  // A bad evidence item is dropped, not the alert: evidence is context, the alert is what matters.
  evidence: z.array(z.unknown()).max(10_000).optional().nullable(),
});

/** What Defender XDR says about the alert's handling (portal side), as stored per Graph alert. */
export interface XdrState {
  status: string;
  classification: string | null;
  determination: string | null;
  assignedTo: string | null;
}

/** An alerts_v2 alert, normalized for the ledger, plus the Graph-side fields Hybridwatch keeps. */
export interface GraphAlert {
  alert: NormalizedAlert & { graph: NonNullable<NormalizedAlert['graph']> };
  graphId: string;
  /** Lower-cased: matched against CEF and Cloud App Security ids (issue 14 queries it too). */
  providerAlertId: string | null;
  incidentId: string | null;
  serviceSource: string;
  /** Defender for Identity: on-premises data (gated like CEF). */
  onPrem: boolean;
  state: XdrState;
  lastUpdate: string;
  lastUpdateMs: number;
  resolvedAt: string | null;
  category: string | null;
  /** Hash of the whole object as Graph sent it: the same version read again is a duplicate. */
  versionHash: string;
}

export type GraphNormalizeResult = { ok: true; value: GraphAlert } | { ok: false; reason: string; id?: string };

function clean(s: string, max: number): string {
  return s.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '').slice(0, max);
}

const word = (s: string | null | undefined) => (s && WORD.test(s) ? s : null);

function httpsUrl(s: string | null | undefined): string | null {
  if (!s) return null;
  try {
    const u = new URL(s);
    return u.protocol === 'https:' ? u.toString() : null;
  } catch {
    return null;
  }
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** A userEvidence account → an AlertUser the identity resolver can look up (object id, SID, UPN, DOMAIN\sam). */
export function userFromEvidence(ua: Record<string, unknown>, onPrem: boolean): AlertUser | null {
  const s = (k: string, max = 256) => (typeof ua[k] === 'string' && (ua[k] as string).trim() ? clean((ua[k] as string).trim(), max) : undefined);
  const aad = s('azureAdUserId');
  const aadObjectId = aad && GUID.test(aad) ? aad.toLowerCase() : undefined;
  const upn = s('userPrincipalName')?.toLowerCase();
  const sam = s('accountName', 64);
  const domain = s('domainName', 128);
  const sid = s('userSid', 200);
  const displayName = s('displayName');
  const raw = upn ?? (sam ? (domain ? `${domain}\\${sam}` : sam) : undefined) ?? displayName ?? aadObjectId ?? sid;
  if (!raw) return null;
  const side = onPrem ? 'onprem' : 'cloud';
  const key = aadObjectId ? `aad:${aadObjectId}` : sam ? `${side}:${domain ? `${domain.toLowerCase()}\\` : ''}${sam.toLowerCase()}` : `${side}:${raw.toLowerCase()}`;
  return { raw, key, ...(aadObjectId ? { aadObjectId } : {}), ...(upn ? { upn } : {}), ...(sam ? { sam } : {}), ...(domain ? { domain } : {}), ...(sid ? { sid } : {}), ...(displayName ? { displayName } : {}) };
}

/**
 * Validate and normalize one alerts_v2 object. Never throws: a malformed object comes back as
 * `{ ok: false, reason }` and the rest of the page is kept.
 */
export function normalizeGraphAlert(raw: unknown): GraphNormalizeResult {
  const r = raw as Record<string, unknown> | null;
  const id = r && typeof r === 'object' && typeof r.id === 'string' && r.id.length <= 200 ? r.id : undefined;
  if (!r || typeof r !== 'object' || Array.isArray(r)) return { ok: false, reason: 'not an alert object' };
  let full: string;
  let content: string;
  try {
    full = sha256(canonicalJson(r));
    content = sha256(canonicalJson(Object.fromEntries(Object.entries(r).filter(([k]) => !STATE_FIELDS.has(k)))));
  } catch {
    return { ok: false, reason: 'the alert is nested too deeply to read', id };
  }
  const parsed = alertSchema.safeParse(r);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue.path.length ? issue.path.join('.') : 'alert';
    const detail = issue.code === 'invalid_type' && issue.input === undefined ? 'is missing' : issue.message;
    return { ok: false, reason: `${id ? `alert ${id}: ` : ''}${field} ${detail}`, id };
  }
  const a = parsed.data;
  const serviceSource = word(a.serviceSource) ?? 'unknown';
  const onPrem = serviceSource === MDI;
  const users: AlertUser[] = [];
  const hosts: string[] = [];
  for (const e of a.evidence ?? []) {
    if (!e || typeof e !== 'object') continue;
    const ev = e as Record<string, unknown>;
    const type = String(ev['@odata.type'] ?? '');
    if (/userEvidence$/.test(type) && ev.userAccount && typeof ev.userAccount === 'object') {
      const u = userFromEvidence(ev.userAccount as Record<string, unknown>, onPrem);
      if (u && users.length < 50 && !users.some((x) => x.key === u.key)) users.push(u);
    } else if (/deviceEvidence$/.test(type)) {
      const h = typeof ev.deviceDnsName === 'string' && ev.deviceDnsName.trim() ? ev.deviceDnsName : typeof ev.hostName === 'string' ? ev.hostName : '';
      const host = clean(h.trim(), 256);
      if (host && hosts.length < 50 && !hosts.some((x) => x.toLowerCase() === host.toLowerCase())) hosts.push(host);
    }
  }
  const title = clean(a.title.trim(), 500);
  const status = word(a.status) ?? 'unknown';
  const classification = word(a.classification);
  const resolved = status === 'resolved';
  const iso = (s: string) => new Date(Date.parse(s)).toISOString();
  const start = iso(a.firstActivityDateTime ?? a.createdDateTime);
  const seenAt = iso(a.lastActivityDateTime ?? a.createdDateTime);
  const category = word(a.category);
  const alertWebUrl = httpsUrl(a.alertWebUrl);
  const incidentWebUrl = httpsUrl(a.incidentWebUrl);
  const providerAlertId = a.providerAlertId ? clean(a.providerAlertId.trim(), 200).toLowerCase() || null : null;
  const incidentId = a.incidentId === null || a.incidentId === undefined ? null : clean(String(a.incidentId).trim(), 200) || null;
  return {
    ok: true,
    value: {
      graphId: a.id,
      providerAlertId,
      incidentId,
      serviceSource,
      onPrem,
      state: { status, classification, determination: word(a.determination), assignedTo: a.assignedTo ? clean(a.assignedTo.trim(), 256) || null : null },
      lastUpdate: a.lastUpdateDateTime,
      lastUpdateMs: Date.parse(a.lastUpdateDateTime),
      resolvedAt: a.resolvedDateTime ? iso(a.resolvedDateTime) : null,
      category,
      versionHash: full,
      alert: {
        source: onPrem ? 'onprem' : 'cloud',
        sourceId: a.id,
        graph: { id: a.id, url: alertWebUrl, incidentUrl: incidentWebUrl, providerAlertId, serviceSource },
        type: a.detectorId ? `detector:${clean(a.detectorId, 120).toLowerCase()}` : `title:${title.toLowerCase().slice(0, 120)}`,
        typeName: title,
        title,
        description: clean(a.description ?? '', 4000),
        severity: SEVERITY[String(a.severity)] ?? 'medium',
        users,
        hosts,
        start,
        seenAt,
        url: alertWebUrl,
        status: resolved ? 'closed' : 'open',
        resolution: resolved ? RESOLUTION_OF[classification ?? ''] ?? 'resolved' : null,
        trigger: 'new',
        // The detection's content only: a status change in the portal is not a re-trigger.
        hash: content,
        ...(category ? { tactics: [category] } : {}),
      },
    },
  };
}
