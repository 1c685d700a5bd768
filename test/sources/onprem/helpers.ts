import dgram from 'node:dgram';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { App } from '../../../bot/app';
import type { OnPremFeature } from '../../../bot/sources/onprem/onprem-feature';

const FIX = path.join(__dirname, '../../fixtures/cef');
/** Raw fixture lines as bytes (the BOM stays three bytes). */
export const fixture = (f: string): Buffer[] =>
  fs
    .readFileSync(path.join(FIX, f))
    .toString('utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => Buffer.from(l, 'utf8'));

export const onprem = (app: App) => app.features.find((f) => f.name === 'onprem') as OnPremFeature;

export function sendUdp(port: number, ...msgs: Buffer[]): Promise<void> {
  const s = dgram.createSocket('udp4');
  return new Promise((resolve, reject) => {
    let left = msgs.length;
    for (const m of msgs)
      s.send(m, port, '127.0.0.1', (e) => {
        if (e) reject(e);
        if (--left === 0) s.close(() => resolve());
      });
  });
}

/** Write chunks (each as its own write) on one connection, then close it. */
export function sendTcp(port: number, chunks: Array<Buffer | string>, opts: { destroy?: boolean } = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', async () => {
      for (const c of chunks) await new Promise<void>((r) => s.write(c, () => r()));
      if (opts.destroy) s.destroy();
      else s.end();
    });
    s.on('error', reject);
    s.on('close', () => resolve());
  });
}

export const nl = (b: Buffer) => Buffer.concat([b, Buffer.from('\n')]);
export const octet = (b: Buffer) => Buffer.concat([Buffer.from(`${b.length} `), b]);

/** Poll until `check` passes (no timing assertions: only a generous deadline). */
export async function until<T>(check: () => Promise<T | false | undefined | null> | T | false | undefined | null, what: string, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The value of one series in /metrics (0 when absent). */
export async function metric(url: string, name: string, labels: Record<string, string> = {}): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-z_]+)(\{([^}]*)\})? ([0-9.e+-]+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[3] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) sum += Number(m[4]);
  }
  return sum;
}

/** A CEF message for alert `id` (a GUID-like id in the cs1 URL). */
export function alertLine(id: string, opts: { trigger?: 'new' | 'update'; cnt?: number; user?: string; externalId?: number } = {}): Buffer {
  return Buffer.from(
    `<132>1 2026-03-02T09:15:44.120Z DC01 CEF 4120 BruteForceSecurityAlert \uFEFF0|Microsoft|Azure ATP|2.230.0.0|BruteForceSecurityAlert|Suspected brute force attack (Kerberos, NTLM)|5|start=2026-03-02T09:14:59.0000000Z app=Kerberos shost=WKS-17 suser=${opts.user ?? 'CONTOSO\\\\jdoe'} msg=Password guessing (${opts.cnt ?? 1} attempts). cnt=${opts.cnt ?? 1} externalId=${opts.externalId ?? 2023} cs1Label=url cs1=https\\://contoso.atp.azure.com/securityAlert/${id} cs2Label=trigger cs2=${opts.trigger ?? 'new'}`,
    'utf8',
  );
}
