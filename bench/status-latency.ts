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
    'status latency p50 (ms, 50 concurrent conversations)': round(percentile(latencies, 50), 2),
    'status latency p99 (ms, 50 concurrent conversations)': round(percentile(latencies, 99), 2),
    'status commands/s': round(latencies.length / elapsed, 0),
    'status requests measured': latencies.length,
  };
}
