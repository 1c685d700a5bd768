import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { buildApp, type App } from '../bot/app';
import { loadConfig } from '../bot/config';
import type { NormalizedAlert } from '../bot/hybrid/alert';
import { TEAMS_CONVERSATION_LIMITS } from '../bot/notify/pacer';
import { percentile, round, silentLog, tempDir } from './bench-util';

/**
 * A loopback Bot Connector that enforces Teams' per-conversation limits (429 + Retry-After) and
 * records when each write was accepted. Kept here (bench is built without test/).
 */
function connector() {
  const accepted: number[] = [];
  const rejected: string[] = [];
  const creates: Array<{ at: number; summary: string }> = [];
  let seq = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const now = Date.now();
      const body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
      let until = now;
      for (const { max, windowMs } of TEAMS_CONVERSATION_LIMITS) {
        const inWin = accepted.filter((t) => t > now - windowMs);
        if (inWin.length >= max) until = Math.max(until, inWin[inWin.length - max] + windowMs);
      }
      if (until > now) {
        rejected.push(`${req.method} ${req.url} ${JSON.stringify(body).length}:${createHash('sha1').update(JSON.stringify(body)).digest('hex')}`);
        res.writeHead(429, { 'retry-after': String(Math.ceil((until - now) / 1000)), 'content-type': 'application/json' });
        res.end('{"error":{"code":"TooManyRequests","message":"throttled"}}');
        return;
      }
      accepted.push(now);
      if (req.method === 'POST' && /^\/v3\/conversations\/?$/.test(req.url ?? '')) creates.push({ at: now, summary: String(body.activity?.summary ?? '') });
      res.writeHead(200, { 'content-type': 'application/json' });
      const id = `${now}${++seq}`;
      res.end(JSON.stringify(req.method === 'POST' && /^\/v3\/conversations\/?$/.test(req.url ?? '') ? { id: `${body.channelData?.channel?.id};messageid=${id}`, activityId: id } : { id }));
    });
  });
  return { server, accepted, rejected, creates };
}

/** Most writes Teams' windows allow within `spanMs`, starting fresh: greedy is optimal for sliding windows. */
export function allowedWithin(spanMs: number): number {
  const times: number[] = [];
  let t = 0;
  while (t <= spanMs) {
    let next = t;
    for (const { max, windowMs } of TEAMS_CONVERSATION_LIMITS) {
      const inWin = times.filter((x) => x > next - windowMs);
      if (inWin.length >= max) next = Math.max(next, inWin[inWin.length - max] + windowMs);
    }
    if (next > spanMs) break;
    times.push(next);
    t = next;
  }
  return times.length;
}

let n = 0;
function alert(i: number): NormalizedAlert {
  const id = `bench-${process.pid}-${++n}`;
  return { source: 'onprem', sourceId: id, type: '2017', typeName: 'PassTheHashSecurityAlert', title: `storm ${i}`, description: '', severity: 'high', users: [{ raw: `CONTOSO\\user${i % 7}`, key: '' }], hosts: ['WKS-1'], start: new Date().toISOString(), seenAt: new Date().toISOString(), trigger: 'new', hash: createHash('sha256').update(id).digest('hex') };
}

async function setup(digestAfter: number) {
  const c = connector();
  await new Promise<void>((r) => c.server.listen(0, '127.0.0.1', r));
  const serviceUrl = `http://127.0.0.1:${(c.server.address() as AddressInfo).port}/`;
  const app: App = await buildApp(loadConfig({ PORT: '0', DATA_DIR: tempDir(), DIRECTORY_FILE: path.join(__dirname, '../../directory.sample.json'), SYSLOG_UDP_PORT: '0', SYSLOG_TCP_PORT: '0' }), { log: silentLog, notify: { digestAfter } });
  const url = await app.start();
  const channel = '19:bench@thread.tacv2';
  await fetch(`${url}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      type: 'message', id: 'sub-1', serviceUrl, channelId: 'msteams', text: '<at>Hybridwatch</at> subscribe low',
      from: { id: '29:megan', name: 'Megan Bowen', aadObjectId: '00000000-0000-0000-0000-000000000002' },
      conversation: { isGroup: true, conversationType: 'channel', tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47', id: `${channel};messageid=sub-1` },
      recipient: { id: '28:bot', name: 'Hybridwatch' },
      channelData: { channel: { id: channel }, teamsChannelId: channel, tenant: { id: '72f988bf-86f1-41af-91ab-2d7cd011db47' } },
    }),
  });
  // The subscribe reply went to the thread (a different conversation); pacing below is for the channel.
  c.accepted.length = 0;
  return { c, app };
}

const until = async (pred: () => boolean, ms: number) => {
  const end = Date.now() + ms;
  while (!pred() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
};

/**
 * Storm: 75 alert cards to one channel at once (digest off, so every card is a send): sends achieved
 * ÷ sends Teams allows in the same span, and 429s. Latency: ingest (ledger.record) → card POST
 * accepted, one alert every 400 ms (never throttled).
 */
export async function run(): Promise<Record<string, number | string>> {
  const storm = await setup(1_000_000);
  const N = 75;
  for (let i = 0; i < N; i++) await storm.app.services.ledger.record(alert(i));
  await until(() => storm.c.creates.length >= N, 55_000);
  const times = storm.c.creates.map((x) => x.at).sort((a, b) => a - b);
  const span = times[times.length - 1] - times[0];
  const allowed = allowedWithin(span);
  const rejectedPer = new Map<string, number>();
  for (const r of storm.c.rejected) rejectedPer.set(r, (rejectedPer.get(r) ?? 0) + 1);
  await storm.app.stop();
  storm.c.server.close();

  const lat = await setup(1_000_000);
  const samples: number[] = [];
  for (let i = 0; i < 25; i++) {
    const before = lat.c.creates.length;
    const t0 = Date.now();
    await lat.app.services.ledger.record(alert(i));
    await until(() => lat.c.creates.length > before, 5_000);
    samples.push((lat.c.creates[before]?.at ?? Date.now()) - t0);
    await new Promise((r) => setTimeout(r, 400));
  }
  await lat.app.stop();
  lat.c.server.close();
  samples.sort((a, b) => a - b);
  return {
    storm_cards: storm.c.creates.length,
    storm_span_s: round(span / 1000, 2),
    storm_teams_allows: allowed,
    storm_efficiency: round(storm.c.creates.length / allowed, 3),
    storm_429s: storm.c.rejected.length,
    storm_max_429_per_send: Math.max(0, ...rejectedPer.values()),
    latency_samples: samples.length,
    ingest_to_post_p50_ms: percentile(samples, 50),
    ingest_to_post_p99_ms: percentile(samples, 99),
  };
}
