import type { Kysely } from 'kysely';
import { openStore, type Store } from '../../bot/store/store';
import type { Schema } from '../../bot/store/schema';
import type { AlertRow, AlertUser } from '../../bot/hybrid/alert';
import { createTestDatabase, type TestDatabase } from './db';

/** A fresh migrated database whose `db` counts the statements run through it (a Kysely plugin sees each one). */
export interface CountedStore {
  store: Store;
  db: Kysely<Schema>;
  statements(): number;
  close(): Promise<void>;
}

export async function openCountedStore(): Promise<CountedStore> {
  const tdb: TestDatabase = await createTestDatabase();
  const store = await openStore({ dataDir: tdb.dataDir, databaseUrl: tdb.databaseUrl });
  let n = 0;
  const db = store.db.withPlugin({
    transformQuery: (a) => a.node,
    transformResult: async (a) => {
      n++;
      return a.result;
    },
  });
  return {
    store,
    db,
    statements: () => n,
    async close() {
      await store.close();
      await tdb.drop();
    },
  };
}

/** An alert row as the ledger hands it to listeners (no alerts row needed by the outbox or the search index). */
export function alertRow(id: string, over: Partial<AlertRow> = {}): AlertRow {
  const users: AlertUser[] = over.users ?? [{ raw: 'CONTOSO\\jdoe', key: 'aad:4', upn: 'jdoe@contoso.com', displayName: 'John Doe', sam: 'jdoe', domain: 'contoso.local', resolution: 'resolved' }];
  return {
    id, source: 'onprem', onprem_id: id, cloud_id: null, type: '2023', type_name: 'BruteForceSecurityAlert', title: `Suspected brute force ${id}`, description: 'Password guessing', severity: 'medium', status: 'open',
    users, hosts: ['WKS-17'], first_seen: '2026-03-02T09:00:00.000Z', last_seen: '2026-03-02T09:00:00.000Z', trigger_count: 1, cnt: 1, url: null, cloud_url: null, app: null, policy: null, threat_score: null, last_hash: 'h',
    closed_by_id: null, closed_by_name: null, closed_at: null, resolution: null, assigned_to_id: null, assigned_to_name: null, muted_until: null, created_at: '2026-03-02T09:00:00.000Z', updated_at: '2026-03-02T09:00:00.000Z',
    graph_id: null, graph_url: null, incident_url: null,
    ...over,
  } as AlertRow;
}
