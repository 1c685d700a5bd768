import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { buildApp } from '../bot/app';
import { FakeClock } from '../bot/clock';
import { loadConfig } from '../bot/config';
import { Rng } from './rng';
import { DAY, END, EVAL_START, T0, type Ev, type Tenant } from './tenant';
import { cefLine, mcasAlert } from './wire';

const TOKEN = 'eval-ingest-token-0123456789abcdef';
const MAX_BATCH = 400;

export interface Announcement {
  user: number;
  at: number;
  /** Attack steps of this user's chain already ingested when the card was announced. */
  stepsIn: number;
}

export interface RunResult {
  announcements: Announcement[];
  /** Daily samples (after the sweep) of the users in a risky state. */
  samples: Array<{ at: number; risky: Set<number> }>;
  /** Final scores (after the last sweep), by user index. */
  scores: Map<number, number>;
  /** The final user_scores row of every chain victim and announced user (for --explain). */
  rows: Map<number, Record<string, unknown>>;
  alerts: number;
  seconds: number;
}

/**
 * Feeds a generated tenant through the REAL ingest path: the app built with buildApp on a temporary
 * SQLite database and a fake clock, on-premises alerts as CEF lines POSTed to /api/ingest/cef and
 * cloud alerts as Cloud App Security alert objects POSTed to /api/ingest/mcas, in time order (batches of
 * at most an hour or 400 alerts, the clock moved to each batch's end). Attack steps go in a request of
 * their own (so "alerts until flagged" is exact).
 * The hourly sweep runs once per simulated day. Labels never leave this file's bookkeeping.
 */
export async function runTenant(t: Tenant): Promise<RunResult> {
  const t0 = Date.now();
  // A RAM-backed folder when there is one: the eval measures the model, not the disk's fsync.
  const dir = fs.mkdtempSync(path.join(fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir(), 'hw-eval-'));
  const directoryFile = path.join(dir, 'directory.json');
  fs.writeFileSync(
    directoryFile,
    JSON.stringify({ users: t.users.map((u) => ({ aadObjectId: u.aadObjectId, userPrincipalName: u.upn, displayName: u.displayName, onPremisesSamAccountName: u.sam, onPremisesDomainName: 'contoso.local', roles: u.roles })) }),
  );
  const clock = new FakeClock(new Date(T0));
  const app = await buildApp(loadConfig({ DATA_DIR: dir, DIRECTORY_FILE: directoryFile, PORT: '0', SYSLOG_UDP_PORT: '0', SYSLOG_TCP_PORT: '0', INGEST_TOKEN: TOKEN, LOG_LEVEL: 'silent' }), { clock, log: pino({ level: 'silent' }) });
  const base = await app.start();
  const keyToUser = new Map(t.users.map((u) => [`aad:${u.aadObjectId.toLowerCase()}`, u.i]));
  const stepsIn = new Map<number, number>();
  const announcements: Announcement[] = [];
  app.services.events.on(async (_trx, e) => {
    if (e.type !== 'user.risky') return;
    const u = keyToUser.get(e.userKey);
    if (u !== undefined) announcements.push({ user: u, at: clock.now().getTime(), stepsIn: stepsIn.get(u) ?? 0 });
  });
  const hybrid = app.features.find((f) => f.name === 'hybrid') as unknown as { sweep(): Promise<unknown> };
  const rng = new Rng(t.seed * 31 + 17);
  const policyIds = new Map<string, string>();
  const samples: RunResult['samples'] = [];
  try {
    await app.services.integration.enable({ id: 'eval', name: 'Eval' });
    const post = async (p: string, type: string, body: string): Promise<void> => {
      const res = await fetch(`${base}${p}`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': type }, body });
      const json = (await res.json()) as { rejected?: unknown[] };
      // A well-behaved client: on 429 wait what Retry-After says, then send the same batch again.
      if (res.status === 429) {
        await new Promise((r) => setTimeout(r, 1000 * Number(res.headers.get('retry-after') ?? 1)));
        return post(p, type, body);
      }
      if (res.status !== 200 || json.rejected?.length) throw new Error(`${p} answered ${res.status}: ${JSON.stringify(json).slice(0, 300)}`);
    };
    // One request per side per batch (a batch spans at most an hour): on-premises first, then cloud.
    const send = async (batch: Ev[]) => {
      if (!batch.length) return;
      clock.set(new Date(Math.max(clock.now().getTime(), batch[batch.length - 1].at + 1000)));
      const onprem = batch.filter((e) => e.kind.side === 'onprem');
      const cloud = batch.filter((e) => e.kind.side === 'cloud');
      if (onprem.length) await post('/api/ingest/cef', 'text/plain', onprem.map((e) => cefLine(e, t.users[e.user], rng)).join('\n'));
      if (cloud.length) await post('/api/ingest/mcas', 'application/json', JSON.stringify(cloud.map((e) => mcasAlert(e, t.users[e.user], rng, policyIds))));
    };
    let pending: Ev[] = [];
    let nextDay = T0 + DAY;
    for (const e of t.events) {
      while (e.at >= nextDay) {
        await send(pending);
        pending = [];
        clock.set(new Date(nextDay));
        await hybrid.sweep();
        if (nextDay >= EVAL_START) samples.push({ at: nextDay, risky: await riskySet(app, keyToUser) });
        nextDay += DAY;
      }
      if (e.label) {
        await send(pending);
        pending = [];
        stepsIn.set(e.user, e.label.step);
        await send([e]);
        continue;
      }
      pending.push(e);
      if (pending.length >= MAX_BATCH || (pending.length && e.at - pending[0].at > 3_600_000)) {
        await send(pending);
        pending = [];
      }
    }
    await send(pending);
    clock.set(new Date(END));
    await hybrid.sweep();
    samples.push({ at: END, risky: await riskySet(app, keyToUser) });
    const all = await app.store.db.selectFrom('user_scores').selectAll().execute();
    const scores = new Map<number, number>();
    const rows = new Map<number, Record<string, unknown>>();
    const interesting = new Set([...t.chains.map((c) => c.user), ...announcements.map((a) => a.user)]);
    for (const r of all) {
      const u = keyToUser.get(r.user_key);
      if (u === undefined) continue;
      scores.set(u, Number(r.score_centi) / 100);
      if (interesting.has(u)) rows.set(u, r);
    }
    return { announcements, samples, scores, rows, alerts: t.events.length, seconds: (Date.now() - t0) / 1000 };
  } finally {
    await app.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function riskySet(app: Awaited<ReturnType<typeof buildApp>>, keyToUser: Map<string, number>): Promise<Set<number>> {
  const rows = await app.store.db.selectFrom('user_scores').select('user_key').where('risky_state', '=', 'risky').execute();
  return new Set(rows.map((r) => keyToUser.get(r.user_key)).filter((u): u is number => u !== undefined));
}
