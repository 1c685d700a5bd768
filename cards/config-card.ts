import { card, esc, heading, openUrl, text, type CardMessage, type Element } from './card';

/** The seed's "Azure ATP configuration" links, for the configured workspace. */
export function configCard(workspaceUrl: string | undefined): CardMessage {
  if (!workspaceUrl) {
    return {
      card: card([
        heading('Azure ATP configuration'),
        text('No Azure ATP workspace is configured. An administrator sets **ATP\\_WORKSPACE\\_URL** (for example `https://contoso.atp.azure.com`) in Hybridwatch\'s environment and restarts it; then this card links to sensors, directory service accounts, RADIUS accounting for VPN and the health center.'),
      ]),
      summary: 'Azure ATP configuration: workspace not set',
    };
  }
  const base = workspaceUrl.replace(/\/+$/, '');
  const host = new URL(base).hostname;
  const links: Array<[string, string, string]> = [
    ['Configure sensors', `${base}/settings/sensors`, 'Install and configure Azure ATP sensors on your domain controllers.'],
    ['Directory service accounts', `${base}/settings/directoryServices`, 'The account Azure ATP uses to read Active Directory.'],
    ['RADIUS accounting for VPN', `${base}/settings/vpn`, 'Lets Azure ATP see VPN connections (needed for suspicious VPN connection detection).'],
    ['Health center', `${base}/health`, 'Sensor and workspace health issues.'],
  ];
  const body: Element[] = [heading('Azure ATP configuration'), text(`Workspace: ${esc(host, 120)}`, { isSubtle: true })];
  for (const [title, , why] of links) body.push(text(`**${title}**: ${why}`));
  const actions = links.map(([title, href]) => openUrl(title, href, [host])).filter((a): a is Element => !!a);
  return { card: card(body, { actions }), summary: 'Azure ATP configuration links' };
}
