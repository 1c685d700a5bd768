/**
 * The thumbnail previews of message extension results (the list Teams shows under the compose box;
 * the Adaptive Card is inserted when one is picked). Pure. A thumbnail card is not an Adaptive Card:
 * Teams draws some HTML in its fields, so untrusted text loses its angle brackets (‹ › look alike and
 * are inert); everything else is plain() text, bounded.
 */
import type { AlertRow } from '../bot/hybrid/alert';
import { listLine, plain, when } from './card';
import { severityLabel } from './alert-card';
import { num } from './risky-card';
import type { UserProfileData } from './user-card';

export interface Preview {
  title: string;
  subtitle?: string;
  text: string;
}

/** Untrusted text for a thumbnail field: plain, bounded, no tags. */
export function previewText(s: unknown, max = 120): string {
  return plain(s, max).replace(/</g, '‹').replace(/>/g, '›');
}

export function alertPreview(a: AlertRow): Preview {
  const users = a.users.length ? listLine(a.users, 2, (u) => plain(u.displayName ?? u.raw, 60)) : '';
  const hosts = a.hosts.length ? listLine(a.hosts, 2, (h) => plain(h, 40)) : '';
  const status = a.status === 'closed' ? 'closed' : 'open';
  return {
    title: previewText(a.title, 120),
    subtitle: `${severityLabel(a.severity)} · ${status} · last seen ${when(a.last_seen)}`,
    text: previewText([users, hosts].filter(Boolean).join(' · ') || 'no users or hosts named', 160),
  };
}

export function userPreview(d: Pick<UserProfileData, 'displayName' | 'upn' | 'onPremAccount' | 'key' | 'score' | 'percentile' | 'qualifies' | 'state'>): Preview {
  const name = d.displayName || d.upn || d.onPremAccount || d.key;
  const risky = d.state === 'risky' || (d.qualifies && d.state !== 'dismissed') ? ' · risky' : '';
  return {
    title: previewText(name, 120),
    subtitle: `Score ${num(d.score)} (${d.percentile}th percentile)${risky}`,
    text: previewText([d.upn, d.onPremAccount].filter(Boolean).join(' · ') || 'on-premises account only', 160),
  };
}

/** The preview of a pasted link's card: the alert's, or a line for a notice. */
export function noticePreview(text: string): Preview {
  return { title: 'Hybridwatch', text: previewText(text, 160) };
}
