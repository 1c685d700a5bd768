import fs from 'node:fs';
import path from 'node:path';
import { buildPackage, inputProblems } from './build-package';

/**
 * `npm run package`: fill the manifest from the environment (MicrosoftAppId, BOT_DOMAIN) and write
 * build/hybridwatch.zip. This entry and bot/config.ts / bot/index.ts are the only readers of process.env.
 */
async function main(): Promise<void> {
  const root = path.resolve(__dirname, fs.existsSync(path.resolve(__dirname, '../package.json')) ? '..' : '../..');
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
  const inputs = { appId: (process.env.MicrosoftAppId ?? '').trim(), botDomain: (process.env.BOT_DOMAIN ?? '').trim(), version: pkg.version };
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
