import { describe, it, expect } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { BudgetedCache, type BudgetedCacheOptions, type EvictionReason } from './budgeted-cache.js';
import { CacheInputError } from './errors.js';

type Evicted = [key: string, bytes: number, reason: EvictionReason];

/** A clock the test moves by hand; starts above 0 because lru-cache reads 0 as "no start". */
function manualClock(start = 1000) {
  let now = start;
  return {
    now: () => now,
    advance(ms: number) {
      now += ms;
    },
  };
}

function bytes(n: number): Uint8Array {
  return new Uint8Array(n);
}

function cacheOf(options: Partial<BudgetedCacheOptions<Uint8Array>> = {}): {
  cache: BudgetedCache<Uint8Array>;
  evicted: Evicted[];
} {
  const evicted: Evicted[] = [];
  const cache = new BudgetedCache<Uint8Array>({
    name: 'test',
    budgetBytes: 30,
    sizeOf: (v) => v.byteLength,
    onEvict: (key, size, reason) => evicted.push([key, size, reason]),
    ...options,
  });
  return { cache, evicted };
}

describe('BudgetedCache byte budget', () => {
  it('evicts the least recently used entries once the budget is exceeded', () => {
    const { cache, evicted } = cacheOf();
    cache.set('a', bytes(10));
    cache.set('b', bytes(10));
    cache.set('c', bytes(10));
    expect(cache.sizeBytes).toBe(30);

    cache.get('a'); // a is now more recent than b
    expect(cache.set('d', bytes(10))).toBe(true);

    expect(evicted).toEqual([['b', 10, 'budget']]);
    expect(cache.keys()).toEqual(['d', 'a', 'c']);
    expect(cache.sizeBytes).toBe(30);
  });

  it('evicts as many entries as a large value needs', () => {
    const { cache, evicted } = cacheOf();
    cache.set('a', bytes(10));
    cache.set('b', bytes(10));
    cache.set('c', bytes(10));
    cache.set('big', bytes(25));
    expect(evicted.map(([key]) => key)).toEqual(['a', 'b', 'c']);
    expect(cache.keys()).toEqual(['big']);
    expect(cache.sizeBytes).toBe(25);
  });

  it('refuses a value larger than the whole budget and drops the old value of that key', () => {
    const { cache, evicted } = cacheOf();
    cache.set('a', bytes(10));
    cache.set('b', bytes(10));
    expect(cache.set('b', bytes(31))).toBe(false);
    expect(cache.has('b')).toBe(false);
    expect(cache.get('a')).toBeDefined();
    expect(cache.sizeBytes).toBe(10);
    // Refusing is not an eviction: nothing else was pushed out.
    expect(evicted).toEqual([]);
  });

  it('replacing a key updates its size without counting an eviction', () => {
    const { cache, evicted } = cacheOf();
    cache.set('a', bytes(10));
    cache.set('a', bytes(20));
    expect(cache.sizeBytes).toBe(20);
    expect(cache.entries).toBe(1);
    expect(evicted).toEqual([]);
    expect(cache.stats().evictions).toEqual({ budget: 0, shrink: 0, clear: 0, expire: 0 });
    expect(cache.stats().evictedBytes).toBe(0);
  });

  it('counts fractional sizes as whole bytes, and empty values as one byte', () => {
    const cache = new BudgetedCache<{ size: number }>({
      name: 'fractions',
      budgetBytes: 100,
      sizeOf: (v) => v.size,
    });
    cache.set('a', { size: 2.5 });
    cache.set('b', { size: 0 });
    expect(cache.sizeBytes).toBe(4);
  });

  it('peek neither refreshes recency nor counts', () => {
    const { cache, evicted } = cacheOf();
    cache.set('a', bytes(10));
    cache.set('b', bytes(10));
    cache.set('c', bytes(10));
    expect(cache.peek('a')).toBeDefined();
    cache.set('d', bytes(10));
    expect(evicted).toEqual([['a', 10, 'budget']]);
    expect(cache.stats()).toMatchObject({ hits: 0, misses: 0 });
  });

  it('an explicit delete is neither counted nor reported', () => {
    const { cache, evicted } = cacheOf();
    cache.set('a', bytes(10));
    expect(cache.delete('a')).toBe(true);
    expect(cache.delete('a')).toBe(false);
    expect(evicted).toEqual([]);
    expect(cache.stats().evictedBytes).toBe(0);
    expect(cache.sizeBytes).toBe(0);
  });
});

