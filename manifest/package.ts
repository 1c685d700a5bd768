import fs from 'node:fs';
import path from 'node:path';
import { buildPackage, inputProblems } from './build-package';

/**
 * `npm run package`: fill the manifest from the environment (MicrosoftAppId, BOT_DOMAIN; ATP_WORKSPACE_URL and
 * MCAS_URL add their hosts to link unfurling) and write
 * build/hybridwatch.zip. This entry and bot/config.ts / bot/index.ts are the only readers of process.env.
 */
async function main(): Promise<void> {
  const root = path.resolve(__dirname, fs.existsSync(path.resolve(__dirname, '../package.json')) ? '..' : '../..');
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
  const env = (name: string) => (process.env[name] ?? '').trim();
  const inputs = { appId: env('MicrosoftAppId'), botDomain: env('BOT_DOMAIN'), version: pkg.version, atpWorkspaceUrl: env('ATP_WORKSPACE_URL') || undefined, mcasUrl: env('MCAS_URL') || undefined };
  const problems = inputProblems(inputs);
  if (problems.length) {
    process.stderr.write(`Cannot build the Teams app package:\n${problems.map((p) => `  ${p}`).join('\n')}\n`);
    process.exit(2);
  }
  const zip = await buildPackage(inputs);
  const out = path.join(root, 'build', 'hybridwatch.zip');
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, zip);
  process.stdout.write(`Wrote ${path.relative(process.cwd(), out) || out} (${zip.length} bytes): upload it in Teams (Apps → Manage your apps → Upload an app) or the Teams admin center.\n`);
}

main().catch((e) => {
  process.stderr.write(`Packaging failed: ${(e as Error).message}\n`);
  process.exit(1);
});
