import { buildApp } from './app';
import { ConfigError, loadConfig } from './config';
import { applyDevIngestToken } from './dev/dev-token';

/** Entry point: read the environment once, build the app, run until SIGTERM/SIGINT. */
async function main(): Promise<void> {
  let app;
  let devToken;
  try {
    const config = loadConfig(process.env);
    devToken = applyDevIngestToken(config);
    app = await buildApp(config);
  } catch (e) {
    // A bad environment value or CARDS_DIR template: one line naming it, the problem and the fix.
    if (e instanceof ConfigError) {
      process.stderr.write(`Hybridwatch cannot start: ${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
  await app.start();
  if (devToken) app.log.info('local mode: INGEST_TOKEN is unset, so a random token was generated for this process (the dev console uses it to replay the demo scenario); set INGEST_TOKEN to push alerts yourself');
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'shutting down: stopping listeners, finishing in-flight work');
    const timer = setTimeout(() => process.exit(1), 15_000);
    timer.unref();
    await app.stop();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((e) => {
  process.stderr.write(`Hybridwatch failed to start: ${(e as Error).message}\n`);
  process.exit(1);
});