describe('BudgetedCache entry cap', () => {
  it('maxEntries evicts the least recently used entry even when bytes would fit', () => {
    const { cache, evicted } = cacheOf({ budgetBytes: 1000, maxEntries: 2 });
    cache.set('a', bytes(1));
    cache.set('b', bytes(1));
    cache.get('a');
    cache.set('c', bytes(1));
    expect(cache.keys()).toEqual(['c', 'a']);
    expect(evicted).toEqual([['b', 1, 'budget']]);
    expect(cache.stats().evictions.budget).toBe(1);
  });
});

describe('BudgetedCache TTL', () => {
  it('drops an entry once its age exceeds the TTL; a get refreshes the age', () => {
    const clock = manualClock();
    const { cache, evicted } = cacheOf({ ttlMs: 100, clock });
    cache.set('a', bytes(10));
    clock.advance(100);
    expect(cache.get('a')).toBeDefined(); // exactly at the TTL is still fresh; this get renews it
    clock.advance(100);
    expect(cache.has('a')).toBe(true);
    clock.advance(1);
    expect(cache.has('a')).toBe(false);
    expect(cache.get('a')).toBeUndefined();

    expect(evicted).toEqual([['a', 10, 'expire']]);
    expect(cache.stats()).toMatchObject({ hits: 1, misses: 1, entries: 0, sizeBytes: 0 });
    expect(cache.stats().evictions.expire).toBe(1);
  });

  it('expires on the real clock too', async () => {
    const { cache, evicted } = cacheOf({ ttlMs: 20 });
    cache.set('a', bytes(10));
    await sleep(60);
    expect(cache.get('a')).toBeUndefined();
    expect(evicted).toEqual([['a', 10, 'expire']]);
  });

  it('purgeStale drops only expired entries and returns the bytes freed', () => {
    const clock = manualClock();
    const { cache, evicted } = cacheOf({ ttlMs: 100, clock });
    cache.set('a', bytes(10));
    cache.set('b', bytes(7));
    clock.advance(60);
    cache.set('c', bytes(5));
    clock.advance(60);

    expect(cache.entries).toBe(3); // stale entries hold memory until purged
    expect(cache.purgeStale()).toBe(17);
    expect(cache.keys()).toEqual(['c']);
    expect(evicted.map(([key, , reason]) => [key, reason]).sort()).toEqual([
      ['a', 'expire'],
      ['b', 'expire'],
    ]);
  });

  it('frees expired entries first, counted as expired, when a set needs room', () => {
    const clock = manualClock();
    const { cache, evicted } = cacheOf({ ttlMs: 100, clock });
    cache.set('old', bytes(10));
    clock.advance(150);
    cache.set('b', bytes(10));
    cache.set('c', bytes(10));
    cache.set('d', bytes(10));
    expect(evicted).toEqual([['old', 10, 'expire']]);
    expect(cache.keys()).toEqual(['d', 'c', 'b']);
  });
});

