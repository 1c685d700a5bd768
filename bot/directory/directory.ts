import type { RoleName } from './roles';

export interface DirectoryUser {
  aadObjectId: string;
  userPrincipalName: string;
  displayName: string;
  onPremisesSamAccountName?: string;
  onPremisesDomainName?: string;
  onPremisesSecurityIdentifier?: string;
}

/** How an on-prem or cloud source names an account; any subset may be known. */
export interface AccountQuery {
  aadObjectId?: string;
  upn?: string;
  sam?: string;
  domain?: string;
  sid?: string;
  displayName?: string;
}

/**
 * Roles and identities. Implementations throw DirectoryError when they cannot answer: callers must
 * treat that as "no role" for anything privileged (fail closed).
 */
export interface Directory {
  /** Built-in roles the user holds, transitively (group-held roles count). */
  rolesOf(aadObjectId: string): Promise<RoleName[]>;
  getUser(aadObjectId: string): Promise<DirectoryUser | null>;
  /** Users matching an account description; more than one means ambiguous. */
  findUsers(query: AccountQuery): Promise<DirectoryUser[]>;
  /** Every user, where the directory is small enough to list (DIRECTORY_FILE); undefined for Graph. */
  listUsers?(): Promise<Array<DirectoryUser & { roles: RoleName[] }>>;
}
