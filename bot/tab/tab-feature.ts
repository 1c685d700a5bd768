import path from 'node:path';
import type { Request, Response } from 'restify';
import { can } from '../directory/roles';
import type { AppParts, Feature } from '../feature';
import { repoRoot, securityHeaders, StaticFiles } from '../dev/static-files';
import { buildOverview } from './overview';
import { createSsoVerifier, SsoError, type SsoVerifierOptions } from './sso-verifier';

/** Teams (web, desktop, Outlook, Microsoft 365) hosts the tab in a frame; nobody else may. */
export const TEAMS_FRAME_ANCESTORS = "'self' https://teams.microsoft.com https://*.teams.microsoft.com https://*.teams.cloud.microsoft https://*.cloud.microsoft https://*.office.com https://outlook.office.com https://outlook.office365.com https://*.microsoft365.com";

/**
 * The Teams tab: GET /tab/ (a page using @microsoft/teams-js) and GET /api/tab/overview, which trusts
 * only a verified Teams SSO token (production) or, in local mode without a token, the dev identity.
 */
export function tabFeature(parts: AppParts, sso: Partial<Pick<SsoVerifierOptions, 'keys'>> = {}): Feature {
  const { config, server, services, directory, log } = parts;
  const pub = (f: string) => path.join(repoRoot(), 'bot', 'tab', 'public', f);
  const files = new StaticFiles(
    {
      'index.html': pub('index.html'),
      'tab.js': pub('tab.js'),
      'tab.css': pub('tab.css'),
      'teams-js.min.js': require.resolve('@microsoft/teams-js/dist/umd/MicrosoftTeams.min.js'),
    },
    securityHeaders(TEAMS_FRAME_ANCESTORS),
  );
  const verify = createSsoVerifier({
    appId: config.bot.appId,
    botDomain: config.botDomain,
    allowedTenantIds: config.allowedTenantIds,
    authorityHost: config.entraAuthorityHost,
    clock: parts.clock,
    keys: sso.keys,
  });

  server.get('/tab/', async (_req: Request, res: Response) => files.send(res, 'index.html'));
  server.get('/tab/static/:name', async (req: Request, res: Response) => files.send(res, String(req.params.name)));

  server.get('/api/tab/overview', async (req: Request, res: Response) => {
    res.setHeader('cache-control', 'no-store');
    const m = /^Bearer\s+([A-Za-z0-9._~+/=-]{1,8192})$/i.exec(String(req.headers.authorization ?? ''));
    let oid: string;
    let viewerName: string;
    let mode: 'teams-sso' | 'local-dev';
    if (m) {
      if (config.mode === 'local') {
        res.send(400, { error: 'Local mode has no Teams app id to check tokens against: call without a token to use the dev identity.' });
        return;
      }
      try {
        const id = await verify(m[1]);
        oid = id.oid;
        viewerName = id.name ?? id.upn ?? id.oid;
        mode = 'teams-sso';
      } catch (e) {
        const err = e instanceof SsoError ? e : new SsoError(401, 'Teams sign-in failed.');
        if (err.status === 401) res.setHeader('www-authenticate', 'Bearer error="invalid_token"');
        log.info({ reason: err.message }, 'tab overview: token refused');
        res.send(err.status, { error: err.message });
        return;
      }
    } else if (config.mode === 'local') {
      const dev = await devIdentity();
      if (!dev) {
        res.send(403, { error: 'Local mode: no directory user with a reader role to act as.' });
        return;
      }
      oid = dev.aadObjectId;
      viewerName = dev.displayName;
      mode = 'local-dev';
    } else {
      res.setHeader('www-authenticate', 'Bearer');
      res.send(401, { error: 'Open this tab inside Microsoft Teams: it signs you in with Teams SSO.' });
      return;
    }
    try {
      const roles = await directory.rolesOf(oid);
      if (!can(roles, 'read')) {
        res.send(403, { error: 'Hybridwatch data needs a reader role (Security Reader, Global Reader or higher).' });
        return;
      }
    } catch {
      // Fail closed: without the directory's answer nothing is shown.
      res.send(503, { error: 'The directory did not answer, so your role could not be checked. Try again in a few minutes.' });
      return;
    }
    res.send(200, await buildOverview(parts.store.db, services, { name: viewerName, mode }));
  });

  /** Local mode: the first directory user holding the widest role, so the overview shows everything. */
  async function devIdentity() {
    const users = (await directory.listUsers?.()) ?? [];
    return users.find((u) => u.roles.includes('Global Administrator')) ?? users.find((u) => can(u.roles, 'read'));
  }

  return { name: 'tab' };
}
