import { describe, it, expect } from 'vitest';
import { collectGarbageUntil, collectionObserver } from './gc-test-support.js';
import { WeakValueCache } from './weak-value-cache.js';

interface Picture {
  pixels: Uint8Array;
}

/** Stores a fresh value without leaving a reference to it in the caller's scope. */
function storeUnreferenced(
  cache: WeakValueCache<Picture>,
  key: string,
  observer?: ReturnType<typeof collectionObserver>,
): void {
  const value = { pixels: new Uint8Array(1024) };
  observer?.track(value, key);
  cache.set(key, value);
}

describe('WeakValueCache', () => {
  it('returns the identical object while something holds it, across collections', async () => {
    const cache = new WeakValueCache<Picture>();
    const held: Picture = { pixels: new Uint8Array(1024) };
    cache.set('a', held);
    await collectGarbageUntil(() => false, 3);
    expect(cache.get('a')).toBe(held);
    expect(cache.stats()).toMatchObject({ entries: 1, hits: 1, collected: 0 });
  });

  it('forgets a value once it is collected: the registry removes the entry', async () => {
    const cache = new WeakValueCache<Picture>();
    storeUnreferenced(cache, 'a');
    expect(cache.size).toBe(1);
    // Wait for the finalizer itself, not for a lookup that would drop the entry on its own.
    expect(await collectGarbageUntil(() => cache.size === 0)).toBe(true);
    expect(cache.stats()).toMatchObject({ entries: 0, collected: 1 });
    expect(cache.get('a')).toBeUndefined();
  });

  it('a collected old value does not remove the newer value of the same key', async () => {
    const cache = new WeakValueCache<Picture>();
    const observer = collectionObserver();
    storeUnreferenced(cache, 'a', observer);
    const newer: Picture = { pixels: new Uint8Array(16) };
    cache.set('a', newer);
    expect(await collectGarbageUntil(() => observer.collected.has('a'))).toBe(true);
    expect(cache.get('a')).toBe(newer);
    expect(cache.stats()).toMatchObject({ entries: 1, collected: 0 });
  });

  it('delete and clear drop entries and their registrations', async () => {
    const cache = new WeakValueCache<Picture>();
    const observer = collectionObserver();
    const kept: Picture = { pixels: new Uint8Array(16) };
    cache.set('a', kept);
    cache.set('b', kept);
    storeUnreferenced(cache, 'c', observer);
    expect(cache.delete('a')).toBe(true);
    expect(cache.delete('a')).toBe(false);
    expect(cache.keys()).toEqual(['b', 'c']);
    cache.clear();
    expect(cache.size).toBe(0);
    expect(await collectGarbageUntil(() => observer.collected.has('c'))).toBe(true);
    // Unregistered: no finalizer counted the cleared value of "c".
    expect(cache.stats().collected).toBe(0);
    expect(cache.get('b')).toBeUndefined();
    expect(kept.pixels.length).toBe(16);
  });
});
