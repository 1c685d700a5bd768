import type { Clock } from '../../clock';

/** Waits `ms`; resolves early (without error) when `signal` aborts so shutdown is never held up. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/**
 * A clock that also owns waiting. Production uses real timers; tests pass a fake clock whose
 * `sleep` moves fake time, so minutes of rate limiting and Retry-After run in milliseconds.
 */
export interface SleepingClock extends Clock {
  sleep: Sleep;
}

export const realSleep: Sleep = (ms, signal) =>
  new Promise((resolve) => {
    if (signal?.aborted || ms <= 0) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

/** The clock's own sleep when it has one, else real timers. */
export function sleepFor(clock: Clock): Sleep {
  const s = (clock as Partial<SleepingClock>).sleep;
  return typeof s === 'function' ? s.bind(clock) : realSleep;
}
