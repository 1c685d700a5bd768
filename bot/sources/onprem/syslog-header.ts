/** What the syslog header in front of a CEF body says (best effort: every field is optional). */
export interface SyslogHeader {
  format: 'rfc5424' | 'rfc3164' | 'none';
  pri?: number;
  /** As sent: ISO-8601 (RFC 5424) or `Mmm dd hh:mm:ss` (RFC 3164, no year). */
  timestamp?: string;
  host?: string;
  appName?: string;
  procId?: string;
  msgId?: string;
  /** A receiver's prefix (`02-21-2018 16:19:35 Auth.Warning 192.168.0.220`) some relays and samples add. */
  relay?: { receivedAt: string; level?: string; from?: string };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const ISO_LIKE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;
const nil = (v: string | undefined) => (v === undefined || v === '-' ? undefined : v);

/** The text before the CEF body. Never throws; unknown shapes give `format: 'none'`. */
export function parseSyslogHeader(prefix: string): SyslogHeader {
  const t = prefix.split(/[ \t]+/).filter(Boolean);
  const h: SyslogHeader = { format: 'none' };
  let i = 0;
  if (t.length >= 2 && /^\d{2}-\d{2}-\d{4}$/.test(t[0]) && /^\d{1,2}:\d{2}:\d{2}$/.test(t[1])) {
    h.relay = { receivedAt: `${t[0]} ${t[1]}` };
    i = 2;
    if (t[i] && /^[A-Za-z]+\.[A-Za-z]+$/.test(t[i])) h.relay.level = t[i++];
    if (t[i] && /^[0-9A-Fa-f.:]+$/.test(t[i]) && !/^\d+$/.test(t[i])) h.relay.from = t[i++];
  }
  const pri = t[i] ? /^<(\d{1,3})>(.*)$/.exec(t[i]) : null;
  if (pri) {
    h.pri = Number(pri[1]);
    if (pri[2] === '') i++;
    else t[i] = pri[2];
  }
  const tok = t[i];
  if (tok === undefined) return h;
  if (/^\d{1,2}$/.test(tok) && t[i + 1] !== undefined && (t[i + 1] === '-' || ISO_LIKE.test(t[i + 1]))) {
    h.format = 'rfc5424';
    h.timestamp = nil(t[i + 1]);
    h.host = nil(t[i + 2]);
    h.appName = nil(t[i + 3]);
    h.procId = nil(t[i + 4]);
    h.msgId = nil(t[i + 5]);
  } else if (MONTHS.includes(tok) && /^\d{1,2}$/.test(t[i + 1] ?? '') && /^\d{1,2}:\d{2}:\d{2}$/.test(t[i + 2] ?? '')) {
    h.format = 'rfc3164';
    h.timestamp = `${tok} ${t[i + 1]} ${t[i + 2]}`;
    setHostAndTag(h, t[i + 3], t[i + 4]);
  } else if (ISO_LIKE.test(tok)) {
    // RFC 3164 as rsyslog sends it with an ISO timestamp.
    h.format = 'rfc3164';
    h.timestamp = tok;
    setHostAndTag(h, t[i + 1], t[i + 2]);
  }
  return h;
}

function setHostAndTag(h: SyslogHeader, host: string | undefined, tag: string | undefined): void {
  if (host && !host.endsWith(':')) {
    h.host = host;
    if (tag) h.appName = tag.replace(/:$/, '').replace(/\[.*$/, '') || undefined;
  } else if (host) {
    h.appName = host.replace(/:$/, '').replace(/\[.*$/, '') || undefined;
  }
}

/**
 * The header's time as ISO-8601, or undefined. RFC 3164 has no year: take `now`'s, or the year before
 * when that would put the message more than a day in the future (a message sent on 31 Dec, read 1 Jan).
 */
export function headerTime(h: SyslogHeader, now: Date): string | undefined {
  if (!h.timestamp) return undefined;
  if (h.format === 'rfc3164' && !ISO_LIKE.test(h.timestamp)) {
    const m = /^(\w{3}) +(\d{1,2}) (\d{1,2}):(\d{2}):(\d{2})$/.exec(h.timestamp);
    if (!m) return undefined;
    const month = MONTHS.indexOf(m[1]);
    let d = new Date(Date.UTC(now.getUTCFullYear(), month, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5])));
    if (d.getTime() - now.getTime() > 86_400_000) d = new Date(Date.UTC(now.getUTCFullYear() - 1, month, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5])));
    return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
  }
  return isoOrUndefined(h.timestamp);
}

/** Any ISO-8601 time (7 fraction digits too) → `toISOString()`, or undefined when it is not one. */
export function isoOrUndefined(v: string | undefined): string | undefined {
  if (!v || !ISO_LIKE.test(v)) return undefined;
  const d = new Date(v);
  const t = d.getTime();
  // Years outside 1970–9999 cannot be real alert times and would not sort as text.
  return Number.isNaN(t) || t < 0 || t > 253402300799999 ? undefined : d.toISOString();
}
