import { explainRun, figures, meetsAims, type Figures } from './metrics';
import { runTenant } from './run';
import { generate, PROFILES, type Profile } from './tenant';

/**
 * `npm run eval`: labelled tenants through the real ingest path, figures per profile and seed.
 *   node dist/eval/index.js [--seeds=1,2,3] [--profiles=quiet,spray] [--sizes=100,1000,5000] [--rare-fp=1] [--explain]
 * Each (profile, seed) gets one size, rotating, so every profile meets every size across the seeds.
 * Exit code 1 when a tenant misses an aim.
 */
const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const list = (name: string, def: string) => (arg(name) ?? def).split(',').map((s) => s.trim()).filter(Boolean);

const pct = (n: number | null) => (n === null ? '–' : `${Math.round(n * 100)}%`);

function summarize(steps: string[]): string {
  const counts = new Map<string, number>();
  for (const s of steps) counts.set(s, (counts.get(s) ?? 0) + 1);
  return [...counts.entries()].sort().map(([s, n]) => (n > 1 ? `${s}×${n}` : s)).join(' ') || '–';
}

async function main(): Promise<void> {
  const seeds = list('seeds', '1,2,3').map(Number);
  const profiles = list('profiles', PROFILES.join(',')) as Profile[];
  const sizes = list('sizes', '100,1000,5000').map(Number);
  const rareFp = Number(arg('rare-fp') ?? 1);
  const t0 = Date.now();
  const rows: Array<{ profile: Profile; seed: number; size: number; f: Figures; miss: string[]; seconds: number; alerts: number }> = [];
  console.log('profile    seed  users  alerts  full  2-step  precision  announced(FP)  1st-FP-rank  alerts-until-flagged (full; 2-step)  flaps  1-type  cold/history  chance  s');
  for (const [pi, profile] of profiles.entries()) {
    for (const seed of seeds) {
      const size = sizes[(seed + pi) % sizes.length];
      const t = generate(profile, seed, size, rareFp);
      const r = await runTenant(t);
      const f = figures(t, r);
      const miss = meetsAims(f);
      rows.push({ profile, seed, size, f, miss, seconds: r.seconds, alerts: r.alerts });
      const full = summarize(f.alertsUntilFlagged.filter((s) => s.endsWith('/5')));
      const two = summarize(f.alertsUntilFlagged.filter((s) => s.endsWith('/2')));
      console.log(
        [
          profile.padEnd(10),
          String(seed).padStart(4),
          String(size).padStart(6),
          String(r.alerts).padStart(7),
          pct(f.fullRecall).padStart(5),
          pct(f.twoStepRecall).padStart(7),
          pct(f.precision).padStart(10),
          `${f.announced}(${f.falsePositives})`.padStart(14),
          String(f.firstFalsePositiveRank ?? '–').padStart(12),
          `  ${full}; ${two}`.padEnd(38),
          String(f.flaps).padStart(5),
          String(f.singleTypeFlagged).padStart(7),
          `${f.coldStartAnnouncements}/${f.historyAnnouncements}`.padStart(13),
          String(f.chanceChains).padStart(7),
          r.seconds.toFixed(0).padStart(4),
          miss.length ? `  MISSED: ${miss.join(', ')}` : '',
        ].join(' '),
      );
      if (process.argv.includes('--explain')) for (const line of explainRun(t, r)) console.log(line);
    }
  }
  const failed = rows.filter((r) => r.miss.length);
  const totalAlerts = rows.reduce((s, r) => s + r.alerts, 0);
  if (rareFp !== 1) console.log(`(rare false-positive rates × ${rareFp})`);
  console.log(`\n${rows.length} tenants, ${totalAlerts} alerts, ${((Date.now() - t0) / 1000).toFixed(0)} s. Aims (every tenant): all full chains, ≥ 80 % two-step chains, precision ≥ 0.8, no single-type user, no flapping.`);
  console.log(failed.length ? `${failed.length} tenant(s) missed an aim.` : 'Every tenant met every aim.');
  process.exit(failed.length ? 1 : 0);
}

if (require.main === module) void main();
