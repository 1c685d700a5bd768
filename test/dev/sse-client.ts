/** A small Server-Sent Events reader over fetch, for tests: collects events, waits for a predicate. */
export interface SseEvent {
  id?: string;
  event: string;
  data: any;
}

export class SseClient {
  readonly events: SseEvent[] = [];
  private controller = new AbortController();
  private waiters: Array<() => void> = [];
  done: Promise<void>;

  constructor(url: string, headers: Record<string, string> = {}) {
    this.done = this.run(url, headers).catch(() => undefined);
  }

  private async run(url: string, headers: Record<string, string>): Promise<void> {
    const res = await fetch(url, { headers, signal: this.controller.signal });
    if (!res.body) return;
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    let buf = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += decoder.decode(value, { stream: true });
      let idx;
      while ((idx = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, idx);
        buf = buf.slice(idx + 2);
        const e: SseEvent = { event: 'message', data: undefined };
        const data: string[] = [];
        for (const line of block.split('\n')) {
          if (line.startsWith('id: ')) e.id = line.slice(4);
          else if (line.startsWith('event: ')) e.event = line.slice(7);
          else if (line.startsWith('data: ')) data.push(line.slice(6));
        }
        if (!data.length) continue;
        e.data = JSON.parse(data.join('\n'));
        this.events.push(e);
        this.waiters.splice(0).forEach((w) => w());
      }
    }
  }

  async waitFor<T>(pick: (events: SseEvent[]) => T | undefined | false, timeoutMs = 10_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const got = pick(this.events);
      if (got) return got;
      if (Date.now() > deadline) throw new Error(`SSE waitFor timed out; events: ${JSON.stringify(this.events.map((e) => [e.event, e.data?.message?.text ?? e.data?.text ?? e.data?.message?.cards?.[0]?.body?.[0]?.text]))}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, 100);
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }

  close(): void {
    this.controller.abort();
  }
}

/** Every string in a card, for matching what it says. */
export function cardText(card: unknown): string {
  const out: string[] = [];
  const walk = (x: unknown) => {
    if (typeof x === 'string') out.push(x);
    else if (Array.isArray(x)) x.forEach(walk);
    else if (x && typeof x === 'object') Object.values(x).forEach(walk);
  };
  walk(card);
  return out.join(' \n ');
}

/** Action.Execute buttons anywhere in a card. */
export function executeActions(card: any): Array<{ title: string; verb: string; data: Record<string, unknown> }> {
  const out: any[] = [];
  const walk = (x: any) => {
    if (Array.isArray(x)) x.forEach(walk);
    else if (x && typeof x === 'object') {
      if (x.type === 'Action.Execute') out.push(x);
      Object.values(x).forEach(walk);
    }
  };
  walk(card);
  return out;
}
