import type { RunResult } from './run';
import { DAY, EVAL_START, T0, type Tenant } from './tenant';

export interface Figures {
  fullRecall: number;
  twoStepRecall: number;
  precision: number | null;
  announced: number;
  falsePositives: number;
  /** 1-based rank, by final score, of the first user outside any chain (null: nobody else scored). */
  firstFalsePositiveRank: number | null;
  /** Per flagged chain: attack steps ingested when the user was announced, as "k/n". */
  alertsUntilFlagged: string[];
  flaps: number;
  singleTypeFlagged: number;
  /** Announcements during the first 7 days of history (cold start: the baseline is still learning). */
  coldStartAnnouncements: number;
  /** Announcements during days 7–29 of history (steady state before the evaluation week; not part of the aims). */
  historyAnnouncements: number;
  chanceChains: number;
}

export const AIMS = { fullRecall: 1, twoStepRecall: 0.8, precision: 0.8 };

export function figures(t: Tenant, r: RunResult): Figures {
  const chainOf = new Map(t.chains.map((c) => [c.user, c]));
  const inEval = r.announcements.filter((a) => a.at >= EVAL_START);
  const firstAfterStart = (c: Tenant['chains'][number]) => inEval.find((a) => a.user === c.user && a.at >= c.start);
  const recall = (kind: 'full' | 'two-step') => {
    const cs = t.chains.filter((c) => c.kind === kind);
    return cs.length ? cs.filter((c) => firstAfterStart(c)).length / cs.length : 1;
  };
  const announcedUsers = [...new Set(inEval.map((a) => a.user))];
  const tp = announcedUsers.filter((u) => {
    const c = chainOf.get(u);
    return !!c && inEval.some((a) => a.user === u && a.at >= c.start);
  });
  const ranked = [...r.scores.entries()].filter(([, s]) => s > 0).sort((a, b) => b[1] - a[1] || a[0] - b[0]);
  const fpIdx = ranked.findIndex(([u]) => !chainOf.has(u));
  // Flaps: announced twice, or dropped from risky while every alert that was in its 7-day window at the
  // announcement is still in the window (dropped although the same evidence stands).
  let flaps = 0;
  for (const u of announcedUsers) {
    const mine = inEval.filter((a) => a.user === u);
    const evidence = t.events.filter((e) => e.user === u && e.at <= mine[0].at && e.at > mine[0].at - 7 * DAY);
    const stands = Math.min(...evidence.map((e) => e.at)) + 7 * DAY;
    const dropped = r.samples.some((s) => s.at > mine[0].at && s.at < stands && !s.risky.has(u));
    if (mine.length > 1 || dropped) flaps++;
  }
  const singleType = announcedUsers.filter((u) => {
    const at = inEval.find((a) => a.user === u)!.at;
    return new Set(t.events.filter((e) => e.user === u && e.at <= at && e.at > at - 7 * DAY).map((e) => e.kind.key)).size < 2;
  }).length;
  return {
    fullRecall: recall('full'),
    twoStepRecall: recall('two-step'),
    precision: announcedUsers.length ? tp.length / announcedUsers.length : null,
    announced: announcedUsers.length,
    falsePositives: announcedUsers.length - tp.length,
    firstFalsePositiveRank: fpIdx < 0 ? null : fpIdx + 1,
    alertsUntilFlagged: t.chains.flatMap((c) => {
      const a = firstAfterStart(c);
      return a ? [`${a.stepsIn}/${c.steps.length}`] : [];
    }),
    flaps,
    singleTypeFlagged: singleType,
    coldStartAnnouncements: r.announcements.filter((a) => a.at < T0 + 7 * DAY).length,
    historyAnnouncements: r.announcements.filter((a) => a.at >= T0 + 7 * DAY && a.at < EVAL_START).length,
    chanceChains: t.chanceChains,
  };
}

export function meetsAims(f: Figures): string[] {
  const miss: string[] = [];
  if (f.fullRecall < AIMS.fullRecall) miss.push('full-chain recall');
  if (f.twoStepRecall < AIMS.twoStepRecall) miss.push('two-step recall');
  if (f.precision === null || f.precision < AIMS.precision) miss.push('precision');
  if (f.singleTypeFlagged > 0) miss.push('single-type user flagged');
  if (f.flaps > 0) miss.push('flapping');
  return miss;
}

/** --explain: why each chain was missed and each false positive flagged (from the final user_scores rows). */
export function explainRun(t: Tenant, r: RunResult): string[] {
  const out: string[] = [];
  const inEval = r.announcements.filter((a) => a.at >= EVAL_START);
  const chainOf = new Map(t.chains.map((c) => [c.user, c]));
  const row = (u: number) => {
    const x = r.rows.get(u);
    if (!x) return 'no score row';
    const reasons = (() => {
      try {
        return (JSON.parse(String(x.reasons ?? '[]')) as Array<{ type: string; severity: string; points: number; count?: number }>).map((y) => `${y.type}:${y.severity[0]}:${y.points}${y.count && y.count > 1 ? `x${y.count}` : ''}`).join(' ');
      } catch {
        return '';
      }
    })();
    return `score ${Number(x.score_centi) / 100} state ${x.risky_state} tactics ${x.tactics ?? '?'} chain ${x.chain ?? 'none'} reasons ${reasons}`;
  };
  for (const c of t.chains) {
    if (inEval.some((a) => a.user === c.user && a.at >= c.start)) continue;
    const evs = t.events.filter((e) => e.user === c.user && e.at > c.start - 7 * DAY).map((e) => `${e.kind.key}:${e.severity[0]}${e.label ? '*' : ''}`);
    out.push(`  missed ${c.kind} chain, user ${c.user}: ${evs.join(' ')} | ${row(c.user)}`);
  }
  for (const u of new Set(inEval.map((a) => a.user))) {
    const c = chainOf.get(u);
    if (c && inEval.some((a) => a.user === u && a.at >= c.start)) continue;
    const at = inEval.find((a) => a.user === u)!.at;
    const evs = t.events.filter((e) => e.user === u && e.at <= at && e.at > at - 7 * DAY).map((e) => `${e.kind.key}:${e.severity[0]}`);
    out.push(`  false positive user ${u}: ${evs.join(' ')} | ${row(u)}`);
  }
  return out;
}
