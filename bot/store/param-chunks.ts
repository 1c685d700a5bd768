/**
 * Bound parameters per statement: SQLite allows 32,766, PostgreSQL 65,535. Multi-row writes are cut so
 * one statement stays under the lower of the two, with room to spare for the rest of the statement.
 */
export const MAX_PARAMS = 32_000;

/** `rows` cut into pieces of at most MAX_PARAMS / `paramsPerRow` rows (and at most `maxRows`). */
export function paramChunks<T>(rows: readonly T[], paramsPerRow: number, maxRows = Infinity): T[][] {
  const size = Math.max(1, Math.min(maxRows, Math.floor(MAX_PARAMS / Math.max(1, paramsPerRow))));
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}
