import type { Kysely } from 'kysely';
import type { Dialect } from '../store';
import * as core from './001-core';
import * as onprem from './003-onprem';
import * as cloud from './004-cloud';
import * as hybrid from './005-hybrid';
import * as notify from './006-notify';
import * as chains from './007-chains';
import * as graph from './008-graph';
import * as extension from './010-extension';
import * as response from './011-response';
import * as ingestIndexes from './012-ingest-indexes';

/**
 * Ordered by name. Each concern adds its own file with a distinct number and registers it here;
 * never edit a migration that has shipped.
 */
export const MIGRATIONS: Record<string, { up(db: Kysely<any>, dialect: Dialect): Promise<void> }> = {
  '001-core': core,
  '003-onprem': onprem,
  '004-cloud': cloud,
  '005-hybrid': hybrid,
  '006-notify': notify,
  '007-chains': chains,
  '008-graph': graph,
  '010-extension': extension,
  '011-response': response,
  '012-ingest-indexes': ingestIndexes,
};
