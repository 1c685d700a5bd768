import type { Clock } from '../../clock';
import { GraphSecurityError } from '../../errors';
import type { Sleep } from '../cloud/sleep';

/**
 * One request at a time per interval, in the order callers arrive: for a Graph endpoint family with a
 * tighter limit than the rest (Entra ID Protection: about 1 request a second per tenant, for all apps,
 * and its 429s carry no Retry-After). Each caller reserves the next free slot and sleeps until it; a
 * 429 pushes every later slot back by the backoff. Per instance: two instances each keep their own pace.
 */
export class PaceQueue {
  private next = 0;

  constructor(private readonly clock: Clock, private readonly sleep: Sleep, readonly intervalMs: number, readonly name: string) {}

  /** How long a caller arriving now would wait for its turn. */
  waitMs(): number {
    return Math.max(0, this.next - this.clock.now().getTime());
  }

  /**
   * Wait for this caller's slot. A caller that cannot wait that long (a card action answers within
   * seconds) fails at once, without taking a slot, with the time to wait.
   */
  async turn(maxWaitMs: number, signal?: AbortSignal): Promise<void> {
    const now = this.clock.now().getTime();
    const slot = Math.max(now, this.next);
    const wait = slot - now;
    if (wait > maxWaitMs) {
      const secs = Math.ceil(wait / 1000);
      throw new GraphSecurityError(`${this.name} allows about one request a second and others are queued`, `Try again in ${secs} second${secs === 1 ? '' : 's'}; Hybridwatch paces its calls to ${this.name}`, 429, 'throttled', 'TooManyRequests', wait);
    }
    this.next = slot + this.intervalMs;
    if (wait > 0 && !signal?.aborted) await this.sleep(wait, signal);
  }

  /** Graph said "too many" (without Retry-After): nothing of this family goes out for `ms`. */
  block(ms: number): void {
    this.next = Math.max(this.next, this.clock.now().getTime() + Math.max(0, ms));
  }
}
