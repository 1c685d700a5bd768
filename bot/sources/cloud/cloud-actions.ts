import type { Actor } from '../../events';
import { InputError } from '../../errors';
import type { AlertRow } from '../../hybrid/alert';
import type { McasClient, McasCloseKind } from './mcas-client';

export type CloudResolution = 'truePositive' | 'benign' | 'falsePositive';

export interface CloudCloseResult {
  cloudId: string;
  resolution: CloudResolution;
  /** Alerts Cloud App Security says it closed (0 or 1 here). */
  closed: number;
  /** Ids the server did not know (already deleted, wrong tenant): tell the user plainly. */
  alertsNotFound: string[];
}

export interface CloseOptions {
  /** Overrides the default reason (benign: 4 other; false positive: 3 not accurate). */
  reasonId?: number;
  /** Extra words appended to the "closed from Teams by …" comment. */
  note?: string;
  signal?: AbortSignal;
  /** Default 3: a card action must answer within seconds, so fewer retries than the poller. */
  maxAttempts?: number;
}

/**
 * Actions back to Cloud App Security (`services.cloudActions`, present when MCAS_URL is set).
 *
 * For the `alert.close` card action (issue 6): call `close(alert, resolution, actor)` for a ledger
 * alert with a `cloud_id` (source 'cloud' or 'both'). It calls close_true_positive / close_benign /
 * close_false_positive with a comment naming `actor` and returns counts; `alertsNotFound` non-empty
 * means the server did not know the alert. It throws `McasError` (status + fix; 401/403 → token
 * invalid or lacks Investigation permissions) and `InputError` for an alert without `cloud_id`.
 * It does NOT write the ledger: the caller records who closed it and when (closed_by_*, closed_at,
 * resolution, status) together with the card update. The call shares the 30 requests/minute budget
 * with polling, so it may wait for a token; pass `signal` to bound that wait.
 */
export interface CloudActions {
  close(alert: Pick<AlertRow, 'cloud_id'>, resolution: CloudResolution, actor: Actor, opts?: CloseOptions): Promise<CloudCloseResult>;
}

const KIND: Record<CloudResolution, { kind: McasCloseKind; reasonId?: number; words: string }> = {
  truePositive: { kind: 'close_true_positive', words: 'true positive' },
  // 4 = "other": the comment says why; 5 "confirmed with end user" would claim something we do not know.
  benign: { kind: 'close_benign', reasonId: 4, words: 'benign' },
  // 3 = "not accurate".
  falsePositive: { kind: 'close_false_positive', reasonId: 3, words: 'false positive' },
};

const printable = (s: string, max: number) => s.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim().slice(0, max);

export function closeComment(resolution: CloudResolution, actor: Actor, note?: string): string {
  const who = `${printable(actor.name, 120) || 'unknown user'} (${printable(actor.id, 80)})`;
  return `Closed as ${KIND[resolution].words} from Microsoft Teams by ${who} via Hybridwatch.${note ? ` ${printable(note, 500)}` : ''}`;
}

export class McasCloudActions implements CloudActions {
  constructor(private readonly client: McasClient) {}

  async close(alert: Pick<AlertRow, 'cloud_id'>, resolution: CloudResolution, actor: Actor, opts: CloseOptions = {}): Promise<CloudCloseResult> {
    if (!alert.cloud_id) throw new InputError('This alert did not come from Cloud App Security, so there is nothing to close there', 'Close it in the Azure ATP portal instead');
    const k = KIND[resolution];
    if (!k) throw new InputError(`Unknown resolution "${String(resolution)}"`, 'Use truePositive, benign or falsePositive');
    const r = await this.client.closeAlerts(k.kind, [alert.cloud_id], closeComment(resolution, actor, opts.note), opts.reasonId ?? k.reasonId, { signal: opts.signal, maxAttempts: opts.maxAttempts ?? 3 });
    return { cloudId: alert.cloud_id, resolution, closed: r.closed, alertsNotFound: r.alertsNotFound };
  }
}
