import type { Clock } from '../clock';
import { ROLE_CACHE_MS } from '../directory/cached-directory';
import type { Directory } from '../directory/directory';
import type { RoleName } from '../directory/roles';
import type { Logger } from '../log';
import type { Breaker } from './breaker';

/**
 * Directory roles of `aad:` users for the impact factor, kept ROLE_CACHE_MS (a revoked role stops
 * counting within that time). Filled before a batch's transaction opens (Ledger.beforeBatch), so the
 * rescore inside it reads memory; misses are fetched concurrently (at most `concurrency` at once), and
 * a failure opens the breaker: the rest are skipped and keep their last known impact (fail soft).
 */
export class RoleCache {
  private readonly cache = new Map<string, { at: number; roles: RoleName[] }>();

  constructor(
    private readonly directory: Directory,
    private readonly clock: Clock,
    private readonly breaker: Breaker,
    private readonly log?: Logger,
    private readonly ttlMs = ROLE_CACHE_MS,
    private readonly concurrency = 8,
    private readonly maxEntries = 50_000,
  ) {}

  /** The roles of a user key (`aad:<object id>`) if known and fresh. */
  get(key: string): RoleName[] | undefined {
    const hit = this.cache.get(key);
    return hit && this.clock.now().getTime() - hit.at < this.ttlMs ? hit.roles : undefined;
  }

  /** Fetch the roles of these keys that are not cached; never throws. */
  async load(keys: readonly string[]): Promise<void> {
    const todo = [...new Set(keys)].filter((k) => k.startsWith('aad:') && this.get(k) === undefined);
    let next = 0;
    const worker = async () => {
      while (next < todo.length && !this.breaker.isOpen()) {
        const k = todo[next++];
        try {
          const roles = await this.directory.rolesOf(k.slice(4));
          this.cache.delete(k);
          if (this.cache.size >= this.maxEntries) this.cache.delete(this.cache.keys().next().value!);
          this.cache.set(k, { at: this.clock.now().getTime(), roles });
        } catch (e) {
          this.breaker.trip(e);
          this.log?.warn({ err: { message: (e as Error).message }, user: k }, 'priority: roles unavailable, keeping the last known impact');
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, todo.length) }, worker));
  }
}
