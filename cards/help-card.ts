import { card, heading, text, type CardMessage } from './card';

export interface HelpEntry {
  usage: string;
  description: string;
}

/** The commands the caller may use, built from the router's own table. */
export function helpCard(entries: HelpEntry[], intro?: string): CardMessage {
  const body = [heading('Hybridwatch'), text(intro ?? 'Hybrid identity threat protection: Azure ATP (on-premises) and Cloud App Security (cloud), from Teams. Commands you can use:', { isSubtle: true })];
  body.push({
    type: 'FactSet',
    facts: entries.map((e) => ({ title: e.usage, value: e.description })),
  });
  return { card: card(body, { fallbackText: 'Hybridwatch commands' }), summary: 'Hybridwatch: commands you can use' };
}
