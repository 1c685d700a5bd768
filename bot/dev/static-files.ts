import fs from 'node:fs';
import path from 'node:path';
import type { Response } from 'restify';

/**
 * The repository root, found from this file whether it runs from source (ts-jest, ts-node) or from
 * dist/ after `npm run build`: static assets are served from the source tree, tsc does not copy them.
 */
export function repoRoot(from = __dirname): string {
  let dir = from;
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'bot'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`cannot find the Hybridwatch root above ${from}`);
    dir = up;
  }
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

/** Content-Security-Policy for our own pages: scripts only from us, no inline script, no framing by strangers. */
export function securityHeaders(frameAncestors = "'none'"): Record<string, string> {
  return {
    'content-security-policy': `default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: https:; connect-src 'self'; frame-ancestors ${frameAncestors}; base-uri 'none'; form-action 'none'`,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  };
}

/** A whitelist of files by public name: nothing outside it is ever read, so no path traversal. */
export class StaticFiles {
  constructor(private readonly files: Record<string, string>, private readonly headers: Record<string, string> = securityHeaders()) {}

  has(name: string): boolean {
    return Object.prototype.hasOwnProperty.call(this.files, name);
  }

  send(res: Response, name: string): void {
    if (!this.has(name)) {
      res.send(404, { error: 'not found' });
      return;
    }
    const file = this.files[name];
    // Read per request: the console is a dev tool and edits to the page should show on reload.
    const body = fs.readFileSync(file);
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'content-length': body.length, 'cache-control': 'no-cache', ...this.headers });
    res.end(body);
  }
}
