import type { Clock } from '../../clock';
import type { Sleep } from './sleep';

/** Where the limiter keeps its recent spends so a restart does not forget the last minute. */
export interface SpendLog {
  load(): Promise<number[]>;
  save(times: number[]): Promise<void>;
}

/**
 * Cloud App Security allows 30 requests per minute per tenant. This is a token bucket whose tokens
 * come back one window after they were spent (a rolling window), which — unlike a refilling bucket
 * with a burst — can never put more than `capacity` requests into any 60 s span. A token counts as
 * spent when its request *completes*: the server saw it no later than that, so the guarantee holds
 * on the server's clock too.
 */
export class RollingTokenBucket {
  private spent: number[] = [];
  private inFlight = 0;
  private loaded: Promise<void> | null = null;
  private waiters: Array<() => void> = [];
  private saving: Promise<void> = Promise.resolve();

  constructor(
    private readonly clock: Clock,
    private readonly sleep: Sleep,
    readonly capacity = 30,
    readonly windowMs = 60_000,
    private readonly log?: SpendLog,
  ) {}

  /** Tokens free right now. */
  available(): number {
    this.prune();
    return this.capacity - this.inFlight - this.spent.length;
  }

  /**
   * Take a token (waiting as long as needed); call the returned function when the request is over.
   * `reserve`: wait while no more than that many tokens are free, so background work (a long poll)
   * always leaves room for calls a person is waiting for.
   */
  async acquire(signal?: AbortSignal, reserve = 0): Promise<() => void> {
    if (this.log) this.loaded ??= this.log.load().then((t) => void this.spent.push(...t.filter((x) => Number.isFinite(x)))).catch(() => undefined);
    await this.loaded;
    for (;;) {
      if (signal?.aborted) throw new Error('aborted');
      if (this.available() > reserve) break;
      if (this.spent.length > 0) {
        // +1: the token is free strictly after the window, matching a server that counts (t-60 s, t].
        await this.sleep(Math.max(1, this.spent[0] + this.windowMs + 1 - this.clock.now().getTime()), signal);
      } else {
        await new Promise<void>((r) => this.waiters.push(r));
      }
    }
    this.inFlight++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inFlight--;
      this.spent.push(this.clock.now().getTime());
      this.spent.sort((a, b) => a - b);
      if (this.log) {
        const snapshot = [...this.spent];
        this.saving = this.saving.then(() => this.log!.save(snapshot)).catch(() => undefined);
      }
      this.waiters.splice(0).forEach((w) => w());
    };
  }

  /** Resolves when the spends so far are saved (called on shutdown). */
  flush(): Promise<void> {
    return this.saving;
  }

  private prune(): void {
    const cutoff = this.clock.now().getTime() - this.windowMs;
    while (this.spent.length && this.spent[0] <= cutoff) this.spent.shift();
  }
}
