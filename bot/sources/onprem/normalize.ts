import { createHash } from 'node:crypto';
import type { AlertUser, NormalizedAlert, Severity } from '../../hybrid/alert';
import { detectionFor } from './atp-catalog';
import type { CefMessage } from './cef-parser';
import { headerTime, isoOrUndefined } from './syslog-header';

/** A sensor health issue: kept apart from security alerts (sensor_health table, status card). */
export interface SensorHealthIssue {
  id: string;
  sensor: string;
  title: string;
  severity: Severity;
  message: string;
  url: string | null;
  externalId: string | null;
  at: string;
  hash: string;
}

export type OnPremItem = { kind: 'alert'; alert: NormalizedAlert } | { kind: 'health'; health: SensorHealthIssue };

// Health issue names Azure ATP / ATA use ("Sensor stopped communicating", "No traffic received from domain controller", …).
const HEALTH_NAME = /\b(?:sensor|sensors|gateway|center)\b.*\b(?:stopped communicating|outdated|not responding|disconnected|service (?:failed|start)|overloaded|low on disk|certificate)|no traffic received|windows events could not be analy[sz]ed|some (?:windows events|network traffic|etw events) (?:could not|is not|are not|was not)|read-only user password|directory services? (?:user|account) credentials|domain controller .*(?:unreachable|not monitored)|health (?:alert|issue)|monitoring ?alert/i;

export function isHealthMessage(m: CefMessage): boolean {
  if (/MonitoringAlert$/i.test(m.signatureId.trim())) return true;
  const id = Number(m.ext.externalId);
  // ATA: monitoring alerts are 1011 and up, below the 2000s of security alerts.
  if (Number.isInteger(id) && id >= 1000 && id < 2000) return true;
  return HEALTH_NAME.test(m.name);
}

/** CEF severity: Azure ATP sends 3 / 5 / 10; other CEF senders use the whole 0–10 scale or words. */
export function severityOf(raw: string, fallback: Severity = 'medium'): Severity {
  const n = Number(raw);
  if (raw !== '' && Number.isInteger(n)) return n <= 3 ? 'low' : n <= 6 ? 'medium' : 'high';
  const w = raw.toLowerCase();
  if (w === 'low') return 'low';
  if (w === 'medium') return 'medium';
  if (w === 'high' || w === 'very-high') return 'high';
  return fallback;
}

/** `suser` → one AlertUser: `DOMAIN\sam`, UPN, bare sam, or a display name (with spaces). */
export function parseAccount(raw: string | undefined): AlertUser | null {
  const r = (raw ?? '').trim();
  if (!r || r === '-') return null;
  const slash = r.indexOf('\\');
  if (slash > 0 && slash < r.length - 1) {
    const domain = r.slice(0, slash).trim();
    const name = r.slice(slash + 1).trim();
    if (/\s/.test(name)) return { raw: r, key: `onprem:${domain.toLowerCase()}\\${collapse(name)}`, domain, displayName: name };
    return { raw: r, key: `onprem:${domain.toLowerCase()}\\${name.toLowerCase()}`, domain, sam: name };
  }
  if (/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(r)) return { raw: r, key: `onprem:${r.toLowerCase()}`, upn: r };
  if (/\s/.test(r)) return { raw: r, key: `onprem:name:${collapse(r)}`, displayName: r };
  return { raw: r, key: `onprem:${r.toLowerCase()}`, sam: r };
}

const collapse = (s: string) => s.toLowerCase().replace(/\s+/g, ' ');

/** The labelled custom string (`cs1Label=url cs1=…`), falling back to the documented slot. */
function customString(ext: Record<string, string>, label: string, slot: number): string | undefined {
  for (let n = 1; n <= 6; n++) if (ext[`cs${n}Label`]?.trim().toLowerCase() === label) return ext[`cs${n}`];
  return ext[`cs${slot}Label`] === undefined ? ext[`cs${slot}`] : undefined;
}

/** The alert's own id: the last path part of the portal URL (a GUID, or `aa<guid>` on security.microsoft.com). */
export function alertIdFromUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  const path = url.trim().split(/[?#]/)[0];
  const last = path.split('/').filter(Boolean).pop();
  if (!last || path.split('/').filter(Boolean).length < 2) return undefined;
  return /^[A-Za-z0-9_.-]{1,128}$/.test(last) ? last.toLowerCase() : undefined;
}

export const sha1 = (s: string | Buffer) => createHash('sha1').update(s).digest('hex');

/**
 * A parsed CEF message → a normalized alert (or a health issue). `hash` is the hash of the raw message
 * bytes: the same bytes again are a duplicate; a re-trigger (`cs2=update`) differs and updates the alert.
 */
export function normalize(m: CefMessage, hash: string, now: Date): OnPremItem {
  const e = m.ext;
  const seenAt = headerTime(m.syslog, now) ?? now.toISOString();
  const start = isoOrUndefined(e.start) ?? isoOrUndefined(e.rt) ?? seenAt;
  const url = customString(e, 'url', 1)?.trim() || null;
  const externalId = e.externalId?.trim() || undefined;
  const sensor = (e.shost || e.dvchost || m.syslog.host || e.dhost || m.syslog.relay?.from || 'unknown sensor').trim();
  const fallbackId = () => `h${sha1([m.signatureId, e.suser ?? '', e.shost ?? '', e.start ?? ''].join('\n')).slice(0, 32)}`;
  if (isHealthMessage(m)) {
    return {
      kind: 'health',
      health: {
        id: alertIdFromUrl(url ?? undefined) ?? fallbackId(),
        sensor,
        title: m.name.trim() || m.signatureId.trim() || 'Sensor health issue',
        severity: severityOf(m.severity),
        message: e.msg ?? '',
        url,
        externalId: externalId ?? null,
        at: seenAt,
        hash,
      },
    };
  }
  const known = detectionFor(externalId);
  const user = parseAccount(e.suser);
  const hosts: string[] = [];
  const seen = new Set<string>();
  for (const h of [e.shost, e.dhost, customString(e, 'shostfqdn', 3)]) {
    const v = h?.trim();
    if (v && v !== '-' && !seen.has(v.toLowerCase())) {
      seen.add(v.toLowerCase());
      hosts.push(v);
    }
  }
  const cnt = e.cnt !== undefined && /^\s*\d{1,15}\s*$/.test(e.cnt) ? Number(e.cnt) : null;
  const name = m.name.trim();
  const trigger = customString(e, 'trigger', 2)?.trim().toLowerCase() === 'update' ? 'update' : 'new';
  return {
    kind: 'alert',
    alert: {
      source: 'onprem',
      sourceId: alertIdFromUrl(url ?? undefined) ?? fallbackId(),
      type: externalId ?? (m.signatureId.trim() || 'unknown'),
      typeName: known?.name ?? (name || m.signatureId.trim() || 'Unknown Azure ATP detection'),
      title: name || known?.name || m.signatureId.trim() || 'Azure ATP alert',
      description: e.msg ?? '',
      severity: severityOf(m.severity, known?.severity),
      users: user ? [user] : [],
      hosts,
      start,
      seenAt,
      cnt,
      url,
      app: e.app?.trim() || null,
      trigger,
      hash,
    },
  };
}
