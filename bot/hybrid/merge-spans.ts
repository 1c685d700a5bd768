import type { NormalizedAlert } from './alert';

/**
 * Groups alerts by start into spans whose candidate windows (start ± `pad`) overlap or touch: one
 * candidate query per span covers every alert of it. A batch of live alerts is one span; a replayed
 * backlog over days is a few, never one query over days of rows.
 */
export function spans<A extends Pick<NormalizedAlert, 'start'>>(alerts: A[], pad: number): Array<{ from: string; to: string; alerts: A[] }> {
  const sorted = alerts.map((a) => ({ a, t: Date.parse(a.start) })).sort((x, y) => x.t - y.t);
  const out: Array<{ lo: number; hi: number; alerts: A[] }> = [];
  for (const { a, t } of sorted) {
    const last = out[out.length - 1];
    if (last && t - pad <= last.hi + pad) {
      last.hi = t;
      last.alerts.push(a);
    } else out.push({ lo: t, hi: t, alerts: [a] });
  }
  return out.map((s) => ({ from: new Date(s.lo - pad).toISOString(), to: new Date(s.hi + pad).toISOString(), alerts: s.alerts }));
}
