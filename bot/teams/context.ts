import type { Clock } from '../clock';
import type { Directory } from '../directory/directory';
import type { RoleName } from '../directory/roles';
import type { Logger } from '../log';
import type { Store } from '../store/store';
import type { Services } from '../services';
import type { CardMessage } from '../../cards/card';
import type { ChatActivity } from './chat-activity';

export interface Caller {
  id: string;
  name: string;
  roles: RoleName[];
}

/** What every handler gets (probot's Context): one object, everything injected. */
export interface HandlerContext {
  activity: ChatActivity;
  /** Send a message or card into this conversation; resolves to the new activity id. */
  send(reply: string | CardMessage): Promise<string | undefined>;
  /**
   * Send into the caller's own chat with Hybridwatch (created if needed): for turns that did not come
   * from it (a card inserted by the message extension). Teams refuses when the app is not installed
   * for the caller personally; that error is thrown.
   */
  sendToPersonalChat(reply: string | CardMessage): Promise<string | undefined>;
  store: Store;
  directory: Directory;
  log: Logger;
  clock: Clock;
  services: Services;
  /** The verified caller: set by the router before any handler that needs a role runs. */
  caller: Caller;
}

/** What an Action.Execute handler answers: a card that replaces the clicked one, or a text. */
export type InvokeResult = { card: CardMessage } | { message: string };
