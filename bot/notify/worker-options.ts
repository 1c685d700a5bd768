import { TEAMS_APP_LIMITS, TEAMS_CONVERSATION_LIMITS, type Limits } from './pacer';

/** Real time for pacing; tests inject a fake sleep to see the waits without waiting. */
export interface WorkerTimer {
  now(): number;
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

export const realTimer: WorkerTimer = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal.aborted) return resolve();
      const t = setTimeout(done, Math.max(0, ms));
      function done() {
        clearTimeout(t);
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done, { once: true });
    }),
};

export interface WorkerOptions {
  instanceId: string;
  pollMs: number;
  batch: number;
  maxLanes: number;
  leaseMs: number;
  conversationLimits: Limits;
  appLimits: Limits;
  /** Attempts for 412/5xx/network errors before a row is given up (429 waits never count). */
  maxAttempts: number;
  backoffBaseMs: number;
  backoffCapMs: number;
  random: () => number;
}

export const DEFAULT_WORKER_OPTIONS: Omit<WorkerOptions, 'instanceId'> = {
  pollMs: 250,
  batch: 25,
  maxLanes: 50,
  leaseMs: 60_000,
  conversationLimits: TEAMS_CONVERSATION_LIMITS,
  appLimits: TEAMS_APP_LIMITS,
  maxAttempts: 8,
  backoffBaseMs: 1_000,
  backoffCapMs: 60_000,
  random: Math.random,
};
