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
  /**
   * Microsoft Graph's security API with the GRAPH_* app (issue 12; present when GRAPH_* is set): one
   * connector for the instance (token, Retry-After for every call, budget, typed errors). Issue 15's
   * identity actions call `request` on it.
   */
  graphSecurity?: import('./sources/graph/graph-security-client').GraphSecurityClient;
  /** Actions written back to Defender XDR for alerts with a Graph id (close, assign, comment). */
  xdrActions?: import('./sources/graph/xdr-actions').XdrActions;
  /** Defender for Identity sensors and health issues (cached ≤ 30 s); says "not configured" without GRAPH_*. */
  mdiHealth?: import('./sources/graph/mdi-health').MdiHealth;
  /**
   * Identity response (issue 15): Entra ID Protection's view and the actions on a user (confirm compromised,
   * revoke sessions, disable the on-premises account, force a password reset, dismiss risk) through Graph,
   * or simulated in local mode. Set by responseFeature.
   */
  identityResponse?: import('./response/identity-response').IdentityResponse;
}
