import type { AppParts, Feature } from '../../feature';
import { emptyResult, IngestBusy, IngestTooBig, mountIngestRoute, type IngestResult } from '../ingest-route';
import { isRejected, OnPremIngestor } from './onprem-ingestor';
import { policiesCommand } from './policies-command';
import { SensorHealthStore } from './sensor-health-store';
import { SyslogListener, type BoundPorts, type SyslogListenOptions } from './syslog-listener';

export const CEF_INGEST_PATH = '/api/ingest/cef';

export interface OnPremFeature extends Feature {
  ingestor: OnPremIngestor;
  health: SensorHealthStore;
  listener: SyslogListener;
  /**
   * Start syslog listeners beyond what the config asks (config port 0 means off; tests pass 0 here for a
   * random port). Resolves to the bound ports.
   */
  listen(o: Partial<SyslogListenOptions>): Promise<BoundPorts>;
}

/** The on-premises source: Azure ATP CEF over syslog (UDP, TCP) and HTTP, into the alert ledger. */
export function onPremFeature(parts: AppParts): OnPremFeature {
  const { config, store, services, server, log, clock } = parts;
  const health = new SensorHealthStore(store.db);
  // SQLite has one connection; PostgreSQL writes in a few lanes (the pool has 10 connections).
  const ingestor = new OnPremIngestor({ db: store.db, integration: services.integration, ledger: services.ledger, events: services.events, health, clock, metrics: services.metrics, log, lanes: store.dialect === 'postgres' ? 4 : 1, maxQueue: config.ingest.maxQueue });
  const listener = new SyslogListener(ingestor, services.metrics, log, { maxConnections: config.syslog.maxConnections });

  mountIngestRoute(server, {
    path: CEF_INGEST_PATH,
    contentTypes: ['text/plain'],
    token: config.ingestToken,
    log,
    metrics: services.metrics,
    handle: (body) => ingestLines(ingestor, body),
    maxInFlight: config.ingest.maxInFlight,
  });
  if (config.ingestToken) services.onPremSources.push(`HTTP POST ${CEF_INGEST_PATH}`);
  services.statusExtras.push(async () => ({ health: await health.latest(), ingest: { queued: ingestor.queued, maxQueue: ingestor.maxQueue, ...listener.drops() } }));

  const describe = () => {
    // Keep the shared list in step with what is actually listening.
    for (let i = services.onPremSources.length - 1; i >= 0; i--) if (services.onPremSources[i].startsWith('syslog ')) services.onPremSources.splice(i, 1);
    services.onPremSources.unshift(...listener.describe());
  };
  const listen = async (o: Partial<SyslogListenOptions>) => {
    const ports = await listener.start({ host: o.host ?? config.syslog.host, udpPort: o.udpPort ?? null, tcpPort: o.tcpPort ?? null, idleTimeoutMs: o.idleTimeoutMs });
    describe();
    return ports;
  };

  return {
    name: 'onprem',
    commands: [policiesCommand],
    readiness: [{ name: 'syslog', check: () => listener.isUp() }],
    ingestor,
    health,
    listener,
    listen,
    async start() {
      const { host, udpPort, tcpPort } = config.syslog;
      if (udpPort || tcpPort) {
        const ports = await listen({ host, udpPort: udpPort || null, tcpPort: tcpPort || null });
        log.info({ host, ...ports }, 'Azure ATP syslog listener up');
      }
    },
    async stop() {
      await listener.stop();
      await ingestor.close();
    },
  };
}

/**
 * POST /api/ingest/cef: one message per line; each line gets its own outcome, a bad one never fails the rest.
 * The batch is admitted whole or not at all (back-pressure): when its lines do not fit in the queue now it
 * is refused with IngestBusy before any line is taken, so the client can resend it unchanged.
 */
export async function ingestLines(ingestor: OnPremIngestor, body: string): Promise<IngestResult> {
  const result = emptyResult();
  const lines: Array<[number, string]> = [];
  for (const [idx, l] of body.split('\n').entries()) {
    const line = l.endsWith('\r') ? l.slice(0, -1) : l;
    if (line.trim() !== '') lines.push([idx, line]);
  }
  if (lines.length > ingestor.maxQueue) throw new IngestTooBig(`${lines.length} lines is more than the ingest queue holds (INGEST_MAX_QUEUE=${ingestor.maxQueue}): split the body into batches of at most ${ingestor.maxQueue} lines.`);
  if (!ingestor.fits(lines.length)) {
    throw new IngestBusy(ingestor.retryAfterSeconds(lines.length), `The ingest pipeline is full (${ingestor.queued} of ${ingestor.maxQueue} messages waiting for the database): nothing of this batch was taken; resend it as is after the Retry-After seconds.`);
  }
  // No await from here to the last submit: no other message can take the room just checked.
  const pending: Array<Promise<void>> = [];
  for (const [idx, line] of lines) {
    pending.push(
      ingestor.submit(line, 'http').then((o) => {
        if (isRejected(o)) result.rejected.push({ line: idx + 1, reason: `${o.rejected}: ${o.detail}` });
        else if (o === 'duplicate') result.duplicates++;
        else if (o === 'ignored') result.ignored++;
        else result.accepted++;
      }),
    );
  }
  await Promise.all(pending);
  result.rejected.sort((a, b) => a.line - b.line);
  return result;
}
