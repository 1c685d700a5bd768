import { systemClock, type Clock } from '../clock';

/**
 * Directory lookups happen inside the ledger transaction; a directory that is down (Graph retries a
 * 503 for many seconds) must not hold every alert's transaction. After one failure, callers skip the
 * directory for `openMs` and fail soft (unresolved / last known impact) instead.
 */
export class Breaker {
  private openUntil = 0;
  lastError: string | null = null;

  constructor(private readonly clock: Clock = systemClock, private readonly openMs = 60_000) {}

  isOpen(): boolean {
    return this.clock.now().getTime() < this.openUntil;
  }

  trip(err: unknown): void {
    this.lastError = (err as Error)?.message ?? String(err);
    this.openUntil = this.clock.now().getTime() + this.openMs;
  }

  reset(): void {
    this.openUntil = 0;
  }
}
