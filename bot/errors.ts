/**
 * Typed errors with a status and a fix-it sentence (bolt's CodedError). One place, toUserMessage,
 * turns any error into what a Teams user reads; nothing else formats errors for users.
 */
export class CodedError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly fix: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The directory (Graph or DIRECTORY_FILE) could not answer: privileged actions fail closed. */
export class DirectoryError extends CodedError {
  constructor(message: string, fix: string, status?: number) {
    super('directory_unavailable', message, fix, status);
  }
}

/** Cloud App Security answered with an error. */
export class McasError extends CodedError {
  constructor(message: string, fix: string, status?: number, readonly retryAfterMs?: number) {
    super('mcas_error', message, fix, status);
  }
}

/**
 * Microsoft Graph's security API (alerts_v2, Defender for Identity, and what issue 15 adds) answered with
 * an error. `graphCode` is Graph's `error.code`; `problem` is what a person should hear: the tenant is
 * not onboarded, the app lacks a permission, Graph is throttling or down.
 */
export class GraphSecurityError extends CodedError {
  constructor(
    message: string,
    fix: string,
    status?: number,
    readonly problem: GraphProblem = 'error',
    readonly graphCode?: string,
    readonly retryAfterMs?: number,
  ) {
    super('graph_security_error', message, fix, status);
  }
}

export type GraphProblem = 'notOnboarded' | 'forbidden' | 'unauthorized' | 'throttled' | 'unavailable' | 'notFound' | 'rejected' | 'error';

/** Bad input from outside (activity, ingest line): reported, never thrown past the boundary. */
export class InputError extends CodedError {
  constructor(message: string, fix = 'Check the input format.') {
    super('bad_input', message, fix, 400);
  }
}

export function toUserMessage(err: unknown): string {
  if (err instanceof DirectoryError) {
    return `I could not verify your directory role (${err.message}), so nothing was changed. ${err.fix}`;
  }
  // One sentence: what Graph said, then the fix (403 → the application permission that is missing).
  if (err instanceof GraphSecurityError) return `${err.message} — ${err.fix.replace(/\.$/, '')}.`;
  if (err instanceof CodedError) return `${err.message}. ${err.fix}`;
  return 'Something went wrong on my side and nothing was changed. Try again; if it persists, an administrator can check the Hybridwatch logs.';
}
