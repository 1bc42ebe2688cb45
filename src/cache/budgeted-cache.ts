import { LRUCache } from 'lru-cache';
import type { ManagedCache } from '../memory/types.js';

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
  /** Bytes an entry holds. Must be positive. */
  sizeOf: (value: V) => number;
  /** Age in milliseconds after which an entry is dropped; 0 or absent for none. */
  ttlMs?: number;
  /** A cap on the number of entries, on top of the byte budget. */
  maxEntries?: number;
  /** Told about every entry that leaves the cache other than by an explicit delete. */
  onEvict?: (key: string, bytes: number, reason: EvictionReason) => void;
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

  constructor(options: BudgetedCacheOptions<V>) {
    this.name = options.name;
    this.budget = Math.max(0, Math.floor(options.budgetBytes));
    this.sizeOf = options.sizeOf;
    this.onEvict = options.onEvict;
    this.lru = new LRUCache<string, V>({
      ...(options.maxEntries ? { max: options.maxEntries } : {}),
      maxSize: Number.MAX_SAFE_INTEGER,
      sizeCalculation: (value) => Math.max(1, Math.ceil(this.sizeOf(value))),
      ...(options.ttlMs ? { ttl: options.ttlMs } : {}),
      updateAgeOnGet: true,
      dispose: (value, key, lruReason) => this.counted(key, value, lruReason),
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
    const bytes = this.sizeOf(value);
    if (bytes > this.budget) {
      this.delete(key);
      return false;
    }
    this.lru.set(key, value);
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
    this.budget = Math.max(0, Math.floor(bytes));
    this.evictUntil(this.budget, 'budget');
  }

  shrinkTo(bytes: number): number {
    return this.evictUntil(Math.max(0, bytes), 'shrink');
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
    const bytes = Math.max(1, Math.ceil(this.sizeOf(value)));
    this.evictions[reason]++;
    this.evictedBytes += bytes;
    this.onEvict?.(key, bytes, reason);
  }
}
