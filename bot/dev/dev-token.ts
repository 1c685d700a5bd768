import { randomBytes } from 'node:crypto';
import type { Config } from '../config';

/**
 * Local mode without INGEST_TOKEN: generate a random token for this process only, so the dev console's
 * "Replay demo scenario" goes through the real, authenticated /api/ingest/* endpoints. Called by the
 * entry point (bot/index.ts) only: built apps in tests keep "unset = 503". Returns whether it did.
 */
export function applyDevIngestToken(config: Config): boolean {
  if (config.mode !== 'local' || config.ingestToken) return false;
  config.ingestToken = randomBytes(24).toString('base64url');
  return true;
}
