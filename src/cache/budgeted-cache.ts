import { LRUCache } from 'lru-cache';
import type { ManagedCache } from '../memory/types.js';
import { CacheInputError } from './errors.js';

/** Why an entry was evicted. Replacing a key and deleting it explicitly are not evictions. */
export type EvictionReason = 'budget' | 'shrink' | 'clear' | 'expire';

/** How an entry left lru-cache: evicted, or replaced/deleted by the caller (not counted). */
type Removal = EvictionReason | 'replace' | 'delete';

/** What lru-cache holds for a key. */
interface Stored<V> {
  readonly value: V;
  /** The bytes accounted at set time: the value may have changed since, or sizeOf may now fail. */
  readonly bytes: number;
  /** Stamped synchronously when lru-cache removes the entry, read when it is reported. */
  removal?: Removal;
}

export interface CacheStats {
  name: string;
  entries: number;
  sizeBytes: number;
  budgetBytes: number;
  hits: number;
  misses: number;
  hitRate: number;
  evictions: Record<EvictionReason, number>;
  evictedBytes: number;
}

export interface BudgetedCacheOptions<V> {
  name: string;
  /** Initial budget in bytes; the memory manager replaces it with a share of the host budget. */
  budgetBytes: number;
  /** Bytes an entry holds; counted as a whole number of at least 1. */
  sizeOf: (value: V) => number;
  /** Age in milliseconds after which an entry is dropped; 0 or absent for none. */
  ttlMs?: number;
  /** A cap on the number of entries, on top of the byte budget. */
  maxEntries?: number;
  /**
   * Told about every entry that leaves the cache other than by an explicit delete or a replacing
   * set. Called after the entry is gone, so the cache is consistent even if it throws (the error
   * then surfaces from the call that evicted).
   */
  onEvict?: (key: string, bytes: number, reason: EvictionReason) => void;
  /**
   * Monotonic millisecond clock for TTLs (lru-cache's `perf`); tests pass a manual one. It must
   * never return 0: lru-cache reads a start time of 0 as "no TTL".
   */
  clock?: { now(): number };
}

/**
 * A least-recently-used cache bounded by bytes, with age eviction and counters. The ordering
 * and TTL bookkeeping are lru-cache's; the byte budget is enforced here because it changes at
 * run time (lru-cache's maxSize is fixed at construction).
 */
export class BudgetedCache<V extends NonNullable<unknown>> implements ManagedCache {
  readonly name: string;
  private budget: number;
  private readonly lru: LRUCache<string, Stored<V>>;
  private readonly sizeOf: (value: V) => number;
  private readonly onEvict?: BudgetedCacheOptions<V>['onEvict'];
  /**
   * Why lru-cache's 'evict'/'delete' removals happen right now (it knows no budget, shrink or
   * clear); null outside our own evictions. Saved and restored around every use, so a call that
   * onEvict makes back into the cache does not change how the outer eviction is counted.
   */
  private evicting: EvictionReason | null = null;
  private hits = 0;
  private misses = 0;
  private evictedBytes = 0;
  private readonly evictions: Record<EvictionReason, number> = {
    budget: 0,
    shrink: 0,
    clear: 0,
    expire: 0,
  };
  private readonly hasTtl: boolean;

  constructor(options: BudgetedCacheOptions<V>) {
    this.name = options.name;
    this.budget = this.checkedBudget('budgetBytes', options.budgetBytes);
    this.sizeOf = options.sizeOf;
    this.onEvict = options.onEvict;
    const ttl = options.ttlMs ?? 0;
    if (!Number.isFinite(ttl) || ttl < 0) {
      throw new CacheInputError(
        `cache "${this.name}": ttlMs must be a non-negative number of milliseconds, got ${ttl}`,
      );
    }
    const max = options.maxEntries ?? 0;
    if (!Number.isInteger(max) || max < 0) {
      throw new CacheInputError(
        `cache "${this.name}": maxEntries must be a whole number (0 for no cap), got ${max}`,
      );
    }
    this.hasTtl = ttl > 0;
    this.lru = new LRUCache<string, Stored<V>>({
      ...(max > 0 ? { max } : {}),
      maxSize: Number.MAX_SAFE_INTEGER,
      // lru-cache wants whole milliseconds.
      ...(this.hasTtl ? { ttl: Math.ceil(ttl) } : {}),
      updateAgeOnGet: true,
      // An injected clock must not be second-guessed by lru-cache's 1 ms cached "now".
      ...(options.clock ? { perf: options.clock, ttlResolution: 0 } : {}),
      // The reason is stamped in dispose, which runs inside the operation that removes the entry.
      // The report waits for disposeAfter, which runs once lru-cache has finished removing it
      // (so a throwing onEvict cannot leave its lists half-updated) but from a queue shared by
      // all operations: a nested call made by onEvict can drain the rest of an outer clear.
      dispose: (stored, _key, lruReason) => {
        stored.removal = this.removalOf(lruReason);
      },
      disposeAfter: (stored, key) => this.report(key, stored),
    });
  }

