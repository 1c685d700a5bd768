import { fact, plain, type CardMessage, type Fact } from './card';
import { render } from './render';

export interface HelpEntry {
  usage: string;
  description: string;
}

/** cards/templates/help.json. */
export interface HelpModel {
  intro: string;
  commands: Fact[];
}

const INTRO = 'Hybrid identity threat protection: Azure ATP (on-premises) and Cloud App Security (cloud), from Teams. Commands you can use:';

export function helpModel(entries: HelpEntry[], intro?: string): HelpModel {
  return { intro: plain(intro ?? INTRO, 500), commands: entries.slice(0, 40).map((e) => fact(plain(e.usage, 80), plain(e.description, 300))) };
}

/** The commands the caller may use, built from the router's own table. */
export function helpCard(entries: HelpEntry[], intro?: string): CardMessage {
  return render('help', helpModel(entries, intro), { summary: 'Hybridwatch: commands you can use', fallbackText: 'Hybridwatch commands' });
}
