import type { Clock } from '../../clock';
import type { Logger } from '../../log';

export const BAD_INPUT_LOG_WINDOW_MS = 60_000;

/**
 * Bad messages are logged once per reason per minute (with how many were suppressed since), so a
 * flood of garbage cannot flood the log; every one is still counted in /metrics.
 */
export class BadInputLog {
  private readonly last = new Map<string, { at: number; suppressed: number }>();

  constructor(private readonly log: Logger, private readonly clock: Clock, private readonly windowMs = BAD_INPUT_LOG_WINDOW_MS) {}

  /** true when this call wrote a log line. */
  note(reason: string, source: string, detail: string, raw?: Buffer | string): boolean {
    const now = this.clock.now().getTime();
    const e = this.last.get(reason);
    if (e && now - e.at < this.windowMs) {
      e.suppressed++;
      return false;
    }
    this.last.set(reason, { at: now, suppressed: 0 });
    this.log.warn({ reason, source, detail, sample: sample(raw), suppressedSinceLast: e?.suppressed ?? 0 }, `on-premises message refused (${reason}); further ones are counted in hybridwatch_ingest_rejected_total and logged at most once a minute`);
    return true;
  }
}

/** The first bytes, printable only: enough to recognise the sender, never a wall of binary. */
function sample(raw: Buffer | string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const s = typeof raw === 'string' ? raw.slice(0, 160) : raw.subarray(0, 160).toString('latin1');
  return s.replace(/[^\x20-\x7e]/g, '.');
}
