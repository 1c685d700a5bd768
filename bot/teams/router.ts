import type { Capability } from '../directory/roles';
import type { HandlerContext, InvokeResult } from './context';
import type { ExtensionResult, SearchQuery } from './extension';

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

/** An Action.Execute verb may also come from an Action.Submit on a card the message extension inserted. */
export interface ExtensionCardAction extends ActionRoute {
  /** Allowed through `composeExtension/onCardButtonClicked` (only verbs that say so are). */
  fromExtensionCards: true;
}

/** A message-extension search command (`composeExtension/query`, manifest `composeExtensions.commands`). */
export interface QueryRoute {
  commandId: string;
  /** How a denial names it ("Searching alerts"). */
  label: string;
  capability: Capability;
  handle(ctx: HandlerContext, q: SearchQuery): Promise<ExtensionResult>;
}

/** Why a caller gets no data for a link: no role, a role check that failed, or an anonymous (zero-install) unfurl. */
export type Withheld = 'noRole' | 'unverified' | 'anonymous';

/** Link unfurling (`composeExtension/queryLink`): the first route whose match() understands the URL answers. */
export interface LinkRoute<T = unknown> {
  name: string;
  label: string;
  capability: Capability;
  /** Pure, before any role check: what the route reads in the link, or null when it is not its link. */
  match(url: string): T | null;
  handle(ctx: HandlerContext, matched: T): Promise<ExtensionResult>;
  /** The answer for a caller who may not see alert data: it holds none, and never says whether the alert exists. */
  withheld(matched: T, why: Withheld): ExtensionResult;
}

export function matchQuery(routes: readonly QueryRoute[], commandId: string | undefined): QueryRoute | null {
  return routes.find((r) => r.commandId === commandId) ?? null;
}

export function matchLink(routes: readonly LinkRoute<any>[], url: string): { route: LinkRoute<any>; matched: unknown } | null {
  for (const route of routes) {
    const matched = route.match(url);
    if (matched !== null) return { route, matched };
  }
  return null;
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
