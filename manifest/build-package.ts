import JSZip from 'jszip';
import template from './manifest.template.json';
import { colorIcon, outlineIcon } from './icons';
import { linkDomains } from '../bot/extension/links';

export interface PackageInputs {
  /** MicrosoftAppId: the bot registration's app id, also the manifest id and SSO app id. */
  appId: string;
  /** BOT_DOMAIN: public host name serving /api/messages and /tab/. */
  botDomain: string;
  /** Manifest version (x.y.z); from package.json. */
  version: string;
  /** ATP_WORKSPACE_URL and MCAS_URL (optional): their hosts join the link-unfurling domains. */
  atpWorkspaceUrl?: string;
  mcasUrl?: string;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HOST = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;

/** What is wrong with the inputs, one line per problem naming the variable and the fix. */
export function inputProblems(i: Partial<PackageInputs>): string[] {
  const p: string[] = [];
  if (!i.appId || !GUID.test(i.appId)) p.push(`MicrosoftAppId: "${i.appId ?? ''}" is not an app id (GUID). Set it to the Azure Bot registration's Microsoft App ID.`);
  if (!i.botDomain || !HOST.test(i.botDomain)) p.push(`BOT_DOMAIN: "${i.botDomain ?? ''}" is not a host name. Set it to the public host only, e.g. hybridwatch.contoso.com.`);
  if (!i.version || !/^\d+\.\d+\.\d+$/.test(i.version)) p.push(`version: "${i.version ?? ''}" is not x.y.z.`);
  for (const [name, value, example] of [['ATP_WORKSPACE_URL', i.atpWorkspaceUrl, 'https://contoso.atp.azure.com'], ['MCAS_URL', i.mcasUrl, 'https://contoso.eu2.portal.cloudappsecurity.com']] as const) {
    if (value && !portalHost(value)) p.push(`${name}: "${value}" is not an https URL with a public host name (link unfurling registers that host). Set it like ${example}, or unset it.`);
  }
  return p;
}

function portalHost(url: string): string | null {
  try {
    const u = new URL(url);
    return u.protocol === 'https:' && HOST.test(u.hostname) ? u.hostname : null;
  } catch {
    return null;
  }
}

/** The hosts Teams sends pasted links for (composeExtensions.messageHandlers): see bot/extension/links.ts. */
export function manifestLinkDomains(i: Pick<PackageInputs, 'atpWorkspaceUrl' | 'mcasUrl'>): string[] {
  return linkDomains({ atpWorkspaceUrl: i.atpWorkspaceUrl || undefined, mcasUrl: i.mcasUrl || undefined });
}

/**
 * The manifest with ids filled in: every {{APP_ID}}, {{BOT_DOMAIN}}, {{VERSION}} in any string, and an
 * array element "{{LINK_DOMAINS}}" replaced by the link-unfurling domains.
 */
export function buildManifest(i: PackageInputs): Record<string, unknown> {
  const values: Record<string, string> = { APP_ID: i.appId.toLowerCase(), BOT_DOMAIN: i.botDomain.toLowerCase(), VERSION: i.version };
  const lists: Record<string, string[]> = { '{{LINK_DOMAINS}}': manifestLinkDomains(i) };
  return JSON.parse(JSON.stringify(template), (_k, v) =>
    Array.isArray(v)
      ? v.flatMap((x) => (typeof x === 'string' && x in lists ? lists[x] : [x]))
      : typeof v === 'string' && !(v in lists)
      ? v.replace(/\{\{([A-Z_]+)\}\}/g, (m, name: string) => {
          if (!(name in values)) throw new Error(`manifest template: unknown placeholder ${m}`);
          return values[name];
        })
      : v,
  ) as Record<string, unknown>;
}

/** The app package Teams accepts: manifest.json and the two icons at the zip's root. */
export async function buildPackage(i: PackageInputs): Promise<Buffer> {
  const problems = inputProblems(i);
  if (problems.length) throw new Error(problems.join('\n'));
  const zip = new JSZip();
  const date = new Date('2026-01-01T00:00:00Z'); // fixed: the same inputs give the same bytes
  zip.file('manifest.json', JSON.stringify(buildManifest(i), null, 2) + '\n', { date });
  zip.file('color.png', colorIcon(), { date });
  zip.file('outline.png', outlineIcon(), { date });
  return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE', platform: 'DOS' });
}
