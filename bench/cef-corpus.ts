import { ATP_DETECTIONS } from '../bot/sources/onprem/atp-catalog';
import { escapeExtensionValue } from '../bot/sources/onprem/cef-parser';

const USERS = ['CONTOSO\\jdoe', 'jdoe@contoso.com', 'Wofford Thurston', 'CONTOSO\\svc-backup', 'awilber'];
const HOSTS = ['WKS-17', 'DC01', 'SRV-SQL-02', 'CLIENT1'];

function guid(n: number): string {
  const h = (n * 2654435761 >>> 0).toString(16).padStart(8, '0');
  return `${h}-5d0e-4f7e-9a4e-${String(n).padStart(12, '0')}`;
}

/**
 * One CEF message per line, Azure ATP shaped, with a literal `CEF:0|` body (so nsyslog-parser, which only
 * recognises that prefix, parses the CEF part too) behind RFC 3164, RFC 5424 and no syslog header.
 * `atpNative` instead writes Azure ATP's own `<BOM>0|` body (what real sensors send).
 */
export function cefCorpus(n: number, opts: { atpNative?: boolean; uniqueIds?: boolean } = {}): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const d = ATP_DETECTIONS[i % ATP_DETECTIONS.length];
    const sev = d.severity === 'high' ? 10 : d.severity === 'medium' ? 5 : 3;
    const user = USERS[i % USERS.length];
    const host = HOSTS[i % HOSTS.length];
    const cnt = 1 + (i % 97);
    const ext = [
      `start=2026-03-02T09:${String(i % 60).padStart(2, '0')}:59.0000000Z`,
      `app=Kerberos`,
      `shost=${host}`,
      `suser=${escapeExtensionValue(user)}`,
      `msg=${escapeExtensionValue(`${user} on ${host} triggered ${d.name}; ${cnt} attempts in the last hour.`)}`,
      `cnt=${cnt}`,
      `externalId=${d.externalId}`,
      `cs1Label=url cs1=https\\://contoso.atp.azure.com/securityAlert/${guid(opts.uniqueIds === false ? i % 1000 : i)}`,
      `cs2Label=trigger cs2=${i % 5 === 0 ? 'update' : 'new'}`,
    ].join(' ');
    const sig = d.signatureId ?? 'SecurityAlert';
    const body = `0|Microsoft|Azure ATP|2.230.0.0|${sig}|${d.name}|${sev}|${ext}`;
    if (opts.atpNative) {
      out.push(`<132>1 2026-03-02T09:15:44.120Z DC01 CEF 4120 ${sig.slice(0, 32)} \uFEFF${body}`);
      continue;
    }
    switch (i % 3) {
      case 0:
        out.push(`<132>Mar  2 09:15:44 DC01 CEF:${body}`);
        break;
      case 1:
        out.push(`<132>1 2026-03-02T09:15:44.120Z DC01 CEF 4120 ${sig.slice(0, 32)} - CEF:${body}`);
        break;
      default:
        out.push(`CEF:${body}`);
    }
  }
  return out;
}
