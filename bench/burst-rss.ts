import dgram from 'node:dgram';
import { Client } from 'pg';
import { pgSchema, round, tempDir } from './bench-util';
import { atpLine, benchId, sendAll, startAppProcess } from './app-process';

const env = (k: string, d: number) => (process.env[k] ? Number(process.env[k]) : d);
const ALERTS = env('BENCH_BURST_ALERTS', 100_000);
const UDP_ALERTS = env('BENCH_BURST_UDP_ALERTS', 50_000);
const CONNECTIONS = env('BENCH_BURST_CONNECTIONS', 4);
const USERS = 3000;
/** INGEST_MAX_QUEUE for the app (its default when unset). */
const MAX_QUEUE = process.env.BENCH_BURST_MAX_QUEUE;
/** NODE_OPTIONS for the app process (e.g. --max-old-space-size=200 to tell live memory from GC slack). */
const NODE_OPTIONS = process.env.BENCH_BURST_NODE_OPTIONS;

/**
 * A 10× burst into the real app process on PostgreSQL (issue 16): ALERTS alerts over CONNECTIONS syslog
 * TCP connections as fast as TCP takes them; the app's VmRSS is sampled every 50 ms from /proc and VmHWM
 * read at the end; every alert must end in the ledger (counted in PostgreSQL). Then UDP_ALERTS datagrams
 * as fast as the bench can send them: how many were stored and how many dropped, by reason, from /metrics.
 */
export async function run(): Promise<Record<string, number | string>> {
  const pg = await pgSchema();
  if (!pg) return { postgres: 'unreachable (set BENCH_DATABASE_URL)' };
  const app = await startAppProcess({ dataDir: tempDir(), databaseUrl: pg.url, env: { ...(MAX_QUEUE ? { INGEST_MAX_QUEUE: MAX_QUEUE } : {}), ...(NODE_OPTIONS ? { NODE_OPTIONS } : {}) } });
  const db = new Client({ connectionString: pg.url });
  await db.connect();
  let peak = 0;
  let maxQueue = 0;
  const sampler = setInterval(() => {
    try {
      peak = Math.max(peak, app.memory().rssMb);
    } catch {
      /* the process is gone */
    }
  }, 50);
  const out: Record<string, number | string> = { tcp_alerts: ALERTS, tcp_connections: CONNECTIONS, users: USERS, ingest_max_queue: MAX_QUEUE ?? 'default', node_options: NODE_OPTIONS ?? 'none' };
  try {
    out.rss_idle_mb = round(app.memory().rssMb, 0);
    const run = Date.now() & 0x7fffffff;
    const lines = Array.from({ length: ALERTS }, (_, i) => atpLine(benchId(run, 1, i), { severity: i % 10 === 0 ? 5 : 3, user: `CONTOSO\\u${i % USERS}` }));
    const streams = Array.from({ length: CONNECTIONS }, (_, c) => Buffer.from(lines.filter((_, i) => i % CONNECTIONS === c).join('\n') + '\n'));
    lines.length = 0;
    const t0 = Date.now();
    let sentMs = 0;
    const sending = Promise.all(streams.map((s) => sendAll(app.syslogPort, s))).then(() => (sentMs = Date.now() - t0));
    const stored = async () => Number((await db.query('select count(*) as n from alerts')).rows[0].n);
    let n = 0;
    const deadline = Date.now() + 600_000;
    while ((n = await stored()) < ALERTS && Date.now() < deadline) {
      maxQueue = Math.max(maxQueue, await app.metric('hybridwatch_ingest_queue'));
      await new Promise((r) => setTimeout(r, 250));
    }
    await sending;
    const seconds = (Date.now() - t0) / 1000;
    out.tcp_all_taken_by_tcp_s = round(sentMs / 1000, 1);
    out.tcp_alerts_stored = n;
    out.tcp_alerts_lost = ALERTS - n;
    out.tcp_alerts_per_s = Math.round(n / seconds);
    out.tcp_rss_peak_mb = round(peak, 0);
    out.tcp_queue_peak_sampled = maxQueue;
    out.tcp_pauses = await app.metric('hybridwatch_syslog_tcp_pauses_total');
    out.tcp_rejected = await app.metric('hybridwatch_ingest_rejected_total', { source: 'tcp' });

    if (UDP_ALERTS > 0) {
      peak = 0;
      const sock = dgram.createSocket('udp4');
      let k = 0;
      const u0 = Date.now();
      await new Promise<void>((resolve, reject) => {
        const next = () => {
          if (k === UDP_ALERTS) return resolve();
          sock.send(atpLine(benchId(run, 2, k++), { severity: 3, user: `CONTOSO\\u${k % USERS}` }), app.syslogPort, '127.0.0.1', (e) => (e ? reject(e) : next()));
        };
        next();
      });
      sock.close();
      const sendS = (Date.now() - u0) / 1000;
      const seen = async () => (await app.metric('hybridwatch_ingest_total', { source: 'udp' })) + (await app.metric('hybridwatch_syslog_udp_dropped_total', { reason: 'socket_buffer' }));
      const udl = Date.now() + 300_000;
      while ((await seen()) < UDP_ALERTS && Date.now() < udl) await new Promise((r) => setTimeout(r, 250));
      const stopAt = Date.now() + 120_000;
      while ((await app.metric('hybridwatch_ingest_queue')) > 0 && Date.now() < stopAt) await new Promise((r) => setTimeout(r, 250));
      out.udp_datagrams_sent = UDP_ALERTS;
      out.udp_send_rate_per_s = Math.round(UDP_ALERTS / sendS);
      out.udp_stored = (await stored()) - n;
      out.udp_dropped_queue_full = await app.metric('hybridwatch_syslog_udp_dropped_total', { reason: 'queue_full' });
      out.udp_dropped_socket_buffer = await app.metric('hybridwatch_syslog_udp_dropped_total', { reason: 'socket_buffer' });
      out.udp_unaccounted = UDP_ALERTS - (out.udp_stored as number) - (out.udp_dropped_queue_full as number) - (out.udp_dropped_socket_buffer as number);
      out.udp_rss_peak_mb = round(peak, 0);
    }
    out.rss_hwm_mb = round(app.memory().hwmMb, 0);
    return out;
  } finally {
    clearInterval(sampler);
    await db.end();
    await app.stop();
    await pg.drop();
  }
}