describe('BudgetedCache budget changes', () => {
  it('setBudget shrinking evicts least recently used entries and bounds later sets', () => {
    const { cache, evicted } = cacheOf({ budgetBytes: 100 });
    for (const key of ['a', 'b', 'c', 'd']) cache.set(key, bytes(10));
    cache.get('a');
    cache.setBudget(25);
    expect(cache.budgetBytes).toBe(25);
    expect(cache.keys()).toEqual(['a', 'd']);
    expect(evicted).toEqual([
      ['b', 10, 'budget'],
      ['c', 10, 'budget'],
    ]);
    expect(cache.set('e', bytes(26))).toBe(false);
    cache.set('e', bytes(10));
    expect(cache.keys()).toEqual(['e', 'a']);
  });

  it('shrinkTo frees down to the target, returns the bytes freed and keeps the budget', () => {
    const { cache, evicted } = cacheOf({ budgetBytes: 100 });
    cache.set('a', bytes(10));
    cache.set('b', bytes(20));
    cache.set('c', bytes(30));
    expect(cache.shrinkTo(35)).toBe(30);
    expect(cache.keys()).toEqual(['c']);
    expect(cache.budgetBytes).toBe(100);
    expect(evicted).toEqual([
      ['a', 10, 'shrink'],
      ['b', 20, 'shrink'],
    ]);
    expect(cache.shrinkTo(1000)).toBe(0);
    expect(cache.shrinkTo(-5)).toBe(30);
    expect(cache.entries).toBe(0);
  });

  it('clear drops everything, reports each entry and returns the bytes freed', () => {
    const { cache, evicted } = cacheOf();
    cache.set('a', bytes(10));
    cache.set('b', bytes(5));
    expect(cache.clear()).toBe(15);
    expect(cache.entries).toBe(0);
    expect(cache.sizeBytes).toBe(0);
    expect(evicted.map(([key, size, reason]) => `${key}:${size}:${reason}`).sort()).toEqual([
      'a:10:clear',
      'b:5:clear',
    ]);
    expect(cache.clear()).toBe(0);
  });
});

describe('BudgetedCache stats', () => {
  it('reports entries, bytes, hits, misses and evictions by reason', () => {
    const clock = manualClock();
    const { cache } = cacheOf({ ttlMs: 1000, clock });
    cache.set('a', bytes(10));
    cache.set('b', bytes(10));
    cache.set('c', bytes(10));
    cache.get('a');
    cache.get('a');
    cache.get('missing');
    cache.set('d', bytes(10)); // evicts b (budget)
    cache.shrinkTo(20); // evicts c (shrink)
    clock.advance(1001);
    cache.purgeStale(); // a and d expire

    expect(cache.stats()).toEqual({
      name: 'test',
      entries: 0,
      sizeBytes: 0,
      budgetBytes: 30,
      hits: 2,
      misses: 1,
      hitRate: 2 / 3,
      evictions: { budget: 1, shrink: 1, clear: 0, expire: 2 },
      evictedBytes: 40,
    });
  });

  it('has a hit rate of 0 before any lookup', () => {
    expect(cacheOf().cache.stats().hitRate).toBe(0);
  });

  it('returns a copy of the counters', () => {
    const { cache } = cacheOf();
    cache.stats().evictions.budget = 99;
    expect(cache.stats().evictions.budget).toBe(0);
  });
});

