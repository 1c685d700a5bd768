import net from 'node:net';
import { pgSchema, percentile, tempDir } from './bench-util';
import { atpLine, benchId, captureConnector, sendAll, startAppProcess, subscribeChannel, type AppProcess } from './app-process';

const env = (k: string, d: number) => (process.env[k] ? Number(process.env[k]) : d);
/** Alerts for the sustained-rate measure (phase 1). */
const WARMUP = env('BENCH_CARD_WARMUP_ALERTS', 10_000);
/** Ingest rate of phase 2; default 80 % of the sustained rate measured in phase 1. */
const FIXED_RATE = env('BENCH_CARD_RATE', 0);
const SECONDS = env('BENCH_CARD_SECONDS', 30);
/**
 * One high-severity probe alert every this many ms. A channel gets 20 cards a clock minute before the rest
 * go into a digest (no card of their own): keep the probes of any minute ≤ 20 (default: 15 in 30 s).
 */
const PROBE_MS = env('BENCH_CARD_PROBE_MS', 2000);
const CHANNELS = env('BENCH_CARD_CHANNELS', 4);
const USERS = 2000;

/**
 * Ingest → first card POST while ingesting at 80 % of the sustained rate (issue 16). The real app
 * (`node dist/bot/index.js`, local mode) with CHANNELS SOC channels subscribed at `high` and a loopback
 * Bot Connector. Phase 1 measures the sustained rate (WARMUP low-severity alerts over 4 TCP connections
 * as fast as TCP takes them; the rate once every one of the USERS users has been seen, until all are counted). Phase 2 sends low-severity alerts (no card) over one
 * TCP connection at the fixed rate and, every PROBE_MS, one high-severity alert in the same stream; a
 * sample is from writing the probe to the socket until its card (POST /v3/conversations naming its id)
 * reaches the connector, per channel. RISKY_MIN_SCORE is out of reach so risky-user cards do not share
 * the channels' pacing with the alert cards.
 */
async function once(o: { dataDir: string; databaseUrl?: string }, run: number): Promise<Record<string, number | string>> {
  const probes = new Map<string, number>();
  const samples: number[] = [];
  const seen = new Set<string>();
  const conn = await captureConnector((body, at) => {
    for (const [id, sent] of probes) {
      if (!body.includes(id)) continue;
      const channel = /"channel":\{"id":"([^"]+)"/.exec(body)?.[1] ?? '';
      if (seen.has(`${id} ${channel}`)) continue;
      seen.add(`${id} ${channel}`);
      samples.push(at - sent);
    }
  });
  let app: AppProcess | null = null;
  try {
    app = await startAppProcess({ ...o, env: { RISKY_MIN_SCORE: '1000000' } });
    for (let c = 0; c < CHANNELS; c++) await subscribeChannel(app.url, conn.url, `19:soc${c}@thread.tacv2`, 'high');
    const a = app;
    const counted = () => a.metric('hybridwatch_ingest_total', { source: 'tcp' });

    // Phase 1: the sustained rate.
    const warm = Array.from({ length: WARMUP }, (_, i) => atpLine(benchId(run, 1, i), { severity: 3, user: `CONTOSO\\u${i % USERS}` }));
    // Timed from when every user has been seen once (the first USERS alerts create their rows) to the end:
    // the steady rate of a backlog, not the cold start.
    const sending = Promise.all([0, 1, 2, 3].map((k) => sendAll(a.syslogPort, Buffer.from(warm.filter((_, i) => i % 4 === k).join('\n') + '\n'))));
    let n = 0;
    while ((n = await counted()) < USERS) await new Promise((r) => setTimeout(r, 20));
    const t0 = Date.now();
    const n0 = n;
    while ((await counted()) < WARMUP) await new Promise((r) => setTimeout(r, 20));
    await sending;
    const sustained = (WARMUP - n0) / ((Date.now() - t0) / 1000);
    const rate = FIXED_RATE > 0 ? FIXED_RATE : Math.round(sustained * 0.8);

    // Phase 2: a fixed rate, probes in the same stream.
    const sock = net.connect(a.syslogPort, '127.0.0.1');
    await new Promise<void>((r, j) => sock.once('connect', () => r()).once('error', j));
    const start = Date.now();
    let sent = 0;
    let probeN = 0;
    let nextProbe = start + 1000;
    while (Date.now() - start < SECONDS * 1000) {
      const due = Math.floor(((Date.now() - start) / 1000) * rate);
      const lines: string[] = [];
      for (; sent < due; sent++) lines.push(atpLine(benchId(run, 2, sent), { severity: 3, user: `CONTOSO\\u${sent % USERS}` }));
      if (Date.now() >= nextProbe) {
        const id = benchId(run, 3, probeN++);
        lines.push(atpLine(id, { severity: 10, user: `CONTOSO\\u${probeN % USERS}`, name: 'Suspected identity theft (pass-the-ticket)' }));
        // Written now (the socket takes it at once unless TCP pushes back, which then counts).
        sock.write(lines.join('\n') + '\n');
        probes.set(id, Date.now());
        nextProbe += PROBE_MS;
      } else if (lines.length) sock.write(lines.join('\n') + '\n');
      await new Promise((r) => setTimeout(r, 10));
    }
    const sentAt = Date.now();
    await new Promise<void>((r) => sock.end(() => r()));
    const total = WARMUP + sent + probeN;
    while ((await counted()) < total && Date.now() - sentAt < 60_000) await new Promise((r) => setTimeout(r, 50));
    const drainedMs = Date.now() - sentAt;
    const want = probeN * CHANNELS;
    const end = Date.now() + 10_000;
    while (samples.length < want && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    samples.sort((x, y) => x - y);
    return {
      sustained_alerts_per_s: Math.round(sustained),
      phase2_rate_alerts_per_s: rate,
      phase2_achieved_alerts_per_s: Math.round(sent / SECONDS),
      backlog_drained_ms_after_sending: drainedMs,
      probes: probeN,
      card_posts: samples.length,
      card_posts_missing: want - samples.length,
      ingest_to_card_p50_ms: percentile(samples, 50),
      ingest_to_card_p99_ms: percentile(samples, 99),
      ingest_to_card_max_ms: samples.length ? samples[samples.length - 1] : NaN,
    };
  } finally {
    await app?.stop();
    conn.close();
  }
}

export async function run(): Promise<Record<string, number | string>> {
  const out: Record<string, number | string> = { channels: CHANNELS, phase2_seconds: SECONDS, probe_every_ms: PROBE_MS };
  const runId = Date.now() & 0x7fffffff;
  for (const [k, v] of Object.entries(await once({ dataDir: tempDir() }, runId))) out[`sqlite_${k}`] = v;
  const pg = await pgSchema();
  if (!pg) {
    out.postgres = 'unreachable (set BENCH_DATABASE_URL)';
    return out;
  }
  try {
    for (const [k, v] of Object.entries(await once({ dataDir: tempDir(), databaseUrl: pg.url }, runId + 1))) out[`postgres_${k}`] = v;
  } finally {
    await pg.drop();
  }
  out.note = 'phase 2 runs at 80 % of the sustained rate unless BENCH_CARD_RATE is set';
  return out;
}
