import { describe, it, expect } from 'vitest';
import { collectGarbageUntil } from './gc-test-support.js';
import { WeakFallbackCache } from './weak-fallback-cache.js';

const MiB = 1024 ** 2;

interface DecodedImage {
  pixels: Uint8Array;
}

function decodedImages(budgetBytes: number): WeakFallbackCache<DecodedImage> {
  return new WeakFallbackCache<DecodedImage>({
    name: 'decoded',
    budgetBytes,
    sizeOf: (image) => image.pixels.byteLength,
  });
}

function image(bytes: number): DecodedImage {
  return { pixels: new Uint8Array(bytes) };
}

describe('WeakFallbackCache', () => {
  it('a value evicted by the budget but still in use comes back as the same object', async () => {
    const cache = decodedImages(1 * MiB);
    const inUse = image(MiB); // e.g. held by an encode still running
    cache.set('a', inUse);
    cache.set('b', image(MiB)); // pushes "a" out of the budgeted tier
    expect(cache.stats().evictions.budget).toBe(1);
    expect(cache.sizeBytes).toBe(MiB);

    await collectGarbageUntil(() => false, 3);
    let decodes = 0;
    const second = cache.get('a') ?? (decodes++, image(MiB));
    expect(second).toBe(inUse);
    expect(decodes).toBe(0);
    // Used again, so it is back in the budgeted tier (and "b" went the other way).
    expect(cache.stats()).toMatchObject({ weakHits: 1, hits: 1, misses: 0, sizeBytes: MiB });
    expect(cache.peek('a')).toBe(inUse);
  });

  it('shrinkTo and clear free the budget while values in use stay shareable', async () => {
    const cache = decodedImages(4 * MiB);
    const inUse = image(MiB);
    cache.set('a', inUse);
    cache.set('b', image(MiB));
    expect(cache.shrinkTo(0)).toBe(2 * MiB);
    expect(cache.get('a')).toBe(inUse);
    expect(cache.clear()).toBe(MiB);
    expect(cache.sizeBytes).toBe(0);
    await collectGarbageUntil(() => false, 3);
    expect(cache.get('a')).toBe(inUse);
  });

  it('a value too large for the budget is still shared while in use', () => {
    const cache = decodedImages(MiB);
    const huge = image(2 * MiB);
    expect(cache.set('huge', huge)).toBe(false);
    expect(cache.sizeBytes).toBe(0);
    expect(cache.get('huge')).toBe(huge);
  });

  it('an evicted value nobody holds is collected and its weak entry cleaned', async () => {
    const cache = decodedImages(MiB);
    cache.set('a', image(MiB));
    cache.set('b', image(MiB)); // "a" leaves the budgeted tier; nothing else holds it

    expect(await collectGarbageUntil(() => cache.stats().weakCollected === 1)).toBe(true);
    expect(cache.stats().weakEntries).toBe(1); // only "b", still held by the budgeted tier
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('b')).toBeDefined();
  });

  it('delete forgets both tiers even while the value is in use', () => {
    const cache = decodedImages(4 * MiB);
    const stale = image(16);
    cache.set('a', stale);
    expect(cache.delete('a')).toBe(true);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.has('a')).toBe(false);
  });

  it('never keeps values alive: memory of dropped values returns after collection', async () => {
    const budget = 8 * MiB;
    const cache = decodedImages(budget);
    await collectGarbageUntil(() => false, 2);
    const baseline = process.memoryUsage().arrayBuffers;

    const count = 40;
    for (let i = 0; i < count; i++) {
      cache.set(`img-${i}`, image(4 * MiB)); // 160 MiB in total, dropped right away
    }
    expect(cache.stats().weakEntries).toBe(count);

    const shrunk = await collectGarbageUntil(() => cache.stats().weakEntries <= 2, 20);
    expect(shrunk).toBe(true);
    expect(cache.stats().weakCollected).toBeGreaterThanOrEqual(count - 2);
    // What is left is what the budget holds, not the 160 MiB that went through.
    const retained = process.memoryUsage().arrayBuffers - baseline;
    expect(retained).toBeLessThanOrEqual(budget + 16 * MiB);
    expect(cache.sizeBytes).toBe(budget);
  });
});
