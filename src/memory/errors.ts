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
