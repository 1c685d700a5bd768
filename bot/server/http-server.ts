import restify, { type Server } from 'restify';
import type { Logger } from '../log';
import type { Metrics } from '../metrics';

export interface Readiness {
  name: string;
  check(): boolean | Promise<boolean>;
}

/** restify with the routes every instance has: /healthz, /readyz, /metrics. Concerns mount the rest. */
export function createHttpServer(log: Logger, metrics: Metrics, readiness: Readiness[], beforeScrape: Array<() => Promise<void>>): Server {
  const server = restify.createServer({ name: 'hybridwatch', handleUncaughtExceptions: false });
  server.pre((req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const route = (req.getRoute?.()?.path as string | undefined) ?? 'unmatched';
      metrics.httpDuration.observe({ route: String(route), status: String(res.statusCode) }, Number(process.hrtime.bigint() - started) / 1e9);
    });
    next();
  });
  // Never a stack trace to a client: restify's errors carry code and message only.
  server.on('restifyError', (req, res, err, cb) => {
    if ((err.statusCode ?? 500) >= 500) log.error({ err: { message: err.message }, url: req.url }, 'request failed');
    err.toJSON = () => ({ code: err.code ?? err.name, message: (err.statusCode ?? 500) >= 500 ? 'internal error' : err.message });
    return cb();
  });

  server.get('/healthz', async (_req, res) => {
    res.send(200, { status: 'ok' });
  });
  server.get('/readyz', async (_req, res) => {
    const results = await Promise.all(readiness.map(async (r) => [r.name, await Promise.resolve(r.check()).catch(() => false)] as const));
    const failing = results.filter(([, ok]) => !ok).map(([n]) => n);
    res.send(failing.length ? 503 : 200, { status: failing.length ? 'not ready' : 'ready', checks: Object.fromEntries(results) });
  });
  server.get('/metrics', async (_req, res) => {
    for (const f of beforeScrape) await f().catch((e) => log.warn({ err: { message: (e as Error).message } }, 'metrics sampling failed'));
    const text = await metrics.registry.metrics();
    res.setHeader('Content-Type', metrics.registry.contentType);
    res.sendRaw(200, text);
  });
  return server;
}
