import { CLOUD, CLOUD_NOISE, HELPDESK, HIGH_FP_SERVICE, HIGH_FP_USER, ONPREM, ONPREM_NOISE, RARE_NOISE, STEPS, severityOf, type Kind, type Sev } from './kinds';
import { Rng } from './rng';

export const PROFILES = ['quiet', 'noisy-vpn', 'spray', 'fp-high', 'helpdesk'] as const;
export type Profile = (typeof PROFILES)[number];

export const DAY = 86_400_000;
export const HOUR = 3_600_000;
/** Day 0 of every tenant; days 0–29 are baseline history, days 30–36 the evaluation week. */
export const T0 = Date.UTC(2026, 0, 5);
export const HISTORY_DAYS = 30;
export const EVAL_DAYS = 7;
export const EVAL_START = T0 + HISTORY_DAYS * DAY;
export const END = EVAL_START + EVAL_DAYS * DAY;

export interface User {
  i: number;
  /** A service account: on-premises only, never signs in to cloud apps (no cloud alerts). */
  service: boolean;
  aadObjectId: string;
  upn: string;
  sam: string;
  displayName: string;
  roles: string[];
}

/** A label the model never sees: which chain (and step) an alert belongs to. */
export interface Label {
  chain: number;
  kind: 'full' | 'two-step';
  step: number;
  steps: number;
}

export interface Ev {
  at: number;
  user: number;
  kind: Kind;
  severity: Sev;
  label?: Label;
}

export interface Chain {
  id: number;
  kind: 'full' | 'two-step';
  user: number;
  start: number;
  steps: Kind[];
}

export interface Tenant {
  profile: Profile;
  seed: number;
  users: User[];
  events: Ev[];
  chains: Chain[];
  /** For the report: users outside any chain with an on-prem credential-access / lateral-movement alert followed by a cloud alert within 48 h in the evaluation week. */
  chanceChains: number;
}

const ON_PREM_PER_WEEK = 1.2;
const CLOUD_PER_WEEK = 0.35;

