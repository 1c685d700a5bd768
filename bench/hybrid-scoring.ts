import fs from 'node:fs';
import { buildApp } from '../bot/app';
import { loadConfig } from '../bot/config';
import type { NormalizedAlert } from '../bot/hybrid/alert';
import type { HybridFeature } from '../bot/hybrid/hybrid-feature';
import { percentile, round, silentLog, tempDir, writeBenchDirectory } from './bench-util';

const USERS = 1000;
const ALERTS = 3000;
const TYPES = ['2003', '2007', '2012', '2017', '2021', '2023', '2038', 'policy:impossible-travel', 'policy:mass-download'];
const SEV: NormalizedAlert['severity'][] = ['low', 'low', 'low', 'medium', 'high'];

/**
 * Hybrid scoring cost on SQLite: ledger.record with identity resolution (DIRECTORY_FILE of 1000
 * users) and the in-transaction rescore, then the hourly sweep and the `risky` read over all users.
 */
export async function run(): Promise<Record<string, number | string>> {
  const dir = tempDir('hw-bench-hybrid-');
  const directoryFile = writeBenchDirectory(dir, USERS, (i) => (i % 100 === 0 ? ['Security Administrator'] : []));
  const app = await buildApp(loadConfig({ DATA_DIR: dir, DIRECTORY_FILE: directoryFile, PORT: '0', SYSLOG_UDP_PORT: '0', SYSLOG_TCP_PORT: '0', LOG_LEVEL: 'silent' }), { log: silentLog });
  try {
    const hybrid = app.features.find((f) => f.name === 'hybrid') as HybridFeature;
    const now = new Date().toISOString();
    const lat: number[] = [];
    const t0 = performance.now();
    for (let i = 0; i < ALERTS; i++) {
      const u = (i * 7919) % USERS;
      const cloud = i % 4 === 0;
      const a: NormalizedAlert = {
        source: cloud ? 'cloud' : 'onprem',
        sourceId: `bench-${i}`,
        type: TYPES[i % TYPES.length],
        typeName: 'bench',
        title: `Bench alert ${i % TYPES.length}`,
        description: '',
        severity: SEV[i % SEV.length],
        users: [cloud ? { raw: `u${u}@contoso.com`, key: `cloud:u${u}@contoso.com`, upn: `u${u}@contoso.com` } : { raw: `CONTOSO\\u${u}`, key: `onprem:contoso\\u${u}`, sam: `u${u}`, domain: 'CONTOSO' }],
        hosts: [],
        start: now,
        seenAt: now,
        trigger: 'new',
        hash: `h${i}`,
      };
      const s = performance.now();
      await app.services.ledger.record(a);
      lat.push(performance.now() - s);
    }
    const total = performance.now() - t0;
    lat.sort((x, y) => x - y);
    const s1 = performance.now();
    const swept = await hybrid.sweep();
    const sweepMs = performance.now() - s1;
    const risky = await app.store.db.selectFrom('user_scores').select((eb) => eb.fn.countAll<number>().as('n')).where('risky_state', '=', 'risky').executeTakeFirstOrThrow();
    return {
      alerts: ALERTS,
      users: USERS,
      'record alerts/s (resolve + score in the transaction)': round((ALERTS / total) * 1000, 0),
      'record p50 ms': round(percentile(lat, 50), 2),
      'record p95 ms': round(percentile(lat, 95), 2),
      'record p99 ms': round(percentile(lat, 99), 2),
      'sweep users': swept.users,
      'sweep ms': round(sweepMs, 0),
      'risky users': Number(risky.n),
    };
  } finally {
    await app.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
