/**
 * MITRE ATT&CK tactics, spelled as Microsoft Graph's security alerts spell `category` (PascalCase):
 * the one canonical form inside Hybridwatch. A source may hand tactics in any common spelling
 * ("Credential Access", "CREDENTIAL_ACCESS", "credential-access", "TA0006"); `canonicalTactic` maps
 * them here, and anything it does not know is dropped rather than guessed.
 */
export const TACTICS = [
  'Reconnaissance',
  'ResourceDevelopment',
  'InitialAccess',
  'Execution',
  'Persistence',
  'PrivilegeEscalation',
  'DefenseEvasion',
  'CredentialAccess',
  'Discovery',
  'LateralMovement',
  'Collection',
  'CommandAndControl',
  'Exfiltration',
  'Impact',
] as const;

export type Tactic = (typeof TACTICS)[number];

/** How a card writes a tactic. */
export const TACTIC_LABEL: Record<Tactic, string> = {
  Reconnaissance: 'Reconnaissance',
  ResourceDevelopment: 'Resource development',
  InitialAccess: 'Initial access',
  Execution: 'Execution',
  Persistence: 'Persistence',
  PrivilegeEscalation: 'Privilege escalation',
  DefenseEvasion: 'Defense evasion',
  CredentialAccess: 'Credential access',
  Discovery: 'Discovery',
  LateralMovement: 'Lateral movement',
  Collection: 'Collection',
  CommandAndControl: 'Command and control',
  Exfiltration: 'Exfiltration',
  Impact: 'Impact',
};

const BY_KEY = new Map<string, Tactic>(TACTICS.map((t) => [t.toLowerCase(), t]));
const TA_IDS: Record<string, Tactic> = {
  TA0043: 'Reconnaissance',
  TA0042: 'ResourceDevelopment',
  TA0001: 'InitialAccess',
  TA0002: 'Execution',
  TA0003: 'Persistence',
  TA0004: 'PrivilegeEscalation',
  TA0005: 'DefenseEvasion',
  TA0006: 'CredentialAccess',
  TA0007: 'Discovery',
  TA0008: 'LateralMovement',
  TA0009: 'Collection',
  TA0011: 'CommandAndControl',
  TA0010: 'Exfiltration',
  TA0040: 'Impact',
};
// ATT&CK v17 renamed Defense Evasion to Stealth; "C2" is the usual short form.
const ALIASES: Record<string, Tactic> = { stealth: 'DefenseEvasion', c2: 'CommandAndControl', commandcontrol: 'CommandAndControl' };

export function isTactic(v: unknown): v is Tactic {
  return typeof v === 'string' && BY_KEY.get(v.toLowerCase()) === v;
}

/** One tactic in any usual spelling → the canonical name; null when it is not a MITRE tactic. */
export function canonicalTactic(raw: unknown): Tactic | null {
  if (typeof raw !== 'string' || raw.length > 64) return null;
  const id = /TA\d{4}/i.exec(raw)?.[0]?.toUpperCase();
  if (id && TA_IDS[id]) return TA_IDS[id];
  const key = raw.toLowerCase().replace(/&/g, 'and').replace(/[^a-z]/g, '');
  return BY_KEY.get(key) ?? ALIASES[key] ?? null;
}

/** A list from a source → canonical, de-duplicated, in the source's order (the first is the primary). */
export function canonicalTactics(raw: unknown): Tactic[] {
  const list = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(/[,;|]/) : [];
  const out: Tactic[] = [];
  for (const r of list.slice(0, 32)) {
    const t = canonicalTactic(typeof r === 'string' ? r.trim() : r);
    if (t && !out.includes(t)) out.push(t);
  }
  return out;
}

/** Stored form in alert_users.tactics: comma list, primary first ('' = no tactic known). */
export const encodeTactics = (t: readonly Tactic[]): string => t.join(',');
export const decodeTactics = (s: string | null | undefined): Tactic[] => (s ? s.split(',').filter(isTactic) : []);
