import { plain, safeLink, type CardMessage } from './card';
import { render } from './render';

/** cards/templates/config.json: the seed's "Azure ATP configuration" links for the configured workspace. */
export interface ConfigModel {
  configured: boolean;
  host: string;
  links: Array<{ title: string; url: string; why: string }>;
}

const LINKS: Array<[string, string, string]> = [
  ['Configure sensors', '/settings/sensors', 'Install and configure Azure ATP sensors on your domain controllers.'],
  ['Directory service accounts', '/settings/directoryServices', 'The account Azure ATP uses to read Active Directory.'],
  ['RADIUS accounting for VPN', '/settings/vpn', 'Lets Azure ATP see VPN connections (needed for suspicious VPN connection detection).'],
  ['Health center', '/health', 'Sensor and workspace health issues.'],
];

export function configModel(workspaceUrl: string | undefined): ConfigModel {
  if (!workspaceUrl) return { configured: false, host: '', links: [] };
  const base = workspaceUrl.replace(/\/+$/, '');
  const host = new URL(base).hostname;
  const links = LINKS.flatMap(([title, p, why]) => {
    const l = safeLink(title, `${base}${p}`, [host]);
    return l ? [{ ...l, why }] : [];
  });
  return { configured: true, host: plain(host, 120), links };
}

/** `config`: links to sensors, directory service accounts, RADIUS accounting and the health center. */
export function configCard(workspaceUrl: string | undefined): CardMessage {
  return render('config', configModel(workspaceUrl), { summary: workspaceUrl ? 'Azure ATP configuration links' : 'Azure ATP configuration: workspace not set' });
}
