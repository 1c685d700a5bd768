import { safeLink, type CardMessage, type Link } from './card';
import { render } from './render';

/**
 * A pasted link Hybridwatch shows no alert for: not an alert it knows, or a caller who may not see
 * alert data. Small and neutral: it never says whether the alert exists. Every sentence is our own.
 */
export interface LinkNoticeInput {
  reason: 'unknown' | 'noRole' | 'unverified' | 'anonymous';
  /** The portal the link points at ("Azure ATP"), from the link matchers; null for any other page. */
  portal: string | null;
  /** The pasted link: offered as "Open in …" only when it is https on a known host (services.linkHosts). */
  url?: string | null;
  linkHosts: readonly string[];
}

/** cards/templates/link-notice.json. */
export interface LinkNoticeModel {
  heading: string;
  text: string;
  links: Link[];
}

const TEXT: Record<LinkNoticeInput['reason'], (portal: string) => string> = {
  unknown: (p) => `This ${p} link is not an alert in Hybridwatch's ledger: it may be older than the retention period, from another workspace, or not an alert page.`,
  noRole: () => 'Hybridwatch shows alert details to Security Readers and the security admin roles; your directory roles do not include one. A Privileged Role Administrator can assign roles in the Entra admin center.',
  unverified: () => 'Hybridwatch could not verify your directory role just now, so it shows no alert details. Paste the link again in a few minutes.',
  anonymous: () => 'Hybridwatch shows alert details only to people it can verify. Add Hybridwatch in Teams (Apps) and paste the link again to see the alert card.',
};

export function linkNoticeModel(i: LinkNoticeInput): LinkNoticeModel {
  const portal = i.portal ?? 'portal';
  const open = i.portal ? safeLink(`Open in ${i.portal}`, i.url, i.linkHosts) : null;
  return {
    heading: i.reason === 'unknown' ? `${portal} link` : 'alert link',
    text: TEXT[i.reason](portal),
    links: open ? [open] : [],
  };
}

export function linkNoticeCard(i: LinkNoticeInput): CardMessage {
  const m = linkNoticeModel(i);
  return render('link-notice', m, { summary: `Hybridwatch: ${m.heading}` });
}
