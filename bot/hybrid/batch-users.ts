import type { AlertUser } from './alert';

/** Directory calls in flight at once while a batch is resolved (Graph throttles per app; the cache absorbs repeats). */
export const RESOLVE_CONCURRENCY = 8;

/** Everything a lookup depends on: two accounts with the same identity resolve to the same user. */
const identity = (u: AlertUser) => JSON.stringify([u.raw, u.key, u.aadObjectId, u.upn, u.sam, u.domain, u.sid, u.displayName]);

/**
 * Resolves the users of many alerts with each distinct account asked once (a spray names thousands
 * of accounts, each many times), at most `limit` at once; each list keeps its order, and two forms of
 * one person in one list count once (as IdentityResolver.resolve does for one alert).
 */
export async function resolveDistinct(lists: AlertUser[][], resolveOne: (u: AlertUser) => Promise<AlertUser[]>, limit = RESOLVE_CONCURRENCY): Promise<AlertUser[][]> {
  const todo = new Map<string, AlertUser>();
  for (const list of lists) for (const u of list) if (!todo.has(identity(u))) todo.set(identity(u), u);
  const done = new Map<string, AlertUser[]>();
  const queue = [...todo.entries()];
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) done.set(next[0], await resolveOne(next[1]));
  };
  await Promise.all(Array.from({ length: Math.min(limit, queue.length) }, worker));
  return lists.map((list) => {
    const out: AlertUser[] = [];
    for (const u of list) for (const r of done.get(identity(u))!) if (!out.some((o) => o.key === r.key)) out.push(r);
    return out;
  });
}
