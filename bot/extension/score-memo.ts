import { snapshot, type Scored, type ViewDeps } from '../hybrid/views';

/** How long the compose box reuses everyone's scores: one computation serves a burst of keystrokes. */
export const SCORE_MEMO_MS = 15_000;

/**
 * Everyone's current investigation priority (views.snapshot) for the user search, kept for a few
 * seconds: Teams sends a search per keystroke, and the snapshot scores every user of the last 7 days.
 * Forgotten on every alert this instance records, so only other instances' alerts can be up to
 * SCORE_MEMO_MS late here (the inserted card says when it was drawn).
 */
export class ScoreMemo {
  private memo: { at: number; all: Promise<Scored[]> } | null = null;

  constructor(private readonly views: ViewDeps, private readonly ttlMs = SCORE_MEMO_MS) {}

  get(now: Date): Promise<Scored[]> {
    const t = now.getTime();
    if (this.memo && t >= this.memo.at && t - this.memo.at < this.ttlMs) return this.memo.all;
    const all = snapshot(this.views, now);
    this.memo = { at: t, all };
    // A failed computation is not kept.
    all.catch(() => {
      if (this.memo?.all === all) this.memo = null;
    });
    return all;
  }

  forget(): void {
    this.memo = null;
  }
}
