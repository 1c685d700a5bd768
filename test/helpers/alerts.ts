import { createHash } from 'node:crypto';
import type { AlertUser, NormalizedAlert } from '../../bot/hybrid/alert';

let seq = 0;

/** An account as a source names it; the ledger's resolver fills in the rest. */
export function account(raw: string, extra: Partial<AlertUser> = {}): AlertUser {
  return { raw, key: '', ...extra };
}

/**
 * A normalized alert as the sources hand it to the ledger (scenarios run through ledger.record while
 * the CEF / cloud parsers are exercised in their own suites). Unique sourceId and hash by default.
 */
export function makeAlert(overrides: Partial<NormalizedAlert> = {}): NormalizedAlert {
  const n = ++seq;
  const at = overrides.seenAt ?? '2026-03-02T09:00:00.000Z';
  const a: NormalizedAlert = {
    source: 'onprem',
    sourceId: `test-${process.pid}-${n}`,
    type: '2023',
    typeName: 'BruteForceSecurityAlert',
    title: 'Suspected brute force attack (Kerberos, NTLM)',
    description: 'Password guessing',
    severity: 'medium',
    users: [account('CONTOSO\\jdoe')],
    hosts: ['WKS-17'],
    start: overrides.start ?? at,
    seenAt: at,
    trigger: 'new',
    hash: '',
    ...overrides,
  };
  if (!a.hash) a.hash = createHash('sha256').update(JSON.stringify({ ...a, hash: undefined, n })).digest('hex');
  return a;
}

/** The re-trigger of an existing alert: same source id, new bytes. */
export function retrigger(a: NormalizedAlert, overrides: Partial<NormalizedAlert> = {}): NormalizedAlert {
  const r: NormalizedAlert = { ...a, trigger: 'update', hash: '', ...overrides };
  if (!r.hash) r.hash = createHash('sha256').update(`${a.hash}:${r.seenAt}:${++seq}`).digest('hex');
  return r;
}

/** Azure ATP detections and a cloud alert used by the scenarios (externalId / type, title, severity). */
export const DETECTIONS = {
  bruteForce: { source: 'onprem', type: '2023', typeName: 'BruteForceSecurityAlert', title: 'Suspected brute force attack (Kerberos, NTLM)', severity: 'medium' },
  passTheHash: { source: 'onprem', type: '2017', typeName: 'PassTheHashSecurityAlert', title: 'Suspected identity theft (pass-the-hash)', severity: 'high' },
  impossibleTravel: { source: 'cloud', type: 'ALERT_IMPOSSIBLE_TRAVEL', typeName: 'Impossible travel activity', title: 'Impossible travel activity', severity: 'high' },
  ldapRecon: { source: 'onprem', type: '2038', typeName: 'LdapSearchReconnaissanceSecurityAlert', title: 'Security principal reconnaissance (LDAP)', severity: 'low' },
} as const satisfies Record<string, Partial<NormalizedAlert>>;
