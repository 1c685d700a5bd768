import type { Clock } from '../clock';
import type { AccountQuery, Directory, DirectoryUser } from './directory';
import type { RoleName } from './roles';

/** At most 5 minutes: a revoked role stops working within that time. Errors are never cached. */
export const ROLE_CACHE_MS = 5 * 60_000;

export class CachedDirectory implements Directory {
  private readonly cache = new Map<string, { at: number; value: unknown }>();
  readonly listUsers?: Directory['listUsers'];

  constructor(private readonly inner: Directory, private readonly clock: Clock, private readonly ttlMs = ROLE_CACHE_MS, private readonly maxEntries = 10_000) {
    if (inner.listUsers) this.listUsers = () => inner.listUsers!();
  }

  rolesOf(id: string): Promise<RoleName[]> {
    return this.memo(`roles:${id.toLowerCase()}`, () => this.inner.rolesOf(id));
  }
  getUser(id: string): Promise<DirectoryUser | null> {
    return this.memo(`user:${id.toLowerCase()}`, () => this.inner.getUser(id));
  }
  findUsers(q: AccountQuery): Promise<DirectoryUser[]> {
    return this.memo(`find:${JSON.stringify(q).toLowerCase()}`, () => this.inner.findUsers(q));
  }

  private async memo<T>(key: string, load: () => Promise<T>): Promise<T> {
    const now = this.clock.now().getTime();
    const hit = this.cache.get(key);
    if (hit && now - hit.at < this.ttlMs) return hit.value as T;
    const value = await load();
    if (this.cache.size >= this.maxEntries) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(key, { at: now, value });
    return value;
  }
}
