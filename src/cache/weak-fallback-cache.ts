import type { ManagedCache } from '../memory/types.js';
import { BudgetedCache, type BudgetedCacheOptions, type CacheStats } from './budgeted-cache.js';
import { WeakValueCache } from './weak-value-cache.js';

export interface WeakFallbackCacheStats extends CacheStats {
  /** Lookups answered by the weak tier (the value had left the budgeted tier but was alive). */
  weakHits: number;
  /** Keys the weak tier tracks. */
  weakEntries: number;
  /** Weak entries dropped after their value was garbage collected. */
  weakCollected: number;
}

/**
 * A BudgetedCache backed by a WeakValueCache. Every stored object is also registered weakly, so
 * after the budgeted tier lets it go (budget, shrink, TTL, clear, or too large to keep at all)
 * a lookup still finds the very same object for as long as anyone else holds it, and puts it
 * back into the budgeted tier. The weak tier never keeps anything alive: the budget accounts
 * all memory this cache is responsible for.
 *
 * When the weak tier helps: values are large, expensive to rebuild, and live on outside the
 * cache for a while after a lookup — decoded image pixels held by an encode that takes seconds,
 * a display picture being streamed, concurrent requests for the same image. Under memory
 * pressure the budget shrinks, but those objects cannot be freed anyway while in use; the weak
 * tier lets the next request share them instead of decoding a second copy (which would double
 * the memory exactly when it is short).
 *
 * When the budgeted cache alone is enough: values are small or cheap to recompute, or callers
 * copy what they need and drop the value at once (serialized predictions, counters), or values
 * are primitives/strings (not weakly referenceable). Then nothing outlives the budgeted tier's
 * eviction, and the weak tier would only add bookkeeping.
 */
export class WeakFallbackCache<V extends object> implements ManagedCache {
  private readonly strong: BudgetedCache<V>;
  private readonly weak = new WeakValueCache<V>();
  private weakHits = 0;

  constructor(options: BudgetedCacheOptions<V>) {
    this.strong = new BudgetedCache(options);
  }

  get name(): string {
    return this.strong.name;
  }

  get sizeBytes(): number {
    return this.strong.sizeBytes;
  }

  get budgetBytes(): number {
    return this.strong.budgetBytes;
  }

  get(key: string): V | undefined {
    const kept = this.strong.get(key);
    if (kept !== undefined) return kept;
    const alive = this.weak.get(key);
    if (alive === undefined) return undefined;
    this.weakHits++;
    // In use again, so it is recent again: it competes for the budget like any fresh value.
    this.strong.set(key, alive);
    return alive;
  }

  /** Looks in both tiers without counting or refreshing recency. */
  peek(key: string): V | undefined {
    return this.strong.peek(key) ?? this.weak.peek(key);
  }

  has(key: string): boolean {
    return this.strong.has(key) || this.weak.has(key);
  }

  /** Stores a value; resolves to whether the budgeted tier kept it (the weak tier always tracks it). */
  set(key: string, value: V): boolean {
    this.weak.set(key, value);
    return this.strong.set(key, value);
  }

  /** Forgets the key in both tiers: for values that are wrong now, not merely unneeded. */
  delete(key: string): boolean {
    const strong = this.strong.delete(key);
    const weak = this.weak.delete(key);
    return strong || weak;
  }

  setBudget(bytes: number): void {
    this.strong.setBudget(bytes);
  }

  shrinkTo(bytes: number): number {
    return this.strong.shrinkTo(bytes);
  }

  /** Empties the budgeted tier. Weak entries stay: they hold no memory, and values still in use remain shareable. */
  clear(): number {
    return this.strong.clear();
  }

  purgeStale(): number {
    return this.strong.purgeStale();
  }

  stats(): WeakFallbackCacheStats {
    const strong = this.strong.stats();
    const weak = this.weak.stats();
    // A weak hit first counted as a miss of the budgeted tier.
    const hits = strong.hits + this.weakHits;
    const misses = strong.misses - this.weakHits;
    return {
      ...strong,
      hits,
      misses,
      hitRate: hits + misses === 0 ? 0 : hits / (hits + misses),
      weakHits: this.weakHits,
      weakEntries: weak.entries,
      weakCollected: weak.collected,
    };
  }
}
