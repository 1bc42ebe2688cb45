import type Database from 'better-sqlite3';
import { DatabaseBusyError } from './errors.js';

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
 * handle wrote after it started reading. Nested calls become savepoints. A lock still held by
 * another connection after the timeout is a DatabaseBusyError, not SQLite's bare message.
 */
export function writeTransaction<T>(ctx: StoreContext, fn: () => T): T {
  try {
    return ctx.db.transaction(fn).immediate();
  } catch (err) {
    throw busyErrorOf(err, ctx) ?? err;
  }
}

/** SQLITE_BUSY (and its extended codes) as a DatabaseBusyError; undefined for anything else. */
export function busyErrorOf(
  err: unknown,
  ctx: Pick<StoreContext, 'db' | 'file'>,
): DatabaseBusyError | undefined {
  const code = (err as { code?: unknown }).code;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_BUSY')) return undefined;
  const waitedMs = ctx.db.pragma('busy_timeout', { simple: true }) as number;
  return new DatabaseBusyError(ctx.file, waitedMs, { cause: err });
}

/** Finite whole number >= min, as ids, sizes and counts must be. */
export function isWholeNumber(value: unknown, min = 0): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= min;
}
