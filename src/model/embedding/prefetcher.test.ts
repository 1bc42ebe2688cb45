import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImageDecodeError } from '../../dataset/index.js';
import { MemoryPressureError } from '../../memory/index.js';
import { Prefetcher, type PrefetcherOptions } from './prefetcher.js';
import { deferred, makeDataset, settle, type Dataset, type Deferred } from './test-support.js';

let dataset: Dataset;
beforeAll(async () => {
  dataset = await makeDataset(10);
});
afterAll(() => dataset.remove());

/** A prefetcher over the real index whose fetches the test finishes, recording what it asked. */
function harness(options: Partial<PrefetcherOptions> = {}) {
  const fetched: number[] = [];
  const fetches = new Map<number, { signal: AbortSignal; run: Deferred<void> }>();
  const position = (id: string) => dataset.ids.indexOf(id);
  const prefetcher = new Prefetcher({
    order: dataset.index,
    depth: 3,
    isCached: async () => false,
    fetch: (id, signal) => {
      const run = deferred();
      fetched.push(position(id));
      fetches.set(position(id), { signal, run });
      return run.promise;
    },
    ...options,
  });
  const open = async (n: number) => {
    await prefetcher.onOpen(dataset.ids[n]!);
    await settle();
  };
  const aborted = () => [...fetches].filter(([, f]) => f.signal.aborted).map(([n]) => n);
  return { prefetcher, fetched, fetches, open, aborted };
}

describe('Prefetcher', () => {
  it('prefetches the next `depth` images of the index order, nearest first', async () => {
    const h = harness();
    await h.open(0);
    expect(h.fetched).toEqual([1, 2, 3]);
    expect(h.prefetcher.stats()).toMatchObject({ started: 3, cancelled: 0 });
  });

  it('walking forward keeps the prefetches still wanted and adds the new last one', async () => {
    const h = harness();
    await h.open(0);
    await h.open(1);
    expect(h.fetched).toEqual([1, 2, 3, 4]);
    // Image 1 is on screen now: its own request keeps its encode; the prefetch lets go.
    expect(h.aborted()).toEqual([1]);
    expect(
      h.prefetcher
        .stats()
        .active.map((id) => dataset.ids.indexOf(id))
        .sort(),
    ).toEqual([2, 3, 4]);
  });

  it('jumping away cancels every prefetch no longer among the next images', async () => {
    const h = harness();
    await h.open(0);
    await h.open(7);
    expect(h.aborted().sort()).toEqual([1, 2, 3]);
    // Only two images follow the 8th of 10.
    expect(h.fetched).toEqual([1, 2, 3, 8, 9]);
    expect(h.prefetcher.stats()).toMatchObject({ started: 5, cancelled: 3 });
    for (const n of [1, 2, 3]) {
      expect(h.fetches.get(n)!.signal.reason).toMatchObject({ name: 'AbortError' });
    }
  });

  it('counts finished, refused and failed prefetches, and a failed lookup, and goes on', async () => {
    const h = harness({
      isCached: async (id) => {
        if (id === dataset.ids[6]) throw new Error('ENOENT: gone');
        return false;
      },
    });
    await h.open(4);
    expect(h.fetched).toEqual([5, 7]);
    h.fetches.get(5)!.run.resolve();
    h.fetches.get(7)!.run.reject(new MemoryPressureError('critical', 0.97));
    await settle();
    await h.open(7);
    h.fetches.get(8)!.run.reject(new Error('decoder crashed'));
    await settle();
    expect(h.prefetcher.stats()).toMatchObject({ completed: 1, refused: 1, failed: 2 });
  });

  it('an open that supersedes a slower one stops the older one from starting work', async () => {
    const lookupsAnswer = deferred();
    const h = harness({
      isCached: async () => {
        await lookupsAnswer.promise;
        return false;
      },
    });
    const first = h.prefetcher.onOpen(dataset.ids[0]!);
    await settle();
    const second = h.prefetcher.onOpen(dataset.ids[5]!);
    lookupsAnswer.resolve();
    await Promise.all([first, second]);
    expect(h.fetched).toEqual([6, 7, 8]);
  });

  it('does nothing at depth 0, for the last image, or for an unknown id', async () => {
    const h = harness({ depth: 0 });
    await h.open(0);
    const last = harness();
    await last.open(9);
    await last.prefetcher.onOpen('not-an-image');
    expect([...h.fetched, ...last.fetched]).toEqual([]);
  });

  it('cancelAll() lets go of every prefetch', async () => {
    const h = harness();
    await h.open(0);
    h.prefetcher.cancelAll();
    expect(h.aborted().sort()).toEqual([1, 2, 3]);
    expect(h.prefetcher.stats().active).toEqual([]);
  });
  // Last: it marks an image of the shared index broken for good.
  it('skips images already cached and images known to be broken', async () => {
    const broken = dataset.ids[2]!;
    dataset.index.markBroken(
      broken,
      new ImageDecodeError(dataset.index.require(broken).absPath, 'corrupt', 'test'),
    );
    const cached = new Set([dataset.ids[3]!]);
    const h = harness({ depth: 4, isCached: async (id) => cached.has(id) });
    await h.open(0);
    expect(h.fetched).toEqual([1, 4]);
    expect(h.prefetcher.stats()).toMatchObject({ skippedBroken: 1, skippedCached: 1, started: 2 });
  });
});