/** `rareFp` multiplies the rare false-positive rates (lateral movement noise, the fp-high profile): a stress knob. */
export function generate(profile: Profile, seed: number, size: number, rareFp = 1): Tenant {
  const rng = new Rng(seed * 1009 + PROFILES.indexOf(profile) * 7919 + size);
  const users: User[] = Array.from({ length: size }, (_, i) => ({
    i,
    service: i % 100 === 42 || i === size - 1,
    aadObjectId: rng.guid(),
    upn: `user${i}@contoso.com`,
    sam: `user${i}`,
    displayName: i % 100 === 42 || i === size - 1 ? `svc-app${i}` : `Eval User ${i}`,
    roles: i % 200 === 7 ? ['Global Administrator'] : i % 60 === 3 ? ['Security Administrator'] : [],
  }));
  const events: Ev[] = [];
  const emit = (at: number, user: number, kind: Kind, label?: Label) => events.push({ at: Math.round(at), user, kind, severity: severityOf(kind, rng), ...(label ? { label } : {}) });
  const quiet = profile === 'quiet' ? 0.3 : 1;
  // Most users 0–3 alerts a week, some far more: a per-user activity level (log-normal).
  const activity = users.map(() => Math.exp(0.8 * rng.normal() - 0.32));
  const days = HISTORY_DAYS + EVAL_DAYS;
  for (let d = 0; d < days; d++) {
    for (const u of users) {
      const a = activity[u.i] * quiet;
      for (let k = rng.poisson((ON_PREM_PER_WEEK / 7) * a); k > 0; k--) emit(T0 + d * DAY + workTime(rng), u.i, rng.weighted(ONPREM_NOISE));
      for (let k = u.service ? 0 : rng.poisson((CLOUD_PER_WEEK / 7) * a); k > 0; k--) emit(T0 + d * DAY + rng.between(0, DAY), u.i, rng.weighted(CLOUD_NOISE));
      for (const [kind, perWeek] of RARE_NOISE) if (rng.chance((perWeek / 7) * quiet * rareFp)) emit(T0 + d * DAY + workTime(rng), u.i, kind);
    }
  }
  const ordinary = users.filter((u) => !u.roles.length && !u.service).map((u) => u.i);
  const services = users.filter((u) => u.service).map((u) => u.i);
  const taken = new Set<number>();
  const anyone = () => {
    let u: number;
    do u = rng.pick(users).i;
    while (taken.has(u) || users[u].service);
    taken.add(u);
    return u;
  };

  if (profile === 'noisy-vpn') {
    const u = rng.pick(ordinary);
    taken.add(u);
    for (let d = 0; d < days; d++) for (let k = rng.int(2, 3); k > 0; k--) emit(T0 + d * DAY + workTime(rng), u, ONPREM.vpn);
  }
  if (profile === 'spray') {
    // One spray in the history, one in the evaluation week: a third of the users within two hours.
    for (const day of [rng.int(8, 20), HISTORY_DAYS + rng.int(1, 4)]) {
      const kind = rng.chance(0.6) ? ONPREM.kerbBf : ONPREM.ldapBf;
      const at = T0 + day * DAY + rng.between(1, 5) * HOUR;
      for (const u of users) {
        if (!rng.chance(0.33)) continue;
        emit(at + rng.between(0, 2) * HOUR, u.i, kind);
        if (rng.chance(0.1)) emit(at + rng.between(0, 6) * HOUR, u.i, CLOUD.failedLogins);
      }
    }
  }
  if (profile === 'fp-high') {
    const n = Math.max(3, Math.round((size / 300) * (days / 7) * rareFp));
    for (let k = 0; k < n; k++) {
      const service = rng.chance(0.4);
      emit(T0 + rng.between(0, days) * DAY, service ? rng.pick(services) : anyone(), rng.pick(service ? HIGH_FP_SERVICE : HIGH_FP_USER));
    }
  }
  if (profile === 'helpdesk') {
    const staff = Array.from({ length: Math.max(4, Math.round(size * 0.02)) }, () => anyone());
    for (const u of staff) {
      users[u].roles = rng.chance(0.5) ? ['Security Operator'] : [];
      for (let d = 0; d < days; d++) for (let k = rng.poisson(2.2); k > 0; k--) emit(T0 + d * DAY + workTime(rng), u, rng.weighted(HELPDESK));
    }
  }

  // Labelled attacks in the evaluation week (each victim once; victims keep their everyday noise).
  const chains: Chain[] = [];
  const fulls = size >= 2500 ? 5 : 3;
  const twos = size >= 2500 ? 10 : 5;
  for (let c = 0; c < fulls + twos; c++) {
    const kind: Chain['kind'] = c < fulls ? 'full' : 'two-step';
    const user = anyone();
    const start = EVAL_START + rng.between(0.2, 4.5) * DAY;
    const steps: Array<[Kind, number]> = [];
    if (kind === 'full') {
      const t1 = start + rng.between(0.2, 6) * HOUR;
      const t2 = t1 + rng.between(0.5, 12) * HOUR;
      const t3 = t2 + rng.between(0.5, 30) * HOUR;
      steps.push([rng.pick(STEPS.recon), start], [rng.pick(STEPS.bruteForce), t1], [rng.pick(STEPS.lateral), t2], [rng.pick(STEPS.cloudAccess), t3], [rng.pick(STEPS.cloudAction), t3 + rng.between(0.2, 10) * HOUR]);
    } else {
      steps.push([rng.pick(STEPS.lateral), start], [rng.pick(STEPS.cloudAccess), start + rng.between(0.5, 40) * HOUR]);
    }
    steps.forEach(([k, at], step) => emit(at, user, k, { chain: c, kind, step: step + 1, steps: steps.length }));
    chains.push({ id: c, kind, user, start, steps: steps.map(([k]) => k) });
  }
  events.sort((x, y) => x.at - y.at || x.user - y.user);
  return { profile, seed, users, events, chains, chanceChains: chance(events, new Set(chains.map((c) => c.user))) };
}

/** Office hours mostly (08–19 UTC), some at night. */
function workTime(rng: Rng): number {
  return (rng.chance(0.85) ? rng.between(8, 19) : rng.between(0, 24)) * HOUR;
}

function chance(events: Ev[], victims: Set<number>): number {
  const hit = new Set<number>();
  const byUser = new Map<number, Ev[]>();
  for (const e of events) if (e.at >= EVAL_START - 2 * DAY && !victims.has(e.user)) byUser.set(e.user, [...(byUser.get(e.user) ?? []), e]);
  for (const [u, es] of byUser) {
    for (const a of es) {
      if (!a.kind.chainStart) continue;
      if (es.some((b) => b.kind.side === 'cloud' && b.at >= a.at && b.at <= a.at + 48 * HOUR && b.at >= EVAL_START)) hit.add(u);
    }
  }
  return hit.size;
}
