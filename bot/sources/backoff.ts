/** How long any source waits for a Retry-After at most (a server asking for hours is capped). */
export const MAX_RETRY_WAIT_MS = 5 * 60_000;

/** Exponential backoff with jitter: 1 s, 2 s, 4 s … capped at 60 s, each between half and full. */
export function backoffMs(attempt: number, random: () => number = Math.random): number {
  const cap = Math.min(60_000, 1_000 * 2 ** (attempt - 1));
  return Math.round(cap / 2 + random() * (cap / 2));
}

/** A Retry-After header (seconds, may be fractional, or an HTTP date) in ms from `nowMs`; null when absent or unreadable. */
export function retryAfterMs(header: string | null, nowMs: number, max = MAX_RETRY_WAIT_MS): number | null {
  if (!header) return null;
  const secs = Number(header);
  if (Number.isFinite(secs) && secs >= 0) return Math.min(max, Math.ceil(secs * 1000));
  const at = Date.parse(header);
  if (Number.isNaN(at)) return null;
  return Math.min(max, Math.max(0, at - nowMs));
}
