import type { CardMessage } from '../../cards/card';
import type { Preview } from '../../cards/previews';

/** A compose-box search as Teams sends it (`composeExtension/query`), normalized and bounded. */
export interface SearchQuery {
  commandId: string;
  /** The typed text as given (untrusted; bounded to MAX_QUERY_INPUT characters when normalized). */
  text: string;
  /** `initialRun`: Teams opened the command; answer as for an empty query. */
  initialRun: boolean;
  skip: number;
  count: number;
}

/** One result: the card inserted when picked, and the thumbnail Teams lists. */
export interface ExtensionAttachment {
  card: CardMessage;
  preview: Preview;
}

/** What a message-extension handler answers (turned into `{ composeExtension: … }` by the turn handler). */
export type ExtensionResult =
  | { type: 'result'; attachments: ExtensionAttachment[]; /** Ask Teams not to cache a link preview (alert data). */ noCache?: boolean }
  | { type: 'message'; text: string };

/** Longest raw query text kept from an activity (the handlers answer anything over MAX_QUERY with a sentence). */
export const MAX_QUERY_INPUT = 10_000;
export const DEFAULT_COUNT = 25;
export const MAX_COUNT = 25;
export const MAX_SKIP = 1000;

const ADAPTIVE = 'application/vnd.microsoft.card.adaptive';
const THUMBNAIL = 'application/vnd.microsoft.card.thumbnail';

/** The invoke response body Teams reads (respond-to-search / link-unfurling). */
export function composeExtensionBody(r: ExtensionResult): Record<string, unknown> {
  if (r.type === 'message') return { composeExtension: { type: 'message', text: r.text } };
  const body: Record<string, unknown> = {
    type: 'result',
    attachmentLayout: 'list',
    attachments: r.attachments.map((a) => ({ contentType: ADAPTIVE, content: a.card.card, preview: { contentType: THUMBNAIL, content: a.preview } })),
  };
  if (r.noCache) body.suggestedActions = { actions: [{ type: 'setCachePolicy', value: JSON.stringify({ type: 'no-cache' }) }] };
  return { composeExtension: body };
}
