import type { Response } from 'restify';

/** One message as the console shows it: what a Teams client would render for an activity. */
export interface ConsoleMessage {
  id: string;
  /** The conversation without `;messageid=…` (the channel, or the personal chat). */
  conversationId: string;
  /** For channel posts: the thread root this is a reply to (undefined = a new thread / personal chat). */
  threadId?: string;
  from: { role: 'user' | 'bot'; name: string; aadObjectId?: string };
  text?: string;
  /** Adaptive Card attachments (content only). */
  cards: unknown[];
  summary?: string;
  timestamp: string;
  /** How many times the bot updated it in place (PUT) or an invoke answer replaced its card. */
  updates: number;
  /** `extension`: the user inserted it through the message extension (a search result or an unfurled link). */
  via?: 'extension';
}

/**
 * One user's own view of a card (Universal Actions): an invoke answer or an automatic refresh replaces
 * the card for that user only, until the bot updates the message for everyone (`basedOn` = its updates).
 */
export interface CardView {
  messageId: string;
  userId: string;
  cards: unknown[];
  basedOn: number;
}

export type HubEvent =
  | { kind: 'message'; message: ConsoleMessage }
  | { kind: 'update'; message: ConsoleMessage; by: 'put' }
  | { kind: 'view'; view: CardView }
  | { kind: 'notice'; level: 'info' | 'error'; text: string };

const messageIdOf = (e: HubEvent): string | undefined => (e.kind === 'message' || e.kind === 'update' ? e.message.id : e.kind === 'view' ? e.view.messageId : undefined);

const MAX_EVENTS = 2000;
const MAX_CLIENTS = 50;

/**
 * The console's memory: every message the page or the bot put into a conversation, and the live
 * Server-Sent Events streams of open pages. In-memory on purpose: it is a dev tool for one process.
 */
export class DevHub {
  private messages = new Map<string, ConsoleMessage>();
  private events: Array<{ seq: number; event: HubEvent }> = [];
  private clients = new Set<Response>();
  private seq = 0;
  private idSeq = 0;
  private heartbeat?: NodeJS.Timeout;

  /** Numeric activity ids, as Teams uses ("1700000000001…"). */
  newId(): string {
    return `${Date.now()}${String(++this.idSeq).padStart(4, '0')}`;
  }

  get(id: string): ConsoleMessage | undefined {
    return this.messages.get(id);
  }

  add(message: ConsoleMessage): ConsoleMessage {
    this.messages.set(message.id, message);
    this.emit({ kind: 'message', message });
    return message;
  }

  /** The user's own view of a card (invoke answer, automatic refresh). */
  setView(messageId: string, userId: string, cards: unknown[]): CardView | undefined {
    const m = this.messages.get(messageId);
    if (!m) return undefined;
    const view: CardView = { messageId, userId, cards, basedOn: m.updates };
    this.emit({ kind: 'view', view });
    return view;
  }

  /** Replace the content of a message in place for everyone (the bot's PUT); undefined when the id is unknown. */
  update(id: string, patch: Pick<ConsoleMessage, 'text' | 'cards' | 'summary'>, by: 'put'): ConsoleMessage | undefined {
    const m = this.messages.get(id);
    if (!m) return undefined;
    const next: ConsoleMessage = { ...m, ...patch, updates: m.updates + 1 };
    this.messages.set(id, next);
    this.emit({ kind: 'update', message: next, by });
    return next;
  }

  notice(text: string, level: 'info' | 'error' = 'info'): void {
    this.emit({ kind: 'notice', level, text });
  }

  /** Every event so far, for tests and for a page that connects late. */
  history(after = 0): Array<{ seq: number; event: HubEvent }> {
    return this.events.filter((e) => e.seq > after);
  }

  private emit(event: HubEvent): void {
    const entry = { seq: ++this.seq, event };
    this.events.push(entry);
    if (this.events.length > MAX_EVENTS) {
      const dropped = this.events.splice(0, this.events.length - MAX_EVENTS);
      const live = new Set(this.events.map((e) => messageIdOf(e.event)));
      for (const d of dropped) {
        const id = messageIdOf(d.event);
        if (id && !live.has(id)) this.messages.delete(id);
      }
    }
    for (const res of this.clients) write(res, entry);
  }

  /** Attach an SSE response: replay what it missed (Last-Event-ID), then stream live. */
  subscribe(res: Response, lastEventId: number): boolean {
    if (this.clients.size >= MAX_CLIENTS) return false;
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-transform', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.write('retry: 1000\n\n');
    for (const e of this.history(lastEventId)) write(res, e);
    this.clients.add(res);
    res.on('close', () => this.clients.delete(res));
    if (!this.heartbeat) {
      // A comment line now and then keeps proxies and the browser from timing the stream out.
      this.heartbeat = setInterval(() => this.clients.forEach((c) => c.write(': keep-alive\n\n')), 15_000);
      this.heartbeat.unref();
    }
    return true;
  }

  clientCount(): number {
    return this.clients.size;
  }

  /** End every stream (server shutdown: open streams would hold server.close() forever). */
  closeAll(): void {
    for (const c of this.clients) c.end();
    this.clients.clear();
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }
}

function write(res: Response, e: { seq: number; event: HubEvent }): void {
  res.write(`id: ${e.seq}\nevent: ${e.event.kind}\ndata: ${JSON.stringify(e.event)}\n\n`);
}
