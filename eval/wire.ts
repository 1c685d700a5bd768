import type { Ev, User } from './tenant';
import type { Rng } from './rng';

const BOM = '\uFEFF';
const CEF_SEV = { low: 3, medium: 5, high: 10 } as const;
const MCAS_SEV = { low: 0, medium: 1, high: 2 } as const;
const cefTime = (ms: number) => new Date(ms).toISOString().replace(/\.(\d{3})Z$/, (_m, x: string) => `.${x}0000Z`);
const cefEscape = (s: string) => s.replace(/\\/g, '\\\\').replace(/=/g, '\\=');

/** An Azure ATP SIEM message (RFC 5424 header, BOM before the CEF body), as the sensor sends it. */
export function cefLine(e: Ev, u: User, rng: Rng): string {
  const k = e.kind;
  const host = `WKS-${(u.i * 7) % 997}`;
  const guid = rng.guid();
  const ext = [
    `start=${cefTime(e.at)}`,
    `app=Kerberos`,
    `shost=${host}`,
    `suser=CONTOSO\\\\${u.sam}`,
    `msg=${cefEscape(`${k.name} involving ${u.displayName} on ${host}.`)}`,
    `externalId=${k.externalId}`,
    `cs1Label=url cs1=https\\://contoso.atp.azure.com/securityAlert/${guid}`,
    `cs2Label=trigger cs2=new`,
  ].join(' ');
  return `<132>1 ${new Date(e.at).toISOString()} DC01 CEF 4120 ${k.signature} ${BOM}0|Microsoft|Azure ATP|2.230.0.0|${k.signature}|${k.name}|${CEF_SEV[e.severity]}|${ext}`;
}

/** A Cloud App Security alert object as GET /api/v1/alerts/ returns it (policy ids are per tenant). */
export function mcasAlert(e: Ev, u: User, rng: Rng, policyIds: Map<string, string>): Record<string, unknown> {
  const k = e.kind;
  let policy = policyIds.get(k.key);
  if (!policy) policyIds.set(k.key, (policy = rng.hex(24)));
  const id = rng.hex(24);
  return {
    _id: id,
    timestamp: e.at,
    title: k.name,
    description: `${k.name} for ${u.displayName} (${u.upn}).`,
    isMarkdown: false,
    severityValue: MCAS_SEV[e.severity],
    statusValue: 0,
    resolutionStatusValue: 0,
    entities: [
      { type: 'user', id: u.aadObjectId, label: u.displayName, pa: u.upn, entityRole: 'Source' },
      { type: 'service', id: 11161, label: 'Office 365' },
      { type: 'policyRule', id: policy, label: k.name, policyType: 'ANOMALY_DETECTION' },
    ],
    URL: `https://contoso.portal.cloudappsecurity.com/#/alerts/${id}`,
  };
}
