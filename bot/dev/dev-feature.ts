import type { AddressInfo } from 'node:net';
import type { Server } from 'restify';
import type { AppParts, Feature } from '../feature';
import { DEV_TENANT_ID, type ActivityEnv } from './activity-factory';
import { CONNECTOR_PATH, mountConnector } from './connector-routes';
import { mountConsole } from './console-routes';
import { DevHub } from './dev-hub';
import { mountGallery } from './gallery-routes';
import { mountExtensionConsole } from './extension-console';

/** This server's own loopback base URL (never from the Host header: the bot will POST to it). */
export function selfUrl(server: Server, host: string): string {
  const addr = server.address() as AddressInfo | null;
  const h = host === '::1' ? '[::1]' : host === '0.0.0.0' || host === 'localhost' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return `http://${h}:${addr?.port ?? 0}`;
}

/**
 * The dev console (local mode only): a page that plays Teams. Its messages go to the real
 * /api/messages as Teams-shaped activities whose serviceUrl is this server's /dev/connector/.
 * In production nothing is mounted, so /dev/ is a plain 404.
 */
export function devFeature(parts: AppParts): Feature {
  if (parts.config.mode !== 'local') return { name: 'dev' };
  const hub = new DevHub();
  const userNames = new Map<string, string>();
  const base = () => selfUrl(parts.server, parts.config.host);
  const activityEnv = (): ActivityEnv => ({
    serviceUrl: `${base()}${CONNECTOR_PATH}`,
    // With an allow list set, activities from other tenants are refused: play the first allowed tenant.
    tenantId: parts.config.allowedTenantIds[0] ?? DEV_TENANT_ID,
    botId: `28:${parts.config.bot.appId || 'hybridwatch-dev'}`,
  });
  mountConnector(parts.server, hub, parts.log, (oid) => userNames.get(oid));
  const api = mountConsole({
    parts,
    hub,
    baseUrl: base,
    env: () => activityEnv(),
    rememberUser: (oid, name) => userNames.set(oid, name),
  });
  mountGallery(parts, api.guard, api.files);
  mountExtensionConsole(parts, hub, api, () => activityEnv());

  // server.close() waits for open responses and the live event streams never end on their own:
  // end them as soon as the server starts closing (Feature.stop runs only after close completes).
  const http = parts.server.server;
  const close = http.close.bind(http);
  http.close = ((cb?: (err?: Error) => void) => {
    hub.closeAll();
    return close(cb);
  }) as typeof http.close;

  return {
    name: 'dev',
    async start() {
      parts.log.info({ url: `${base()}/dev/`, cards: `${base()}/dev/cards` }, 'dev console: open it in a browser to play Teams (card template gallery at /dev/cards)');
    },
    async stop() {
      hub.closeAll();
    },
  };
}