  get sizeBytes(): number {
    return this.lru.calculatedSize;
  }

  get budgetBytes(): number {
    return this.budget;
  }

  get entries(): number {
    return this.lru.size;
  }

  get(key: string): V | undefined {
    const value = this.lru.get(key)?.value;
    if (value === undefined) this.misses++;
    else this.hits++;
    return value;
  }

  /** Looks without counting a hit or refreshing recency. */
  peek(key: string): V | undefined {
    return this.lru.peek(key)?.value;
  }

  has(key: string): boolean {
    return this.lru.has(key);
  }

  /**
   * Stores a value. A value larger than the whole budget is not kept (returns false): keeping
   * it would evict everything else and still break the budget.
   */
  set(key: string, value: V): boolean {
    const bytes = this.bytesOf(key, value);
    if (bytes > this.budget) {
      this.delete(key);
      return false;
    }
    this.evictingAs(null, () => this.lru.set(key, { value, bytes }, { size: bytes }));
    this.evictUntil(this.budget, 'budget');
    return this.lru.has(key);
  }

  delete(key: string): boolean {
    return this.evictingAs(null, () => this.lru.delete(key));
  }

  keys(): string[] {
    return [...this.lru.keys()];
  }

  setBudget(bytes: number): void {
    this.budget = this.checkedBudget('setBudget', bytes);
    this.evictUntil(this.budget, 'budget');
  }

  shrinkTo(bytes: number): number {
    return this.evictUntil(this.checkedBudget('shrinkTo', bytes), 'shrink');
  }

  clear(): number {
    const before = this.sizeBytes;
    this.evictingAs('clear', () => this.lru.clear());
    return before - this.sizeBytes;
  }

  purgeStale(): number {
    const before = this.sizeBytes;
    this.lru.purgeStale();
    return before - this.sizeBytes;
  }

  stats(): CacheStats {
    const lookups = this.hits + this.misses;
    return {
      name: this.name,
      entries: this.lru.size,
      sizeBytes: this.sizeBytes,
      budgetBytes: this.budget,
      hits: this.hits,
      misses: this.misses,
      hitRate: lookups === 0 ? 0 : this.hits / lookups,
      evictions: { ...this.evictions },
      evictedBytes: this.evictedBytes,
    };
  }

  private evictUntil(limit: number, reason: EvictionReason): number {
    const before = this.sizeBytes;
    // Expired entries go first and are counted as expired, not as budget evictions.
    if (this.hasTtl && this.sizeBytes > limit) this.lru.purgeStale();
    this.evictingAs(reason, () => {
      while (this.lru.size > 0 && this.sizeBytes > limit) this.lru.pop();
    });
    return before - this.sizeBytes;
  }

  private evictingAs<T>(reason: EvictionReason | null, remove: () => T): T {
    const outer = this.evicting;
    this.evicting = reason;
    try {
      return remove();
    } finally {
      this.evicting = outer;
    }
  }

  private removalOf(lruReason: LRUCache.DisposeReason): Removal {
    switch (lruReason) {
      case 'set':
        return 'replace';
      case 'expire':
        return 'expire';
      case 'evict':
        return this.evicting ?? 'budget'; // outside our evictions: maxEntries reached
      default:
        return this.evicting ?? 'delete'; // lru-cache's clear reports 'delete' too
    }
  }

  private report(key: string, stored: Stored<V>): void {
    const reason = stored.removal;
    if (reason === undefined || reason === 'replace' || reason === 'delete') return;
    this.evictions[reason]++;
    this.evictedBytes += stored.bytes;
    this.onEvict?.(key, stored.bytes, reason);
  }

  /** The size lru-cache accounts: a positive whole number of bytes. */
  private bytesOf(key: string, value: V): number {
    const bytes = this.sizeOf(value);
    if (typeof bytes !== 'number' || !Number.isFinite(bytes) || bytes < 0) {
      throw new CacheInputError(
        `cache "${this.name}": sizeOf(value of "${key}") must be a finite number of bytes >= 0, got ${String(bytes)}`,
      );
    }
    return Math.max(1, Math.ceil(bytes));
  }

  /** Budgets below zero mean "nothing"; NaN would silently disable every bound, so it is refused. */
  private checkedBudget(field: string, bytes: number): number {
    if (typeof bytes !== 'number' || Number.isNaN(bytes)) {
      throw new CacheInputError(
        `cache "${this.name}": ${field} must be a number of bytes, got ${String(bytes)}`,
      );
    }
    return Math.max(0, Math.floor(bytes));
  }
}
