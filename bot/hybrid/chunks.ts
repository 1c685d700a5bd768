/**
 * Bound parameters per statement: SQLite allows 32,766, PostgreSQL 65,535. Multi-row statements stay
 * under the smaller with room to spare (and under 1,000 rows: bigger statements gain nothing).
 */
export const MAX_PARAMS = 30_000;

export const chunks = <T>(xs: readonly T[], n: number): T[][] => Array.from({ length: Math.ceil(xs.length / n) }, (_, i) => xs.slice(i * n, i * n + n));

/** Rows per multi-row insert for a table of `columns` columns. */
export const rowsPerStatement = (columns: number): number => Math.max(1, Math.min(1000, Math.floor(MAX_PARAMS / columns)));
