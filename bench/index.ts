/**
 * `npm run bench`: runs every registered bench in turn and prints its figures.
 * `node dist/bench/index.js cef-parse syslog-e2e` runs only those. Each bench stays under ~60 s.
 */
import * as cefParse from './cef-parse';
import * as syslogE2e from './syslog-e2e';
import * as notifyStorm from './notify-storm';
import * as hybridScoring from './hybrid-scoring';
import * as mcasPoll from './mcas-poll';
import * as graphPoll from './graph-poll';
import * as statusLatency from './status-latency';
import * as ledgerRss from './ledger-rss';
import * as multiInstance from './multi-instance-ingest';
import * as cardRender from './card-render';
import * as extensionQuery from './extension-query';
import * as ingestCardLatency from './ingest-card-latency';
import * as burstRss from './burst-rss';
import * as fullAppLoad from './full-app-load';
import * as statementMix from './ingest-statement-mix';

type Bench = { name: string; run(): Promise<Record<string, number | string>> };

// Register new benches here (one line each).
export const BENCHES: Bench[] = [
  { name: 'notify-storm', run: notifyStorm.run },
  { name: 'cef-parse', run: cefParse.run },
  { name: 'syslog-e2e', run: syslogE2e.run },
  { name: 'hybrid-scoring', run: hybridScoring.run },
  { name: 'mcas-poll', run: mcasPoll.run },
  { name: 'graph-poll', run: graphPoll.run },
  { name: 'status-latency', run: statusLatency.run },
  { name: 'ledger-rss', run: ledgerRss.run },
  { name: 'multi-instance-ingest', run: multiInstance.run },
  { name: 'card-render', run: cardRender.run },
  { name: 'extension-query', run: extensionQuery.run },
  { name: 'ingest-card-latency', run: ingestCardLatency.run },
  { name: 'burst-rss', run: burstRss.run },
  { name: 'full-app-load', run: fullAppLoad.run },
  { name: 'ingest-statement-mix', run: statementMix.run },
];

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const chosen = only.length ? BENCHES.filter((b) => only.includes(b.name)) : BENCHES;
  let failed = false;
  for (const b of chosen) {
    const t0 = Date.now();
    try {
      const figures = await b.run();
      console.log(`\n## ${b.name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
      for (const [k, v] of Object.entries(figures)) console.log(`  ${k}: ${v}`);
    } catch (e) {
      failed = true;
      console.log(`\n## ${b.name}: FAILED: ${(e as Error).stack ?? e}`);
    }
  }
  process.exit(failed ? 1 : 0);
}

if (require.main === module) void main();
