import type { Server } from 'restify';
import type { CloudAdapter } from 'botbuilder';
import type { Clock } from './clock';
import type { Config } from './config';
import type { Directory } from './directory/directory';
import type { Logger } from './log';
import type { Readiness } from './server/http-server';
import type { Services } from './services';
import type { Store } from './store/store';
import type { ActionRoute, CommandRoute, LinkRoute, QueryRoute } from './teams/router';

/** What the composition root hands each concern when it builds it. */
export interface AppParts {
  config: Config;
  store: Store;
  services: Services;
  server: Server;
  adapter: CloudAdapter;
  directory: Directory;
  log: Logger;
  clock: Clock;
  /** Injected HTTP client for outbound calls (tests pass one that reaches local fakes). */
  fetch: typeof fetch;
}

/** A concern plugged into the app: its chat commands, card verbs, background work and readiness. */
export interface Feature {
  name: string;
  commands?: CommandRoute[];
  actions?: ActionRoute[];
  /** Message extension: compose-box search commands and link unfurling. */
  queries?: QueryRoute[];
  links?: LinkRoute<any>[];
  readiness?: Readiness[];
  start?(): Promise<void>;
  /** Stop accepting work, finish what is in flight. */
  stop?(): Promise<void>;
}