describe('BudgetedCache robustness', () => {
  it('stays consistent when onEvict throws', () => {
    let throwOnce = true;
    const cache = new BudgetedCache<Uint8Array>({
      name: 'fragile',
      budgetBytes: 20,
      sizeOf: (v) => v.byteLength,
      onEvict: () => {
        if (throwOnce) {
          throwOnce = false;
          throw new Error('listener failed');
        }
      },
    });
    cache.set('a', bytes(10));
    cache.set('b', bytes(10));
    expect(() => cache.set('c', bytes(10))).toThrow('listener failed');

    expect(cache.keys()).toEqual(['c', 'b']);
    expect(cache.sizeBytes).toBe(20);
    cache.set('d', bytes(10));
    expect(cache.keys()).toEqual(['d', 'c']);
    expect(cache.sizeBytes).toBe(20);
  });

  it('reports the bytes accounted at set time, even if the value changed since', () => {
    const evicted: Evicted[] = [];
    const cache = new BudgetedCache<{ n: number }>({
      name: 'mutable',
      budgetBytes: 1000,
      sizeOf: (v) => v.n,
      onEvict: (key, size, reason) => evicted.push([key, size, reason]),
    });
    const grows = { n: 100 };
    const breaks = { n: 50 };
    cache.set('grows', grows);
    cache.set('breaks', breaks);
    grows.n = 5000;
    breaks.n = Number.NaN;

    expect(cache.shrinkTo(50)).toBe(100);
    expect(cache.clear()).toBe(50);
    expect(evicted).toEqual([
      ['grows', 100, 'shrink'],
      ['breaks', 50, 'clear'],
    ]);
    expect(cache.stats()).toMatchObject({ entries: 0, sizeBytes: 0, evictedBytes: 150 });
  });

  it('keeps counting the outer reason when onEvict calls back into the cache', () => {
    const evicted: string[] = [];
    const cache: BudgetedCache<Uint8Array> = new BudgetedCache<Uint8Array>({
      name: 'reentrant',
      budgetBytes: 100,
      sizeOf: (v) => v.byteLength,
      onEvict: (key, _size, reason) => {
        evicted.push(`${key}:${reason}`);
        if (key === 'a') {
          cache.set('z', bytes(1));
          cache.delete('c');
        }
      },
    });
    for (const key of ['a', 'b', 'c', 'd']) cache.set(key, bytes(20));

    cache.shrinkTo(0);
    // c was deleted explicitly by the listener: neither counted nor reported.
    expect(evicted).toEqual(['a:shrink', 'b:shrink', 'd:shrink', 'z:shrink']);
    expect(cache.stats()).toMatchObject({
      entries: 0,
      evictions: { budget: 0, shrink: 4, clear: 0, expire: 0 },
      evictedBytes: 61,
    });
  });

  it('attributes every entry of a clear to clear when onEvict writes back', () => {
    const evicted: string[] = [];
    const cache: BudgetedCache<Uint8Array> = new BudgetedCache<Uint8Array>({
      name: 'refill',
      budgetBytes: 100,
      sizeOf: (v) => v.byteLength,
      onEvict: (key, _size, reason) => {
        evicted.push(`${key}:${reason}`);
        if (key === 'a') cache.set('a', bytes(5)); // refilled while the clear is still reporting
      },
    });
    for (const key of ['a', 'b', 'c']) cache.set(key, bytes(10));

    cache.clear();
    expect(evicted.sort()).toEqual(['a:clear', 'b:clear', 'c:clear']);
    expect(cache.stats().evictions.clear).toBe(3);
    expect(cache.keys()).toEqual(['a']);
    expect(cache.sizeBytes).toBe(5);
  });

  it('names the cache, key and value when sizeOf returns nonsense', () => {
    const cache = new BudgetedCache<{ n: number }>({
      name: 'odd',
      budgetBytes: 10,
      sizeOf: (v) => v.n,
    });
    expect(() => cache.set('k1', { n: Number.NaN })).toThrow(CacheInputError);
    expect(() => cache.set('k1', { n: -1 })).toThrow(/cache "odd".*"k1".*-1/);
    expect(cache.entries).toBe(0);
  });

  it('refuses a NaN budget instead of silently becoming unbounded', () => {
    const { cache } = cacheOf();
    expect(() => cache.setBudget(Number.NaN)).toThrow(/setBudget.*NaN/);
    expect(() => cache.shrinkTo(Number.NaN)).toThrow(CacheInputError);
    expect(cache.budgetBytes).toBe(30);
    expect(() => cacheOf({ budgetBytes: Number.NaN })).toThrow(/budgetBytes/);
  });

  it('refuses bad TTL and entry caps at construction', () => {
    expect(() => cacheOf({ ttlMs: -1 })).toThrow(/ttlMs.*-1/);
    expect(() => cacheOf({ maxEntries: 1.5 })).toThrow(/maxEntries.*1\.5/);
  });

  it('treats a negative budget as zero: nothing is kept', () => {
    const { cache } = cacheOf({ budgetBytes: -10 });
    expect(cache.budgetBytes).toBe(0);
    expect(cache.set('a', bytes(1))).toBe(false);
  });
});
