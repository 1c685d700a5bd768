/** Teams' per-conversation write limits (per bot): 7/1 s, 8/2 s, 60/30 s, 1800/h. */
export const TEAMS_CONVERSATION_LIMITS: ReadonlyArray<{ max: number; windowMs: number }> = [
  { max: 7, windowMs: 1_000 },
  { max: 8, windowMs: 2_000 },
  { max: 60, windowMs: 30_000 },
  { max: 1800, windowMs: 3_600_000 },
];
/** Per app per tenant: 50 requests per second. */
export const TEAMS_APP_LIMITS = [{ max: 50, windowMs: 1_000 }];

export type Limits = ReadonlyArray<{ max: number; windowMs: number }>;

/**
 * Sliding windows over the times of past sends. `nextAt` is the earliest moment one more send stays
 * within every window; callers record a send when Teams answered it (the answer comes after Teams
 * counted it, so our windows start no earlier than Teams' and we never run ahead of them).
 */
export class SlidingLimiter {
  private times: number[] = [];
  private blockedUntil = 0;
  private readonly longest: number;
  constructor(private readonly limits: Limits, private readonly marginMs = 5) {
    this.longest = Math.max(...limits.map((l) => l.windowMs));
  }

  seed(times: number[]): void {
    this.times = [...this.times, ...times].sort((a, b) => a - b);
  }

  nextAt(now: number): number {
    this.prune(now);
    let at = Math.max(now, this.blockedUntil);
    for (const { max, windowMs } of this.limits) {
      const inWindow = this.times.filter((t) => t > at - windowMs);
      if (inWindow.length >= max) at = Math.max(at, inWindow[inWindow.length - max] + windowMs + this.marginMs);
    }
    return at;
  }

  record(at: number): void {
    this.times.push(at);
  }

  /** Teams said 429: nothing until then. */
  block(until: number): void {
    this.blockedUntil = Math.max(this.blockedUntil, until);
  }

  private prune(now: number): void {
    const cut = now - this.longest;
    let i = 0;
    while (i < this.times.length && this.times[i] <= cut) i++;
    if (i) this.times.splice(0, i);
  }
}
