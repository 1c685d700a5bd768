import { GraphSecurityError } from '../../errors';

/** Graph's error envelope: `{"error":{"code":"Forbidden","message":"…"}}`. */
export function graphErrorOf(text: string): { code?: string; message?: string } {
  try {
    const j = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
    const code = typeof j.error?.code === 'string' ? j.error.code : undefined;
    const message = typeof j.error?.message === 'string' ? j.error.message : undefined;
    return { code, message };
  } catch {
    return {};
  }
}

/** A short, single-line, printable excerpt for messages (never a whole body). */
export function snippet(s: string | undefined, max = 160): string {
  return (s ?? '').replace(/[\u0000-\u001f\u007f]+/g, ' ').trim().slice(0, max);
}

export const CREDENTIALS_FIX = 'An administrator should check GRAPH_TENANT_ID, GRAPH_CLIENT_ID and GRAPH_CLIENT_SECRET (the client secret may have expired)';

export const permissionFix = (permission: string) =>
  `An administrator must grant the Microsoft Graph application permission ${permission} to the app in GRAPH_CLIENT_ID (Entra admin center → App registrations → API permissions → Grant admin consent)`;

export const NOT_ONBOARDED_FIX = 'Turn on Microsoft Defender for Identity for this tenant in the Microsoft Defender portal (security.microsoft.com → Settings → Identities) and install a sensor on a domain controller';

/**
 * One final (not retried) HTTP answer → the typed error a person reads. A 403 that says the tenant is
 * not onboarded (Defender for Identity answers so; undocumented) is told apart from a missing permission.
 */
export function httpError(op: string, status: number, text: string, permission: string): GraphSecurityError {
  const { code, message } = graphErrorOf(text);
  const detail = snippet(message ?? (code ? undefined : text));
  const what = `${code ? ` ${code}` : ''}${detail ? `: ${detail}` : ''}`;
  if (status === 401) return new GraphSecurityError(`Microsoft Graph did not accept Hybridwatch's sign-in for ${op} (HTTP 401${what})`, CREDENTIALS_FIX, status, 'unauthorized', code);
  if (status === 403 && /not\s+onboarded|onboard(ed)?\s+to/i.test(message ?? text)) {
    return new GraphSecurityError(`This tenant is not onboarded to Microsoft Defender for Identity, so Graph has nothing for ${op}`, NOT_ONBOARDED_FIX, status, 'notOnboarded', code);
  }
  if (status === 403) return new GraphSecurityError(`Microsoft Graph refused ${op} (HTTP 403${what})`, permissionFix(permission), status, 'forbidden', code);
  if (status === 404) return new GraphSecurityError(`Microsoft Graph does not know it (${op}, HTTP 404${what})`, 'It may have been deleted, or belong to another tenant than GRAPH_TENANT_ID', status, 'notFound', code);
  if (status === 429) return new GraphSecurityError(`Microsoft Graph is throttling Hybridwatch (${op}, HTTP 429)`, 'Hybridwatch waits as Graph asks (Retry-After) and tries again; another app of this tenant may be using the same budget', status, 'throttled', code);
  if (status >= 500) return new GraphSecurityError(`Microsoft Graph is unavailable (${op}, HTTP ${status}${what})`, 'Hybridwatch retries by itself; check the Microsoft 365 service health if it persists', status, 'unavailable', code);
  return new GraphSecurityError(`Microsoft Graph rejected ${op} (HTTP ${status}${what})`, 'This is likely a Hybridwatch bug or a Graph API change; the logs have the details', status, 'rejected', code);
}
