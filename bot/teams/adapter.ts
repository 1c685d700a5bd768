import { CloudAdapter, ConfigurationBotFrameworkAuthentication, type TurnContext } from 'botbuilder';
import type { Config } from '../config';
import type { Logger } from '../log';

/**
 * The Bot Framework adapter. With an empty MicrosoftAppId botbuilder checks no token and sends
 * without one (local mode); with an app id every request's JWT is validated.
 */
export function createAdapter(config: Config, log: Logger, extra: Record<string, string> = {}): CloudAdapter {
  const auth = new ConfigurationBotFrameworkAuthentication({
    MicrosoftAppId: config.bot.appId,
    MicrosoftAppPassword: config.bot.appPassword,
    MicrosoftAppType: config.bot.appType,
    MicrosoftAppTenantId: config.bot.appTenantId,
    ...extra,
  } as Record<string, string>);
  const adapter = new CloudAdapter(auth);
  adapter.onTurnError = async (context: TurnContext, error: Error) => {
    log.error({ err: { message: error.message, name: error.name }, activityType: context.activity?.type }, 'unhandled error in bot turn');
  };
  return adapter;
}
