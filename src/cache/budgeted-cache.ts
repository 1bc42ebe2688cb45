import { LRUCache } from 'lru-cache';
import type { ManagedCache } from '../memory/types.js';
import { CacheInputError } from './errors.js';

export type EvictionReason = 'budget' | 'shrink' | 'clear' | 'expire' | 'replace' | 'delete';

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
  private readonly lru: LRUCache<string, V>;
  private readonly sizeOf: (value: V) => number;
  private readonly onEvict?: BudgetedCacheOptions<V>['onEvict'];
  /** Why the next disposals happen; lru-cache only knows 'evict' / 'expire' / 'set' / 'delete'. */
  private pendingReason: EvictionReason | null = null;
  private hits = 0;
  private misses = 0;
  private evictedBytes = 0;
  private readonly evictions: Record<EvictionReason, number> = {
    budget: 0,
    shrink: 0,
    clear: 0,
    expire: 0,
    replace: 0,
    delete: 0,
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
    this.lru = new LRUCache<string, V>({
      ...(max > 0 ? { max } : {}),
      maxSize: Number.MAX_SAFE_INTEGER,
      // lru-cache wants whole milliseconds.
      ...(this.hasTtl ? { ttl: Math.ceil(ttl) } : {}),
      updateAgeOnGet: true,
      // An injected clock must not be second-guessed by lru-cache's 1 ms cached "now".
      ...(options.clock ? { perf: options.clock, ttlResolution: 0 } : {}),
      // disposeAfter (not dispose) runs once lru-cache has finished removing the entry, so a
      // throwing onEvict cannot leave its lists half-updated.
      disposeAfter: (value, key, lruReason) => this.counted(key, value, lruReason),
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
    const value = this.lru.get(key);
    if (value === undefined) this.misses++;
    else this.hits++;
    return value;
  }

  /** Looks without counting a hit or refreshing recency. */
  peek(key: string): V | undefined {
    return this.lru.peek(key);
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
    this.lru.set(key, value, { size: bytes });
    this.evictUntil(this.budget, 'budget');
    return this.lru.has(key);
  }

  delete(key: string): boolean {
    return this.lru.delete(key);
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
    this.pendingReason = 'clear';
    try {
      this.lru.clear();
    } finally {
      this.pendingReason = null;
    }
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
    this.pendingReason = reason;
    try {
      while (this.lru.size > 0 && this.sizeBytes > limit) this.lru.pop();
    } finally {
      this.pendingReason = null;
    }
    return before - this.sizeBytes;
  }

  private counted(key: string, value: V, lruReason: LRUCache.DisposeReason): void {
    let reason: EvictionReason;
    if (this.pendingReason) reason = this.pendingReason;
    else if (lruReason === 'expire') reason = 'expire';
    else if (lruReason === 'set') reason = 'replace';
    else if (lruReason === 'evict')
      reason = 'budget'; // maxEntries reached
    else reason = 'delete';
    if (reason === 'delete' || reason === 'replace') return;
    const bytes = this.bytesOf(key, value);
    this.evictions[reason]++;
    this.evictedBytes += bytes;
    this.onEvict?.(key, bytes, reason);
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
