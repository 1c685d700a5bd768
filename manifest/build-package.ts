import JSZip from 'jszip';
import template from './manifest.template.json';
import { colorIcon, outlineIcon } from './icons';

export interface PackageInputs {
  /** MicrosoftAppId: the bot registration's app id, also the manifest id and SSO app id. */
  appId: string;
  /** BOT_DOMAIN: public host name serving /api/messages and /tab/. */
  botDomain: string;
  /** Manifest version (x.y.z); from package.json. */
  version: string;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HOST = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;

/** What is wrong with the inputs, one line per problem naming the variable and the fix. */
export function inputProblems(i: Partial<PackageInputs>): string[] {
  const p: string[] = [];
  if (!i.appId || !GUID.test(i.appId)) p.push(`MicrosoftAppId: "${i.appId ?? ''}" is not an app id (GUID). Set it to the Azure Bot registration's Microsoft App ID.`);
  if (!i.botDomain || !HOST.test(i.botDomain)) p.push(`BOT_DOMAIN: "${i.botDomain ?? ''}" is not a host name. Set it to the public host only, e.g. hybridwatch.contoso.com.`);
  if (!i.version || !/^\d+\.\d+\.\d+$/.test(i.version)) p.push(`version: "${i.version ?? ''}" is not x.y.z.`);
  return p;
}

/** The manifest with ids filled in: every {{APP_ID}}, {{BOT_DOMAIN}}, {{VERSION}} in any string. */
export function buildManifest(i: PackageInputs): Record<string, unknown> {
  const values: Record<string, string> = { APP_ID: i.appId.toLowerCase(), BOT_DOMAIN: i.botDomain.toLowerCase(), VERSION: i.version };
  return JSON.parse(JSON.stringify(template), (_k, v) =>
    typeof v === 'string'
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
