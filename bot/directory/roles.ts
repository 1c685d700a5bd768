/** Entra built-in roles Hybridwatch understands (role template ids; for unified RBAC also roleDefinitionId). */
export const ROLE_TEMPLATE_IDS = {
  'Global Administrator': '62e90394-69f5-4237-9190-012177145e10',
  'Security Administrator': '194ae4cb-b126-40b2-bd5b-6091b380977d',
  'Cloud App Security Administrator': '892c5842-a9a6-463a-8041-72aa08ca3cf6',
  'Security Operator': '5f2222b1-57c3-48ba-8ad5-d4759f1fde6f',
  'Security Reader': '5d6b6bb7-de71-4623-b4af-96380a352509',
  'Global Reader': 'f2ef992c-3afb-46b9-b7cf-a126ee74c451',
} as const;

export type RoleName = keyof typeof ROLE_TEMPLATE_IDS;
export const ROLE_NAMES = Object.keys(ROLE_TEMPLATE_IDS) as RoleName[];

export function roleNameForTemplateId(id: string): RoleName | undefined {
  const lower = id.toLowerCase();
  return ROLE_NAMES.find((n) => ROLE_TEMPLATE_IDS[n] === lower);
}

export function isRoleName(s: string): s is RoleName {
  return (ROLE_NAMES as string[]).includes(s);
}

/** What a caller may do. Each capability lists the roles that grant it (fail closed: anything else is denied). */
export const CAPABILITIES = {
  /** status, alerts, risky, user, config, policies, health */
  read: ['Global Administrator', 'Security Administrator', 'Cloud App Security Administrator', 'Security Operator', 'Security Reader', 'Global Reader'],
  /** alert.close, alert.assign, alert.comment, alert.mute */
  operate: ['Global Administrator', 'Security Administrator', 'Cloud App Security Administrator', 'Security Operator'],
  /** subscribe, unsubscribe, subscriptions, user.dismiss */
  manage: ['Global Administrator', 'Security Administrator', 'Cloud App Security Administrator'],
  /**
   * Identity response on a user in Entra ID and Active Directory (issue 15): confirm compromised, revoke
   * sessions, disable the on-premises account, force a password reset, dismiss risk in Entra ID Protection.
   * Security Administrator and up: Cloud App Security Administrator's scope stops at cloud apps.
   */
  respond: ['Global Administrator', 'Security Administrator'],
  /** enable / disable the Azure ATP integration: the seed requires a Global Administrator */
  integrate: ['Global Administrator'],
} as const satisfies Record<string, readonly RoleName[]>;

export type Capability = keyof typeof CAPABILITIES;

export function can(roles: readonly RoleName[], capability: Capability): boolean {
  const allowed: readonly RoleName[] = CAPABILITIES[capability];
  return roles.some((r) => allowed.includes(r));
}

/** The one sentence a denied caller reads: the role needed, the roles they have, who can grant it. */
export function denialMessage(action: string, capability: Capability, roles: readonly RoleName[]): string {
  const needed = CAPABILITIES[capability];
  const need = needed.length === 1 ? `the ${needed[0]} role` : `one of these roles: ${needed.join(', ')}`;
  const have = roles.length ? `You have: ${roles.join(', ')}.` : 'You have no Entra admin role that Hybridwatch recognises.';
  return `${action} needs ${need}. ${have} Nothing was changed. A Privileged Role Administrator or Global Administrator can assign roles in the Entra admin center (Roles and administrators).`;
}
