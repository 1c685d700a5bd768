import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { FakeClock } from '../bot/clock';
import { EventHooks } from '../bot/events';
import { IntegrationService } from '../bot/integration/integration-service';
import { openStore } from '../bot/store/store';
import { escapeExtensionValue } from '../bot/sources/onprem/cef-parser';

/** Shared by the issue 16 benches: the real app as a process (`node dist/bot/index.js`), fed over syslog. */
export const ROOT = path.join(__dirname, '../..');

export async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export interface AppProcess {
  url: string;
  syslogPort: number;
  proc: ChildProcess;
  /** VmRSS and VmHWM of the process, in MB (Linux /proc). */
  memory(): { rssMb: number; hwmMb: number };
  /** One series of /metrics, summed over the series matching `labels`. */
  metric(name: string, labels?: Record<string, string>): Promise<number>;
  stop(): Promise<void>;
}

/**
 * The database prepared (migrated, integration enabled: the first on-premises message activates it), then
 * the real app started as its own process in local mode, on `dataDir` (SQLite) or `databaseUrl`.
 * `nodeArgs` go before the script (e.g. `--cpu-prof`, which NODE_OPTIONS does not allow).
 */
export async function startAppProcess(o: { dataDir: string; databaseUrl?: string; env?: Record<string, string>; nodeArgs?: string[] }): Promise<AppProcess> {
  const store = await openStore({ databaseUrl: o.databaseUrl, dataDir: o.dataDir });
  const integration = new IntegrationService(store.db, new FakeClock(new Date().toISOString()), new EventHooks());
  await integration.init();
  await integration.enable({ id: 'bench', name: 'bench' });
  await store.close();

  const httpPort = await freePort();
  const syslogPort = await freePort();
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', PORT: String(httpPort), DATA_DIR: o.dataDir, DIRECTORY_FILE: path.join(ROOT, 'directory.sample.json'), SYSLOG_TCP_PORT: String(syslogPort), SYSLOG_UDP_PORT: String(syslogPort), LOG_LEVEL: 'error', INGEST_TOKEN: 'bench-ingest-token-0123456789', ...o.env };
  if (o.databaseUrl) env.DATABASE_URL = o.databaseUrl;
  const proc = spawn(process.execPath, [...(o.nodeArgs ?? []), path.join(ROOT, 'dist/bot/index.js')], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'inherit'] });
  const url = `http://127.0.0.1:${httpPort}`;
  const deadline = Date.now() + 30_000;
  while ((await fetch(`${url}/readyz`).then((r) => r.status).catch(() => 0)) !== 200) {
    if (Date.now() > deadline || proc.exitCode !== null) throw new Error('the app did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    syslogPort,
    proc,
    memory() {
      const s = fs.readFileSync(`/proc/${proc.pid}/status`, 'utf8');
      const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(s)?.[1] ?? NaN);
      return { rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024 };
    },
    async metric(name, labels = {}) {
      const text = await (await fetch(`${url}/metrics`)).text();
      let sum = 0;
      for (const line of text.split('\n')) {
        const m = /^([a-z_]+)(\{([^}]*)\})? ([0-9.e+-]+)$/.exec(line);
        if (!m || m[1] !== name) continue;
        const have = Object.fromEntries([...(m[3] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
        if (Object.entries(labels).every(([k, v]) => have[k] === v)) sum += Number(m[4]);
      }
      return sum;
    },
    async stop() {
      if (proc.exitCode !== null) return;
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
    },
  };
}

/** An Azure ATP alert as the sensor sends it (RFC 5424 header, `<BOM>0|` body); `id` goes into the cs1 URL. */
export function atpLine(id: string, o: { severity: 3 | 5 | 10; user: string; name?: string }): string {
  const ext = [
    'start=2026-03-02T09:14:59.0000000Z',
    'app=Kerberos',
    'shost=WKS-17',
    `suser=${escapeExtensionValue(o.user)}`,
    `msg=${escapeExtensionValue(`${o.user} on WKS-17: password guessing.`)}`,
    'cnt=3',
    'externalId=2023',
    `cs1Label=url cs1=https\\://contoso.atp.azure.com/securityAlert/${id}`,
    'cs2Label=trigger cs2=new',
  ].join(' ');
  return `<132>1 2026-03-02T09:15:44.120Z DC01 CEF 4120 BruteForceSecurityAlert \uFEFF0|Microsoft|Azure ATP|2.230.0.0|BruteForceSecurityAlert|${o.name ?? 'Suspected brute force attack (Kerberos, NTLM)'}|${o.severity}|${ext}`;
}

/** A GUID-shaped id, unique per (run, tag, n). */
export function benchId(run: number, tag: number, n: number): string {
  return `${(run >>> 0).toString(16).padStart(8, '0')}-${String(tag).padStart(4, '0')}-4e00-8000-${String(n).padStart(12, '0')}`;
}

/** A loopback Bot Connector that answers every write and notes when each new conversation (a card) arrived. */
export async function captureConnector(onCreate: (body: string, at: number) => void): Promise<{ url: string; close(): void }> {
  let seq = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const at = Date.now();
      const text = Buffer.concat(chunks).toString('utf8');
      const create = req.method === 'POST' && /^\/v3\/conversations\/?$/.test(req.url ?? '');
      if (create) onCreate(text, at);
      const id = `${at}${++seq}`;
      const body = create ? JSON.parse(text) : {};
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(create ? { id: `${body.channelData?.channel?.id};messageid=${id}`, activityId: id } : { id }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/`, close: () => server.close() };
}

/** Subscribe a SOC channel (as the sample directory's Security Administrator) at `threshold`. */
export async function subscribeChannel(appUrl: string, serviceUrl: string, channel: string, threshold: 'low' | 'medium' | 'high'): Promise<void> {
  const tenant = '72f988bf-86f1-41af-91ab-2d7cd011db47';
  const res = await fetch(`${appUrl}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      type: 'message', id: `sub-${channel}`, serviceUrl, channelId: 'msteams', text: `<at>Hybridwatch</at> subscribe ${threshold}`,
      from: { id: '29:megan', name: 'Megan Bowen', aadObjectId: '00000000-0000-0000-0000-000000000002' },
      conversation: { isGroup: true, conversationType: 'channel', tenantId: tenant, id: `${channel};messageid=sub-1` },
      recipient: { id: '28:bot', name: 'Hybridwatch' },
      channelData: { channel: { id: channel }, teamsChannelId: channel, tenant: { id: tenant } },
    }),
  });
  if (res.status >= 300) throw new Error(`subscribe answered ${res.status}`);
}

/** Write `data` on a new TCP connection as fast as TCP takes it; resolves when the peer has it all (closed). */
export function sendAll(port: number, data: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => s.end(data));
    s.on('error', reject);
    s.on('close', () => resolve());
  });
}
