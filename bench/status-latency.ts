import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { buildApp } from '../bot/app';
import { loadConfig } from '../bot/config';
import { percentile, round, silentLog, tempDir } from './bench-util';

/**
 * `status` over HTTP with 50 concurrent conversations (role cache warm): the full path, restify →
 * botbuilder → role check → database → card → reply POSTed to a loopback Bot Connector.
 */
export async function run(): Promise<Record<string, number | string>> {
  const connector = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"id":"1"}');
    });
  });
  await new Promise<void>((r) => connector.listen(0, '127.0.0.1', r));
  const serviceUrl = `http://127.0.0.1:${(connector.address() as AddressInfo).port}/`;
  const app = await buildApp(loadConfig({ PORT: '0', DATA_DIR: tempDir(), DIRECTORY_FILE: path.join(__dirname, '../../directory.sample.json'), SYSLOG_UDP_PORT: '0', SYSLOG_TCP_PORT: '0' }), { log: silentLog });
  const url = await app.start();
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const post = (conv: number) =>
    new Promise<number>((resolve, reject) => {
      const body = JSON.stringify({
        type: 'message', id: `m${conv}-${Math.random()}`, serviceUrl, channelId: 'msteams', text: 'status',
        from: { id: `29:u${conv}`, name: 'Lee Gu', aadObjectId: '00000000-0000-0000-0000-000000000003' },
        conversation: { conversationType: 'personal', tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47', id: `a:conv-${conv}` },
        recipient: { id: '28:bot', name: 'Hybridwatch' }, channelData: { tenant: { id: '72f988bf-86f1-41af-91ab-2d7cd011db47' } },
      });
      const t0 = process.hrtime.bigint();
      const req = http.request(`${url}/api/messages`, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 200 ? resolve(Number(process.hrtime.bigint() - t0) / 1e6) : reject(new Error(`HTTP ${res.statusCode}`))));
      });
      req.on('error', reject);
      req.end(body);
    });
  const CONVERSATIONS = 50;
  const PER_CONVERSATION = 40;
  await Promise.all(Array.from({ length: CONVERSATIONS }, (_, i) => post(i))); // warm caches

  // Open loop, as a SOC uses it: 50 conversations, each asking `status` every 500 ms (100/s in all),
  // staggered; latency of every request while the others keep coming.
  const open: number[] = [];
  const OPEN_SECONDS = 10;
  await Promise.all(
    Array.from({ length: CONVERSATIONS }, async (_, i) => {
      await new Promise((r) => setTimeout(r, (i * 500) / CONVERSATIONS));
      const end = Date.now() + OPEN_SECONDS * 1000;
      const inflight: Promise<void>[] = [];
      while (Date.now() < end) {
        inflight.push(post(i).then((ms) => void open.push(ms)));
        await new Promise((r) => setTimeout(r, 500));
      }
      await Promise.all(inflight);
    }),
  );
  open.sort((a, b) => a - b);

  // Closed loop (saturation): each conversation sends its next `status` as soon as the last is answered.
  const latencies: number[] = [];
  const started = Date.now();
  await Promise.all(
    Array.from({ length: CONVERSATIONS }, async (_, i) => {
      for (let n = 0; n < PER_CONVERSATION; n++) latencies.push(await post(i));
    }),
  );
  const elapsed = (Date.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  await app.stop();
  agent.destroy();
  await new Promise<void>((r) => connector.close(() => r()));
  return {
    'open loop: 50 conversations × 2 status/s, p50 (ms)': round(percentile(open, 50), 2),
    'open loop: p99 (ms)': round(percentile(open, 99), 2),
    'open loop: requests': open.length,
    'closed loop (saturation, 50 in flight): p50 (ms)': round(percentile(latencies, 50), 2),
    'closed loop: p99 (ms)': round(percentile(latencies, 99), 2),
    'closed loop: status commands/s': round(latencies.length / elapsed, 0),
  };
}
