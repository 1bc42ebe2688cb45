import { asError, MemoryConfigError } from './errors.js';
import type { ManagedCache } from './types.js';

/**
 * Shrink order: lower numbers are given up first. Predictions are cheapest to recompute, then
 * display pictures (a re-encode), decoded pixels (a re-decode), and embeddings (an encoder run).
 */
export const CACHE_PRIORITY = {
  predictions: 10,
  displayImages: 20,
  decodedImages: 30,
  embeddings: 40,
} as const;

export interface CacheRegistration {
  /** Fraction of the host budget this cache may hold (0..1). */
  share: number;
  /** Shrink order: lower goes first (see CACHE_PRIORITY). */
  priority: number;
}

export interface RegisteredCache extends CacheRegistration {
  cache: ManagedCache;
}

/** What one cache gave back in one operation, or why the operation failed. */
export type CacheOutcome =
  { cache: string; ok: true; bytes: number } | { cache: string; ok: false; error: Error };

/**
 * The caches that draw from the host budget, kept in shrink order. A cache whose operation throws
 * is reported in the outcomes and the others are still served: one broken cache must not keep the
 * rest from giving memory back under pressure.
 */
export class CacheRegistry {
  private entries: RegisteredCache[] = [];

  /** In shrink order: priority, then registration order. */
  list(): readonly RegisteredCache[] {
    return this.entries;
  }

  /** Adds a cache and gives it its share of `budgetBytes`; returns what that evicted. */
  add(cache: ManagedCache, registration: CacheRegistration, budgetBytes: number): CacheOutcome {
    const { share, priority } = registration;
    if (!(share >= 0 && share <= 1)) {
      throw new MemoryConfigError(
        `Cache "${cache.name}": share must be a fraction from 0 to 1, got ${String(share)}.`,
      );
    }
    if (!Number.isFinite(priority)) {
      throw new MemoryConfigError(
        `Cache "${cache.name}": priority must be a finite number, got ${String(priority)}.`,
      );
    }
    if (this.entries.some((e) => e.cache.name === cache.name)) {
      throw new MemoryConfigError(`A cache named "${cache.name}" is already registered.`);
    }
    const total = this.entries.reduce((sum, e) => sum + e.share, share);
    if (total > 1 + 1e-9) {
      throw new MemoryConfigError(
        `Cache "${cache.name}": share ${share} would bring the registered shares to ` +
          `${total.toFixed(2)} of the memory budget (${this.entries
            .map((e) => `${e.cache.name} ${e.share}`)
            .join(', ')}); they must add up to 1 or less.`,
      );
    }
    const entry: RegisteredCache = { cache, share, priority };
    // Stable sort keeps registration order among equal priorities.
    this.entries = [...this.entries, entry].sort((a, b) => a.priority - b.priority);
    return this.applyBudget(entry, budgetBytes);
  }

  remove(cache: ManagedCache): boolean {
    const before = this.entries.length;
    this.entries = this.entries.filter((e) => e.cache !== cache);
    return this.entries.length < before;
  }

  /** Gives every cache its share of a new host budget. */
  resize(budgetBytes: number): CacheOutcome[] {
    return this.entries.map((e) => this.applyBudget(e, budgetBytes));
  }

  /** Frees about `bytes`, taking from the lowest-priority cache first, then the next. */
  shrinkBy(bytes: number): CacheOutcome[] {
    const outcomes: CacheOutcome[] = [];
    let remaining = bytes;
    for (const { cache } of this.entries) {
      if (remaining <= 0) break;
      const outcome = attempt(cache, () => {
        const take = Math.min(remaining, cache.sizeBytes);
        return take > 0 ? cache.shrinkTo(cache.sizeBytes - take) : 0;
      });
      if (outcome.ok) remaining -= outcome.bytes;
      outcomes.push(outcome);
    }
    return outcomes;
  }

  clearAll(): CacheOutcome[] {
    return this.entries.map(({ cache }) => attempt(cache, () => cache.clear()));
  }

  purgeStale(): CacheOutcome[] {
    return this.entries.map(({ cache }) => attempt(cache, () => cache.purgeStale()));
  }

  private applyBudget(entry: RegisteredCache, budgetBytes: number): CacheOutcome {
    const { cache, share } = entry;
    return attempt(cache, () => {
      const before = cache.sizeBytes;
      cache.setBudget(Math.floor(share * budgetBytes));
      return before - cache.sizeBytes;
    });
  }
}

/** Runs one cache operation that returns the bytes it freed, catching what it throws. */
function attempt(cache: ManagedCache, operation: () => number): CacheOutcome {
  try {
    return { cache: cache.name, ok: true, bytes: operation() };
  } catch (err) {
    return { cache: cache.name, ok: false, error: asError(err) };
  }
}
