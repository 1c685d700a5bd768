import { card, esc, facts, heading, text, when, type CardMessage } from './card';

export type IntegrationNotice =
  | { kind: 'changed'; from: 'disabled' | 'pending' | 'active'; to: 'disabled' | 'pending' | 'active'; actorName: string | null; at: string }
  | { kind: 'nodata'; enabledAt: string; at: string };

/** Integration announcements for subscribed conversations: enabled (pending), active, disabled, no data after 12 h. */
export function integrationCard(n: IntegrationNotice): CardMessage {
  let title: string;
  let line: string;
  let color = 'Default';
  if (n.kind === 'nodata') {
    title = 'Azure ATP integration: no on-premises data yet';
    line = `Enabled at ${when(n.enabledAt)}, and no on-premises event has arrived in 12 hours. Check that the Azure ATP sensors forward security alerts to Hybridwatch's syslog listener and that the sensors are healthy (\`config\` has the links).`;
    color = 'Attention';
  } else if (n.to === 'pending') {
    title = 'Azure ATP integration enabled (pending)';
    line = 'Waiting for the first on-premises event. It may take up to 12 hours until the integration takes effect.';
    color = 'Warning';
  } else if (n.to === 'active') {
    title = 'Azure ATP integration active';
    line = 'On-premises data is arriving: on-premises and cloud alerts are now combined per user.';
    color = 'Good';
  } else {
    title = 'Azure ATP integration disabled';
    line = 'On-premises events are now ignored. Data already collected is kept for the retention period.';
  }
  const rows: Array<[string, string]> = [['When', when(n.at)]];
  if (n.kind === 'changed') rows.push(['By', n.actorName ? esc(n.actorName, 80) : 'Hybridwatch (automatic)']);
  return { card: card([heading(title, { size: 'Medium', color }), text(line), facts(rows)], { fallbackText: title }), summary: title };
}
