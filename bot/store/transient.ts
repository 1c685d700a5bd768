/**
 * Errors that mean "try the same transaction again": PostgreSQL deadlocks and serialization
 * failures (two instances or lanes touching the same rows in another order), SQLite busy.
 */
export function isTransientDbError(e: unknown): boolean {
  const code = (e as { code?: unknown })?.code;
  return code === '40P01' || code === '40001' || code === '55P03' || code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED';
}

/** Run `fn` again on transient errors, with a small jittered backoff; other errors pass through. */
export async function withTransientRetry<T>(fn: () => Promise<T>, attempts = 8, sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (e) {
      if (i >= attempts || !isTransientDbError(e)) throw e;
      await sleep(Math.min(500, 5 * 2 ** i) * (0.5 + Math.random()));
    }
  }
}
