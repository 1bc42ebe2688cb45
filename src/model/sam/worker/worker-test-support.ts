import { vi } from 'vitest';
import { WorkerSession } from './worker-session.js';

/**
 * Resolves when the next WorkerSession.run has been handed to its thread (the run goes on as
 * usual): a test can then act while an encode is surely in flight.
 */
export function nextWorkerRun(): Promise<void> {
  const run = WorkerSession.prototype.run;
  return new Promise<void>((resolve) => {
    const spy = vi.spyOn(WorkerSession.prototype, 'run').mockImplementation(function (
      this: WorkerSession,
      ...args
    ) {
      spy.mockRestore();
      const result = run.apply(this, args);
      resolve();
      return result;
    });
  });
}
