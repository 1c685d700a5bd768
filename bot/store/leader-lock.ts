import { Client } from 'pg';
import type { Store } from './store';

/**
 * "Exactly one instance does X" (the Cloud App Security poller): a PostgreSQL session-level advisory
 * lock held on a dedicated connection. If the holder dies its connection closes and the lock frees;
 * another instance takes it on its next try (call tryAcquire every poll interval). SQLite is the
 * single-process default: there the caller is always the leader.
 */
export class LeaderLock {
  private client: Client | null = null;
  private held = false;

  constructor(private readonly store: Store, private readonly databaseUrl: string | undefined, private readonly key: number) {}

  get isLeader(): boolean {
    return this.store.dialect === 'sqlite' || this.held;
  }

  /** Try to become (or stay) leader; never blocks. */
  async tryAcquire(): Promise<boolean> {
    if (this.store.dialect === 'sqlite') return true;
    if (this.held && this.client) {
      try {
        await this.client.query('select 1');
        return true;
      } catch {
        await this.drop();
      }
    }
    try {
      if (!this.client) {
        this.client = new Client({ connectionString: this.databaseUrl });
        this.client.on('error', () => void this.drop());
        await this.client.connect();
      }
      const r = await this.client.query<{ ok: boolean }>('select pg_try_advisory_lock($1) as ok', [this.key]);
      this.held = r.rows[0]?.ok === true;
      return this.held;
    } catch {
      await this.drop();
      return false;
    }
  }

  async release(): Promise<void> {
    if (this.client && this.held) await this.client.query('select pg_advisory_unlock($1)', [this.key]).catch(() => undefined);
    await this.drop();
  }

  private async drop(): Promise<void> {
    this.held = false;
    const c = this.client;
    this.client = null;
    await c?.end().catch(() => undefined);
  }
}

/** Advisory lock keys used by Hybridwatch (one place, so they never collide). */
export const LOCK_KEYS = { mcasPoller: 0x4877_0001, retention: 0x4877_0002 } as const;
