import type { Config } from './config';
import type { EventHooks } from './events';
import type { Ledger } from './hybrid/ledger';
import type { IntegrationService } from './integration/integration-service';
import type { Metrics } from './metrics';
import type { StatusData } from '../cards/status-card';
import type { ChatActivity } from './teams/chat-activity';
import type { CloudActions } from './sources/cloud/cloud-actions';

/**
 * The long-lived objects the composition root builds and hands to handlers. Each concern adds its
 * own field (optional while a concern is off) rather than reaching for globals.
 */
export interface Services {
  config: Config;
  integration: IntegrationService;
  ledger: Ledger;
  events: EventHooks;
  metrics: Metrics;
  /** Human descriptions of the on-prem inputs that are on ("syslog UDP 127.0.0.1:1514"). */
  onPremSources: string[];
  /** Hosts that cards may link to with Action.OpenUrl. */
  linkHosts: string[];
  /** Other concerns contribute to the status card (sensor health, cloud source). */
  statusExtras: Array<() => Promise<Partial<StatusData>>>;
  /** Called for install / uninstall of the bot in a conversation (notify keeps references). */
  conversationHooks: Array<(activity: ChatActivity) => Promise<void>>;
  /** Actions back to Cloud App Security (close alerts); set when MCAS_URL is configured. */
  cloudActions?: CloudActions;
  /** SOC channel cards (issue 6): outbox, delivery worker, who sees buttons. Set by notifyFeature. */
  notify?: import('./notify/notify-service').NotifyService;
}
