import type { Kysely } from 'kysely';
import type { Dialect } from '../store';
import * as core from './001-core';

/**
 * Ordered by name. Each concern adds its own file with a distinct number and registers it here;
 * never edit a migration that has shipped.
 */
export const MIGRATIONS: Record<string, { up(db: Kysely<any>, dialect: Dialect): Promise<void> }> = {
  '001-core': core,
};
