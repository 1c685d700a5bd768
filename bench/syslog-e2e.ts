import net from 'node:net';
import { FakeClock } from '../bot/clock';
import { EventHooks } from '../bot/events';
import { Ledger } from '../bot/hybrid/ledger';
import { IntegrationService } from '../bot/integration/integration-service';
import { createMetrics } from '../bot/metrics';
import { OnPremIngestor } from '../bot/sources/onprem/onprem-ingestor';
import { SensorHealthStore } from '../bot/sources/onprem/sensor-health-store';
import { SyslogListener } from '../bot/sources/onprem/syslog-listener';
import { openStore } from '../bot/store/store';
import { pgSchema, silentLog, tempDir } from './bench-util';
import { cefCorpus } from './cef-corpus';

const MESSAGES = 20_000;
const CONNECTIONS = 4;

/**
 * Syslog TCP → framing → parse → normalize → batched transactions (gate + ledger) on one database.
 * Only this concern's pipeline: other concerns' event listeners (scoring, outbox) are not attached.
 */
async function once(databaseUrl: string | undefined): Promise<{ perSecond: number; stored: number }> {
  const store = await openStore({ databaseUrl, dataDir: tempDir() });
  const clock = new FakeClock('2026-03-02T09:00:00Z');
  const events = new EventHooks();
  const metrics = createMetrics();
  const integration = new IntegrationService(store.db, clock, events);
  await integration.init();
  await integration.enable({ id: 'bench', name: 'bench' });
  const ledger = new Ledger(store.db, clock, events);
  const ingestor = new OnPremIngestor({ db: store.db, integration, ledger, health: new SensorHealthStore(store.db), clock, metrics, log: silentLog, lanes: store.dialect === 'postgres' ? 4 : 1 });
  const listener = new SyslogListener(ingestor, metrics, silentLog);
  const { tcp } = await listener.start({ host: '127.0.0.1', udpPort: null, tcpPort: 0 });
  const lines = cefCorpus(MESSAGES, { atpNative: true });
  const streams = Array.from({ length: CONNECTIONS }, (_, c) => Buffer.from(lines.filter((_, i) => i % CONNECTIONS === c).join('\n') + '\n'));
  const done = async () => (await metrics.ingest.get()).values.reduce((n, v) => n + v.value, 0);

  const t0 = process.hrtime.bigint();
  await Promise.all(
    streams.map(
      (s) =>
        new Promise<void>((resolve, reject) => {
          const sock = net.connect(tcp!, '127.0.0.1', () => sock.end(s));
          sock.on('error', reject);
          sock.on('close', () => resolve());
        }),
    ),
  );
  while ((await done()) < MESSAGES) await new Promise((r) => setTimeout(r, 5));
  await ingestor.flush();
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const stored = (await ledger.counts()).total;
  await listener.stop();
  await ingestor.close();
  await store.close();
  return { perSecond: Math.round(MESSAGES / seconds), stored };
}

export async function run(): Promise<Record<string, number | string>> {
  const out: Record<string, number | string> = { messages: MESSAGES, tcp_connections: CONNECTIONS };
  const sqlite = await once(undefined);
  out.sqlite_alerts_per_s = sqlite.perSecond;
  out.sqlite_alerts_stored = sqlite.stored;
  const pg = await pgSchema();
  if (!pg) {
    out.postgres = 'unreachable (set BENCH_DATABASE_URL)';
    return out;
  }
  try {
    const r = await once(pg.url);
    out.postgres_alerts_per_s = r.perSecond;
    out.postgres_alerts_stored = r.stored;
  } finally {
    await pg.drop();
  }
  return out;
}
