import type { MemoryLevel } from './types.js';

/** Background work turned away because memory is under pressure. */
export class MemoryPressureError extends Error {
  constructor(
    readonly level: Exclude<MemoryLevel, 'normal'>,
    /** Usage ratio at the time of the refusal (1 = budget exhausted). */
    readonly usage: number,
  ) {
    super(
      `Background work refused: memory usage is ${(usage * 100).toFixed(1)}% of the budget, ` +
        `at the ${level} level (${level === 'critical' ? 'refusing new work' : 'paused'}).`,
    );
    this.name = 'MemoryPressureError';
  }
}

/** A value handed to the memory manager that it cannot work with. */
export class MemoryConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MemoryConfigError';
  }
}

/** A probe reading that cannot be turned into a usage ratio (NaN, infinite, negative, zero limit). */
export class MemoryProbeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MemoryProbeError';
  }
}

/** What a caught value becomes for logging: itself when an Error, else an Error with its text. */
export function asError(thrown: unknown): Error {
  return thrown instanceof Error ? thrown : new Error(String(thrown));
}
