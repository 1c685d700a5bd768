import type { Capability } from '../directory/roles';
import type { HandlerContext, InvokeResult } from './context';

/** A chat command: routing is data, testable without HTTP. */
export interface CommandRoute {
  name: string;
  usage: string;
  description: string;
  /** null: anyone (help). Otherwise the caller's roles are verified first, fail closed. */
  capability: Capability | null;
  match: RegExp;
  handle(ctx: HandlerContext, match: RegExpMatchArray): Promise<void>;
}

/** An Action.Execute verb. Handlers must be idempotent: Teams retries slow answers. */
export interface ActionRoute {
  verb: string;
  capability: Capability;
  /** How the denial names the action ("Enabling the integration"). */
  label: string;
  handle(ctx: HandlerContext): Promise<InvokeResult>;
}

export function matchCommand(routes: readonly CommandRoute[], text: string): { route: CommandRoute; match: RegExpMatchArray } | null {
  const t = text.trim();
  for (const route of routes) {
    const m = t.match(route.match);
    if (m) return { route, match: m };
  }
  return null;
}

export function matchAction(routes: readonly ActionRoute[], verb: string | undefined): ActionRoute | null {
  return routes.find((r) => r.verb === verb) ?? null;
}

/** `^word(\s+args)?$`, case-insensitive. */
export function command(word: string, args = ''): RegExp {
  return new RegExp(`^${word}${args ? `(?:\\s+${args})?` : ''}\\s*$`, 'i');
}
