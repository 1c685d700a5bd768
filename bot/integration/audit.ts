import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Schema, AuditLogTable } from '../store/schema';
import type { Actor } from '../events';

export interface AuditEntry {
  actor: Actor;
  action: string;
  outcome: AuditLogTable['outcome'];
  from?: string | null;
  to?: string | null;
  detail?: Record<string, unknown>;
  at: Date;
}

/** Every admin change and every denied attempt leaves a row. */
export async function audit(db: Kysely<Schema>, e: AuditEntry): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      id: randomUUID(),
      at: e.at.toISOString(),
      actor_id: e.actor.id,
      actor_name: e.actor.name,
      action: e.action,
      outcome: e.outcome,
      from_state: e.from ?? null,
      to_state: e.to ?? null,
      detail: JSON.stringify(e.detail ?? {}),
    })
    .execute();
}

export async function recentAudit(db: Kysely<Schema>, limit = 20): Promise<AuditLogTable[]> {
  return db.selectFrom('audit_log').selectAll().orderBy('at', 'desc').limit(limit).execute();
}
