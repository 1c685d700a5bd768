import { randomUUID } from 'node:crypto';

/**
 * The loop every polling source shares: `pollOnce()` calls are serialized (a second call waits for the
 * first, then polls again); `start()` polls every interval, the first one interval after start; `stop()`
 * stops the timer, cancels waits and the request in flight through `abort` (a page already being
 * written commits) and then runs `afterStop` (free the lease).
 */
export abstract class SerialPoller<R> {
  private chain: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;
  protected abort = new AbortController();
  private stopped = false;
  started = false;
  /** This instance, as a lease owner. */
  protected readonly owner = randomUUID();

  constructor(private readonly intervalMs: number) {}

  /** One full poll (all pages). */
  protected abstract poll(): Promise<R>;

  /** After stop: e.g. release the poll lease so another instance takes over at once. */
  protected async afterStop(): Promise<void> {}

  pollOnce(): Promise<R> {
    const run = this.chain.catch(() => undefined).then(() => this.poll());
    this.chain = run;
    return run;
  }

  start(): void {
    if (this.abort.signal.aborted) this.abort = new AbortController();
    this.stopped = false;
    this.started = true;
    const tick = () => {
      this.timer = setTimeout(() => {
        this.timer = null;
        void this.pollOnce().finally(() => {
          if (!this.stopped) tick();
        });
      }, this.intervalMs);
    };
    tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.started = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.abort.abort();
    await this.chain.catch(() => undefined);
    await this.afterStop().catch(() => undefined);
  }
}
