import type Database from 'better-sqlite3';

/** What every part of the store shares: the connection, the file it belongs to and the clock. */
export interface StoreContext {
  readonly db: Database.Database;
  readonly file: string;
  /** "Now" as ISO 8601 UTC (the clock is injected so that tests can date objects). */
  now(): string;
}

/**
 * Runs `fn` as one write transaction. IMMEDIATE takes the write lock at BEGIN (waiting up to the
 * busy timeout for another connection), so a transaction never fails halfway because a second
 * handle wrote after it started reading. Nested calls become savepoints.
 */
export function writeTransaction<T>(ctx: StoreContext, fn: () => T): T {
  return ctx.db.transaction(fn).immediate();
}

/** Finite whole number >= min, as ids, sizes and counts must be. */
export function isWholeNumber(value: unknown, min = 0): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= min;
}
