import path from 'node:path';
import { createHash } from 'node:crypto';
import { buildApp } from '../bot/app';
import { loadConfig } from '../bot/config';
import type { NormalizedAlert } from '../bot/hybrid/alert';
import { silentLog, tempDir } from './bench-util';

async function main() {
  const app = await buildApp(loadConfig({ PORT: '0', DATA_DIR: tempDir(), DIRECTORY_FILE: path.join(__dirname, '../../directory.sample.json'), SYSLOG_UDP_PORT: '0', SYSLOG_TCP_PORT: '0' }), { log: silentLog });
  await app.start();
  (global as any).gc?.();
  const rssStartMb = process.memoryUsage().rss / 2 ** 20;
  const N = 100_000;
  const BATCH = 1000;
  const t0 = Date.now();
  const ledger = app.services.ledger;
  for (let b = 0; b < N / BATCH; b++) {
    await app.store.db.transaction().execute(async (trx) => {
      const batch: NormalizedAlert[] = [];
      for (let i = 0; i < BATCH; i++) {
        const n = b * BATCH + i;
        const at = new Date(Date.UTC(2026, 2, 1) + n * 1000).toISOString();
        const a: NormalizedAlert = {
          source: 'onprem', sourceId: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`, type: '2023', typeName: 'Suspected brute force attack (Kerberos, NTLM)',
          title: 'Suspected brute force attack (Kerberos, NTLM)', description: `Password guessing against user${n % 500} from WKS-${n % 97} (${n % 50} attempts).`,
          severity: 'medium', users: [{ raw: `CONTOSO\\user${n % 500}`, key: `onprem:contoso\\user${n % 500}`, sam: `user${n % 500}`, domain: 'CONTOSO' }], hosts: [`WKS-${n % 97}`],
          start: at, seenAt: at, cnt: n % 50, url: null, trigger: 'new', hash: createHash('sha256').update(String(n)).digest('hex'),
        };
        batch.push(a);
      }
      await ledger.recordManyIn(trx, batch);
    });
  }
  const fillRate = Math.round(N / ((Date.now() - t0) / 1000));
  (global as any).gc?.();
  await new Promise((r) => setTimeout(r, 500));
  const rssMb = process.memoryUsage().rss / 2 ** 20;
  const rows = (await ledger.counts()).total;
  await app.stop();
  console.log(JSON.stringify({ rssMb: Math.round(rssMb), rssStartMb: Math.round(rssStartMb), fillRate, rows }));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
