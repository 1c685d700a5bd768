import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export const ROOT = path.join(__dirname, '../..');
export const ENTRY = path.join(ROOT, 'dist/bot/index.js');

/** Newest source file (TypeScript and card templates) under the folders the build compiles. */
function newest(dir: string): number {
  return fs.readdirSync(dir, { withFileTypes: true }).reduce((m, e) => {
    const p = path.join(dir, e.name);
    return Math.max(m, e.isDirectory() ? newest(p) : /\.(ts|json)$/.test(e.name) ? fs.statSync(p).mtimeMs : 0);
  }, 0);
}

/**
 * `npm run build` when dist/ is older than the sources (tests that spawn the real entry point). A lock
 * directory keeps two test files from compiling into dist/ at the same time.
 */
export function ensureBuilt(): void {
  const lock = path.join(ROOT, 'dist.build-lock');
  const stale = () => !fs.existsSync(ENTRY) || fs.statSync(ENTRY).mtimeMs < Math.max(newest(path.join(ROOT, 'bot')), newest(path.join(ROOT, 'cards')));
  const deadline = Date.now() + 240_000;
  for (;;) {
    if (!stale()) return;
    try {
      fs.mkdirSync(lock);
    } catch {
      if (Date.now() > deadline) throw new Error(`${lock} held for 4 minutes; remove it if no build is running`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
      continue;
    }
    try {
      if (stale()) execFileSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', path.join(ROOT, 'tsconfig.build.json')], { stdio: 'inherit' });
      // tsc leaves an up-to-date output untouched: mark the build as newer than the sources.
      const t = new Date();
      fs.utimesSync(ENTRY, t, t);
    } finally {
      fs.rmdirSync(lock);
    }
    return;
  }
}
