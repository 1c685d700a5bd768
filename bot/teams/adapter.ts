import { CloudAdapter, ConfigurationBotFrameworkAuthentication, type TurnContext } from 'botbuilder';
import type { Config } from '../config';
import type { Logger } from '../log';

/**
 * The Bot Framework adapter. With an empty MicrosoftAppId botbuilder checks no token and sends
 * without one (local mode); with an app id every request's JWT is validated.
 */
/**
 * The public cloud's Bot Framework endpoints. botbuilder switches to "parameterized" auth as soon as
 * one of these is given, and then uses only what it is given: so an override (tests pointing the
 * OpenID metadata at a local fake) must carry the rest explicitly.
 */
export const PUBLIC_CLOUD_AUTH = {
  ToChannelFromBotLoginUrl: 'https://login.microsoftonline.com/botframework.com',
  ToChannelFromBotOAuthScope: 'https://api.botframework.com',
  ToBotFromChannelTokenIssuer: 'https://api.botframework.com',
  OAuthUrl: 'https://api.botframework.com',
  ToBotFromChannelOpenIdMetadataUrl: 'https://login.botframework.com/v1/.well-known/openidconfiguration',
  ToBotFromEmulatorOpenIdMetadataUrl: 'https://login.microsoftonline.com/botframework.com/v2.0/.well-known/openid-configuration',
  CallerId: 'urn:botframework:azure',
};

export function createAdapter(config: Config, log: Logger, extra?: Record<string, string>): CloudAdapter {
  const auth = new ConfigurationBotFrameworkAuthentication({
    MicrosoftAppId: config.bot.appId,
    MicrosoftAppPassword: config.bot.appPassword,
    MicrosoftAppType: config.bot.appType,
    MicrosoftAppTenantId: config.bot.appTenantId,
    ...(extra ? { ...PUBLIC_CLOUD_AUTH, ...extra } : {}),
  } as Record<string, string>);
  const adapter = new CloudAdapter(auth);
  adapter.onTurnError = async (context: TurnContext, error: Error) => {
    log.error({ err: { message: error.message, name: error.name }, activityType: context.activity?.type }, 'unhandled error in bot turn');
  };
  return adapter;
}
