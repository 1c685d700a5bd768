import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { Client } from 'pg';
import { pgSchema, round, tempDir } from './bench-util';
import { cefCorpus } from './cef-corpus';

const MESSAGES = 10_000;
const ROOT = path.join(__dirname, '../..');

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/**
 * Two real Hybridwatch processes (the full app: gate, ledger, identity resolution, scoring, outbox)
 * on one PostgreSQL schema, each fed half of the corpus over syslog TCP: alerts/s until all are stored.
 */
export async function run(): Promise<Record<string, number | string>> {
  const pg = await pgSchema();
  if (!pg) return { postgres: 'unreachable (set BENCH_DATABASE_URL)' };
  const procs: ChildProcess[] = [];
  try {
    const insts = [] as Array<{ http: number; syslog: number }>;
    for (let i = 0; i < 2; i++) {
      const inst = { http: await freePort(), syslog: await freePort() };
      insts.push(inst);
      const p = spawn(process.execPath, [path.join(ROOT, 'dist/bot/index.js')], {
        cwd: ROOT,
        env: { PATH: process.env.PATH, PORT: String(inst.http), DATABASE_URL: pg.url, DATA_DIR: tempDir(), DIRECTORY_FILE: path.join(ROOT, 'directory.sample.json'), SYSLOG_TCP_PORT: String(inst.syslog), SYSLOG_UDP_PORT: '0', LOG_LEVEL: 'error' },
        stdio: 'ignore',
      });
      procs.push(p);
      const deadline = Date.now() + 30_000;
      while ((await fetch(`http://127.0.0.1:${inst.http}/readyz`).then((r) => r.status).catch(() => 0)) !== 200) {
        if (Date.now() > deadline) throw new Error('instance did not start');
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    const c = new Client({ connectionString: pg.url });
    await c.connect();
    // Enabled: otherwise on-premises messages are (correctly) ignored.
    await c.query(`update integration set state = 'active', since = now()::text, activated_at = now()::text`);
    const lines = cefCorpus(MESSAGES, { atpNative: true });
    const t0 = process.hrtime.bigint();
    await Promise.all(
      insts.map(
        (inst, k) =>
          new Promise<void>((resolve, reject) => {
            const data = Buffer.from(lines.filter((_, i) => i % 2 === k).join('\n') + '\n');
            const s = net.connect(inst.syslog, '127.0.0.1', () => s.end(data));
            s.on('error', reject);
            s.on('close', () => resolve());
          }),
      ),
    );
    let stored = 0;
    const deadline = Date.now() + 240_000;
    const expected = MESSAGES;
    while (Date.now() < deadline) {
      stored = Number((await c.query('select count(*) as n from alerts')).rows[0].n);
      const health = Number((await c.query('select count(*) as n from sensor_health')).rows[0].n);
      if (stored + health >= expected) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    await c.end();
    return { 'messages (2 instances, 1 PostgreSQL)': MESSAGES, 'alerts stored': stored, 'multi-instance ingest (alerts/s, full app)': round(MESSAGES / seconds, 0) };
  } finally {
    for (const p of procs) p.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 1000));
    await pg.drop();
  }
}
