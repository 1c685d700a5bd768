import { GraphSecurityError } from '../../errors';
import { PERMISSIONS, type GraphCallOptions, type GraphPage, type GraphResponse, type GraphSecurityClient } from './graph-security-client';

type Call = Omit<GraphCallOptions, 'op' | 'permission'>;

/** Largest page asked for; Graph documents no maximum for alerts_v2 (1,000 is the legacy cap). */
export const ALERTS_PAGE_SIZE = 100;
/** Sensors and health issues: a tenant has few; a runaway nextLink chain stops here. */
const MAX_LIST_PAGES = 50;

function toPage(r: GraphResponse, op: string): GraphPage {
  const b = r.body as { value?: unknown; '@odata.nextLink'?: unknown } | null;
  if (!b || typeof b !== 'object' || !Array.isArray(b.value)) {
    throw new GraphSecurityError(`Microsoft Graph answered ${op} in an unexpected shape (no "value" list)`, 'Check GRAPH_BASE_URL points at Microsoft Graph (https://graph.microsoft.com/v1.0)', r.status, 'rejected');
  }
  const next = b['@odata.nextLink'];
  return { value: b.value, nextLink: typeof next === 'string' && next ? next : null, serverTime: r.serverTime };
}

/** `GET /security/alerts_v2?$filter=…&$top=…` (newest first; no $orderby). */
export async function listAlerts(c: GraphSecurityClient, q: { filter: string; top?: number; skip?: number }, call: Call = {}): Promise<GraphPage> {
  const params = new URLSearchParams({ $filter: q.filter, $top: String(q.top ?? ALERTS_PAGE_SIZE) });
  if (q.skip) params.set('$skip', String(q.skip));
  const r = await c.get(`security/alerts_v2?${params.toString().replace(/\+/g, '%20')}`, { ...call, op: 'listing alerts', permission: PERMISSIONS.readAlerts });
  return toPage(r, 'listing alerts');
}

/** The next page of a list, from its `@odata.nextLink`. */
export async function alertsPage(c: GraphSecurityClient, nextLink: string, call: Call = {}): Promise<GraphPage> {
  const r = await c.get(nextLink, { ...call, op: 'listing alerts', permission: PERMISSIONS.readAlerts });
  return toPage(r, 'listing alerts');
}

export interface AlertPatch {
  status?: 'new' | 'inProgress' | 'resolved';
  classification?: string;
  determination?: string;
  assignedTo?: string | null;
}

/** `PATCH /security/alerts_v2/{id}` → the updated alert. Needs SecurityAlert.ReadWrite.All. */
export async function updateAlert(c: GraphSecurityClient, id: string, patch: AlertPatch, call: Call = {}): Promise<unknown> {
  const r = await c.request('PATCH', `security/alerts_v2/${encodeURIComponent(id)}`, patch, { ...call, op: 'updating the alert in Defender XDR', permission: PERMISSIONS.writeAlerts });
  return r.body;
}

export interface AlertComment {
  comment: string;
  createdByDisplayName: string | null;
  createdDateTime: string | null;
}

/** `POST /security/alerts_v2/{id}/comments` → every comment of the alert. Permission unconfirmed; ReadWrite is what writes alerts. */
export async function commentOnAlert(c: GraphSecurityClient, id: string, comment: string, call: Call = {}): Promise<AlertComment[]> {
  const r = await c.request<{ value?: unknown }>('POST', `security/alerts_v2/${encodeURIComponent(id)}/comments`, { '@odata.type': 'microsoft.graph.security.alertComment', comment }, { ...call, op: 'commenting on the alert in Defender XDR', permission: PERMISSIONS.writeAlerts });
  const list = Array.isArray(r.body?.value) ? r.body.value : [];
  return list.map((x) => {
    const o = (x ?? {}) as Record<string, unknown>;
    return { comment: String(o.comment ?? ''), createdByDisplayName: typeof o.createdByDisplayName === 'string' ? o.createdByDisplayName : null, createdDateTime: typeof o.createdDateTime === 'string' ? o.createdDateTime : null };
  });
}

async function listAll(c: GraphSecurityClient, path: string, op: string, permission: string, call: Call): Promise<unknown[]> {
  const out: unknown[] = [];
  let page = toPage(await c.get(path, { ...call, op, permission }), op);
  out.push(...page.value);
  for (let n = 1; page.nextLink && n < MAX_LIST_PAGES; n++) {
    page = toPage(await c.get(page.nextLink, { ...call, op, permission }), op);
    out.push(...page.value);
  }
  return out;
}

/** `GET /security/identities/sensors` (every page). */
export function listSensors(c: GraphSecurityClient, call: Call = {}): Promise<unknown[]> {
  return listAll(c, 'security/identities/sensors', 'reading Defender for Identity sensors', PERMISSIONS.sensors, call);
}

/** `GET /security/identities/healthIssues?$filter=status eq 'open'` (every page). */
export function listOpenHealthIssues(c: GraphSecurityClient, call: Call = {}): Promise<unknown[]> {
  return listAll(c, `security/identities/healthIssues?$filter=${encodeURIComponent("status eq 'open'")}`, 'reading Defender for Identity health issues', PERMISSIONS.healthIssues, call);
}
