/**
 * Alert links, pure: which hosts Teams sends to the bot (the manifest's messageHandlers domains), and
 * a list of matchers that turn a pasted portal URL into ledger ids. Each matcher reads its portal's
 * documented link shape; the ids are looked up in the ledger only, so a liberal match costs nothing.
 */
import { alertIdFromUrl } from '../sources/onprem/normalize';

export interface LinkSettings {
  atpWorkspaceUrl?: string;
  mcasUrl?: string;
}

/**
 * A column and a value that names the alert: the ledger's own ids (CEF alert id, Cloud App Security
 * `_id`, Defender XDR alert id), or through the Graph alerts table (issue 12) the provider's id or the
 * Defender XDR incident.
 */
export interface LedgerRef {
  column: 'onprem_id' | 'cloud_id' | 'graph_id' | 'provider_alert_id' | 'incident_id';
  value: string;
}

export interface LinkMatch {
  matcher: string;
  /** The portal, as cards name it ("Azure ATP"). */
  portal: string;
  refs: LedgerRef[];
}

export interface LinkMatcher {
  name: string;
  portal: string;
  match(url: URL, settings: LinkSettings): LedgerRef[] | null;
}

/** Longest link considered (Teams sends what was pasted). */
export const MAX_LINK = 2048;
const ATP_SUFFIX = '.atp.azure.com';
const MCAS_SUFFIX = '.portal.cloudappsecurity.com';
const XDR_HOST = 'security.microsoft.com';
const ID = /^[A-Za-z0-9_.-]{1,200}$/;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MDI_IN_XDR = /^aa([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;

const hostOf = (url: string | undefined): string | null => {
  if (!url) return null;
  try {
    return new URL(url).hostname.toLowerCase();
  } catch {
    return null;
  }
};

/**
 * `<tenant>.<region>.portal.cloudappsecurity.com` (MCAS_URL, the API) also without the region: the
 * alert links Cloud App Security writes (`URL`) use `<tenant>.portal.cloudappsecurity.com`.
 */
function mcasHosts(mcasUrl: string | undefined): string[] {
  const h = hostOf(mcasUrl);
  if (!h) return [];
  const m = /^([a-z0-9-]+)\.[a-z0-9-]+(\.portal\.cloudappsecurity\.com)$/.exec(h);
  return m ? [h, `${m[1]}${m[2]}`] : [h];
}

/**
 * The manifest's link domains (`*` matches exactly one label): the ATP workspace host and every
 * `*.atp.azure.com` workspace, the Cloud App Security portal host(s) from MCAS_URL, security.microsoft.com.
 */
export function linkDomains(s: LinkSettings): string[] {
  const out = [hostOf(s.atpWorkspaceUrl), `*${ATP_SUFFIX}`, ...mcasHosts(s.mcasUrl), XDR_HOST].filter((d): d is string => !!d);
  return [...new Set(out)];
}

/** Teams' domain rule: `*` stands for exactly one label. */
export function domainMatches(pattern: string, host: string): boolean {
  const p = pattern.toLowerCase().split('.');
  const h = host.toLowerCase().split('.');
  return p.length === h.length && p.every((label, i) => label === '*' ? h[i].length > 0 : label === h[i]);
}

const both = (column: LedgerRef['column'], id: string): LedgerRef[] => [...new Set([id, id.toLowerCase()])].map((value) => ({ column, value }));

export const LINK_MATCHERS: LinkMatcher[] = [
  {
    // The CEF cs1 URL (`https://contoso.atp.azure.com/securityAlert/<guid>`): its last path part is the
    // on-premises alert id, read exactly as the syslog source reads it. An alert only Graph saw has it as
    // its providerAlertId, and `aa<guid>` as its Defender XDR id.
    name: 'atp-workspace',
    portal: 'Azure ATP',
    match(url, s) {
      const host = url.hostname.toLowerCase();
      if (!host.endsWith(ATP_SUFFIX) && host !== hostOf(s.atpWorkspaceUrl)) return null;
      const id = alertIdFromUrl(url.toString());
      if (!id) return [];
      return [...both('onprem_id', id), { column: 'provider_alert_id', value: id }, ...(GUID.test(id) ? both('graph_id', `aa${id}`) : [])];
    },
  },
  {
    // Cloud App Security: `https://<tenant>.portal.cloudappsecurity.com/#/alerts/<_id>`.
    name: 'cloud-app-security',
    portal: 'Cloud App Security',
    match(url, s) {
      const host = url.hostname.toLowerCase();
      if (!host.endsWith(MCAS_SUFFIX) && !mcasHosts(s.mcasUrl).includes(host)) return null;
      const m = /^#\/alerts\/([A-Za-z0-9_-]{1,64})(?:[/?].*)?$/.exec(url.hash);
      return m ? [...both('cloud_id', m[1]), { column: 'provider_alert_id', value: m[1].toLowerCase() }] : [];
    },
  },
  {
    // Defender XDR: `https://security.microsoft.com/alerts/<id>?tid=…` (Graph's alertWebUrl). The id is the
    // Graph alert id of an alert the Graph source recorded; a Defender for Identity alert's id there is `aa`
    // + the Azure ATP alert GUID, so syslog-only alerts resolve too (a cs1 URL may itself be this link).
    name: 'defender-xdr-alert',
    portal: 'Microsoft Defender XDR',
    match(url) {
      if (url.hostname.toLowerCase() !== XDR_HOST) return null;
      const parts = url.pathname.split('/').filter(Boolean);
      if (parts.length !== 2 || parts[0].toLowerCase() !== 'alerts' || !ID.test(parts[1])) return null;
      const id = parts[1];
      const mdi = MDI_IN_XDR.exec(id);
      return [...both('graph_id', id), ...both('onprem_id', id), ...(mdi ? both('onprem_id', mdi[1]) : [])];
    },
  },
  {
    // A Defender XDR incident: `/incidents/<id>` or `/incident2/<id>/overview` (Graph's incidentWebUrl):
    // its alerts that the Graph source recorded.
    name: 'defender-xdr-incident',
    portal: 'Microsoft Defender XDR',
    match(url) {
      if (url.hostname.toLowerCase() !== XDR_HOST) return null;
      const parts = url.pathname.split('/').filter(Boolean);
      if (parts.length < 2 || !['incidents', 'incident2'].includes(parts[0].toLowerCase()) || !/^[A-Za-z0-9_-]{1,64}$/.test(parts[1])) return null;
      return [{ column: 'incident_id', value: parts[1] }];
    },
  },
];

/** The portals Hybridwatch knows, for a link no matcher resolved (the neutral card names it). */
export function portalOf(url: URL, s: LinkSettings): string | null {
  const host = url.hostname.toLowerCase();
  if (host.endsWith(ATP_SUFFIX) || host === hostOf(s.atpWorkspaceUrl)) return 'Azure ATP';
  if (host.endsWith(MCAS_SUFFIX) || mcasHosts(s.mcasUrl).includes(host)) return 'Cloud App Security';
  if (host === XDR_HOST) return 'Microsoft Defender XDR';
  return null;
}

/** A pasted link → the first matcher's ledger ids; null when it is not an https link to a known portal. */
export function matchLink(raw: unknown, s: LinkSettings, matchers: readonly LinkMatcher[] = LINK_MATCHERS): { url: URL; match: LinkMatch | null } | null {
  if (typeof raw !== 'string' || !raw.trim() || raw.length > MAX_LINK) return null;
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return null;
  }
  if (url.protocol !== 'https:') return null;
  for (const m of matchers) {
    const refs = m.match(url, s);
    if (refs) return { url, match: refs.length ? { matcher: m.name, portal: m.portal, refs } : null };
  }
  return { url, match: null };
}
