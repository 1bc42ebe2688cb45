import { asError } from './errors.js';
import type { Releaser } from './types.js';

export type ReleaseOutcome =
  { releaser: string; ok: true; bytes: number } | { releaser: string; ok: false; error: Error };

/**
 * Calls every releaser in registration order. One that throws, rejects or hangs past `timeoutMs`
 * is reported and the rest still run: under critical pressure, one broken session pool must not
 * keep the others from giving memory back.
 */
export async function releaseAll(
  releasers: readonly Releaser[],
  timeoutMs: number,
): Promise<ReleaseOutcome[]> {
  const outcomes: ReleaseOutcome[] = [];
  for (const releaser of releasers) {
    try {
      const bytes = await withTimeout(
        Promise.resolve().then(() => releaser.release()),
        timeoutMs,
        `Releaser "${releaser.name}" did not finish within ${timeoutMs} ms`,
      );
      outcomes.push({
        releaser: releaser.name,
        ok: true,
        bytes: Number.isFinite(bytes) && bytes > 0 ? bytes : 0,
      });
    } catch (err) {
      outcomes.push({ releaser: releaser.name, ok: false, error: asError(err) });
    }
  }
  return outcomes;
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
