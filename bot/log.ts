import pino, { type Logger } from 'pino';

export type { Logger };

/** Paths whose values never reach a log line. */
export const REDACT_PATHS = [
  'password', '*.password', 'secret', '*.secret', 'token', '*.token', 'clientSecret', '*.clientSecret',
  'appPassword', '*.appPassword', 'authorization', '*.authorization', 'Authorization', '*.Authorization',
  'headers.authorization', 'req.headers.authorization', '*.headers.authorization', 'req.headers.cookie',
  'MicrosoftAppPassword', 'GRAPH_CLIENT_SECRET', 'MCAS_TOKEN', 'MCAS_CLIENT_SECRET', 'INGEST_TOKEN', 'access_token', '*.access_token',
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, base: { app: 'hybridwatch' }, redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, destination);
}
