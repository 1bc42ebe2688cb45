import { MemoryConfigError } from './errors.js';
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

/** Bytes one cache gave back in one operation. */
export interface Freed {
  cache: string;
  bytes: number;
}

/** The caches that draw from the host budget, kept in shrink order. */
export class CacheRegistry {
  private entries: RegisteredCache[] = [];

  /** In shrink order: priority, then registration order. */
  list(): readonly RegisteredCache[] {
    return this.entries;
  }

  get totalBytes(): number {
    return this.entries.reduce((sum, e) => sum + e.cache.sizeBytes, 0);
  }

  /** Adds a cache and gives it its share of `budgetBytes`; returns what that evicted. */
  add(cache: ManagedCache, registration: CacheRegistration, budgetBytes: number): Freed {
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
  resize(budgetBytes: number): Freed[] {
    return this.entries.map((e) => this.applyBudget(e, budgetBytes));
  }

  /** Frees about `bytes`, taking from the lowest-priority cache first, then the next. */
  shrinkBy(bytes: number): Freed[] {
    const freed: Freed[] = [];
    let remaining = bytes;
    for (const { cache } of this.entries) {
      if (remaining <= 0) break;
      const take = Math.min(remaining, cache.sizeBytes);
      if (take <= 0) continue;
      const got = cache.shrinkTo(cache.sizeBytes - take);
      remaining -= got;
      freed.push({ cache: cache.name, bytes: got });
    }
    return freed;
  }

  clearAll(): Freed[] {
    return this.entries.map(({ cache }) => ({ cache: cache.name, bytes: cache.clear() }));
  }

  purgeStale(): Freed[] {
    return this.entries.map(({ cache }) => ({ cache: cache.name, bytes: cache.purgeStale() }));
  }

  private applyBudget(entry: RegisteredCache, budgetBytes: number): Freed {
    const before = entry.cache.sizeBytes;
    entry.cache.setBudget(Math.floor(entry.share * budgetBytes));
    return { cache: entry.cache.name, bytes: before - entry.cache.sizeBytes };
  }
}
