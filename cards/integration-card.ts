import { fact, plain, when, type CardMessage, type Fact } from './card';
import { render } from './render';

export type IntegrationNotice =
  | { kind: 'changed'; from: 'disabled' | 'pending' | 'active'; to: 'disabled' | 'pending' | 'active'; actorName: string | null; at: string }
  | { kind: 'nodata'; enabledAt: string; at: string };

/** cards/templates/integration.json: the wording of each announcement lives in the template. */
export interface IntegrationModel {
  /** pending (enabled) | active | disabled | nodata (no on-premises data 12 h after enabling). */
  kind: 'pending' | 'active' | 'disabled' | 'nodata';
  enabledAt: string;
  facts: Fact[];
}

const TITLES: Record<IntegrationModel['kind'], string> = {
  nodata: 'Azure ATP integration: no on-premises data yet',
  pending: 'Azure ATP integration enabled (pending)',
  active: 'Azure ATP integration active',
  disabled: 'Azure ATP integration disabled',
};

export function integrationModel(n: IntegrationNotice): IntegrationModel {
  const facts = [fact('When', when(n.at))];
  if (n.kind === 'changed') facts.push(fact('By', n.actorName ? plain(n.actorName, 80) : 'Hybridwatch (automatic)'));
  return { kind: n.kind === 'nodata' ? 'nodata' : n.to, enabledAt: n.kind === 'nodata' ? when(n.enabledAt) : '', facts };
}

/** Integration announcements for subscribed conversations: enabled (pending), active, disabled, no data after 12 h. */
export function integrationCard(n: IntegrationNotice): CardMessage {
  const m = integrationModel(n);
  return render('integration', m, { summary: TITLES[m.kind] });
}
