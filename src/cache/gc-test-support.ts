import { setTimeout as nextMacrotask } from 'node:timers/promises';

/**
 * Runs full garbage collections until `done()` holds or the rounds run out; resolves to
 * `done()`. Each round first lets the current job end (WeakRef targets touched in a job stay
 * alive until it ends) and then lets FinalizationRegistry callbacks run. Needs --expose-gc
 * (vitest.config.ts passes it).
 */
export async function collectGarbageUntil(done: () => boolean, rounds = 10): Promise<boolean> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('garbage collection is not exposed: run node with --expose-gc');
  for (let round = 0; round < rounds && !done(); round++) {
    await nextMacrotask(0);
    gc();
    await nextMacrotask(0);
  }
  return done();
}

/** Tells which tracked objects the garbage collector has reclaimed (by label). */
export function collectionObserver(): {
  track(value: object, label: string): void;
  collected: Set<string>;
} {
  const collected = new Set<string>();
  const registry = new FinalizationRegistry<string>((label) => collected.add(label));
  return { track: (value, label) => registry.register(value, label), collected };
}
