import { execFileSync } from 'node:child_process';
import path from 'node:path';

/** RSS of a fresh Hybridwatch process after 100,000 alerts are in the ledger (measured in a child process). */
export async function run(): Promise<Record<string, number | string>> {
  const out = execFileSync(process.execPath, ['--expose-gc', path.join(__dirname, 'ledger-rss-child.js')], { encoding: 'utf8', timeout: 300_000 });
  const r = JSON.parse(out.trim().split('\n').pop()!);
  return {
    'RSS after 100,000 alerts (MB, app running, SQLite)': r.rssMb,
    'RSS at start (MB)': r.rssStartMb,
    'ledger fill rate (alerts/s, batched transactions)': r.fillRate,
    'ledger rows': r.rows,
  };
}
