import type { Clock } from '../../clock';
import { GraphSecurityError } from '../../errors';
import type { Sleep } from '../cloud/sleep';

/**
 * Graph throttles per app: a Retry-After on one security call holds for every security call of this
 * instance (the poller, the health reader, a card action, issue 15's identity actions), not only the one
 * answered. Every call passes this gate first.
 */
export class ThrottleGate {
  private until = 0;

  constructor(private readonly clock: Clock, private readonly sleep: Sleep) {}

  /** Nothing goes out for `ms` from now (a longer block already in place stays). */
  block(ms: number): void {
    this.until = Math.max(this.until, this.clock.now().getTime() + Math.max(0, ms));
  }

  /** How long calls must still wait. */
  waitMs(): number {
    return Math.max(0, this.until - this.clock.now().getTime());
  }

  /**
   * Wait until calls may go out. A call that cannot wait that long (a card action must answer within
   * seconds) fails at once with the time to wait, instead of holding the person up.
   */
  async pass(maxWaitMs: number, signal?: AbortSignal): Promise<void> {
    for (let w = this.waitMs(); w > 0; w = this.waitMs()) {
      if (w > maxWaitMs) {
        const secs = Math.ceil(w / 1000);
        throw new GraphSecurityError('Microsoft Graph asked Hybridwatch to slow down (HTTP 429)', `Try again in ${secs} second${secs === 1 ? '' : 's'}; Hybridwatch waits as Graph asks (Retry-After)`, 429, 'throttled', 'TooManyRequests', w);
      }
      if (signal?.aborted) return;
      await this.sleep(w, signal);
    }
  }
}
