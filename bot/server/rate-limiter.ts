/**
 * Per-client token buckets (ingest endpoints): a misbehaving script cannot starve the others.
 * Bounded memory: the least recently seen clients are forgotten past maxClients.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(private readonly perSecond: number, private readonly burst: number, private readonly now: () => number = Date.now, private readonly maxClients = 10_000) {}

  /** 0 when allowed; otherwise the milliseconds until a token is available. */
  take(client: string): number {
    const t = this.now();
    let b = this.buckets.get(client);
    if (b) this.buckets.delete(client);
    else b = { tokens: this.burst, at: t };
    b.tokens = Math.min(this.burst, b.tokens + ((t - b.at) / 1000) * this.perSecond);
    b.at = t;
    this.buckets.set(client, b);
    if (this.buckets.size > this.maxClients) this.buckets.delete(this.buckets.keys().next().value!);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - b.tokens) / this.perSecond) * 1000);
  }
}
