import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiskCache } from '../../cache/index.js';
import { capturingLogger } from '../../memory/test-support.js';
import type { Embedding } from '../segmenter.js';
import {
  EmbeddingStore,
  cacheKeyOf,
  folderNameOf,
  type EmbeddingStoreOptions,
} from './embedding-store.js';
import { EmbeddingCodecError } from './errors.js';
import { float16ToFloat32, float32ToFloat16 } from './float16.js';
import {
  ControlledSegmenter,
  makeDataset,
  segmenterImage,
  settle,
  tempFolder,
  type Dataset,
} from './test-support.js';
import { WorkQueue } from './work-queue.js';

let dataset: Dataset;
const folders: Array<{ remove(): void }> = [];
beforeAll(async () => {
  dataset = await makeDataset(6);
});
afterAll(() => {
  dataset.remove();
  for (const folder of folders) folder.remove();
});

function diskRoot(): string {
  const folder = tempFolder('store');
  folders.push(folder);
  return path.join(folder.dir, 'cache', 'embeddings');
}

function makeStore(root: string | null, options: Partial<EmbeddingStoreOptions> = {}) {
  const queue = options.queue ?? new WorkQueue();
  return new EmbeddingStore({
    queue,
    diskRoot: root,
    diskCapBytes: 1 << 30,
    diskDtype: 'float16',
    ramBudgetBytes: 64 << 20,
    ramTtlMs: 0,
    ...options,
  });
}

const image = (n: number) => segmenterImage(dataset, dataset.ids[n]!);
const colours = (embedding: Embedding) => embedding.tensors.colours!.data as Float32Array;
const float16Of = (values: Float32Array) => float16ToFloat32(float32ToFloat16(values));

describe('EmbeddingStore tiers', () => {
  it('looks in RAM, then disk, then asks the encoder, and counts each tier', async () => {
    const root = diskRoot();
    const store = makeStore(root);
    const segmenter = new ControlledSegmenter('sam-test');
    const picture = await image(0);

    const first = await store.get(segmenter, picture, { priority: 'onScreen' });
    expect(first.tier).toBe('encoder');
    expect(segmenter.encodeLog).toEqual([picture.key]);
    const second = await store.get(segmenter, picture, { priority: 'interactive' });
    expect(second).toEqual({ embedding: first.embedding, tier: 'ram' });

    await store.flush();
    // Wrong now, not merely unneeded: delete() drops the weak tier too, so RAM cannot answer.
    store.ram.delete(cacheKeyOf(segmenter.id, picture.key));
    const third = await store.get(segmenter, picture, { priority: 'interactive' });
    expect(third.tier).toBe('disk');
    expect(colours(third.embedding)).toEqual(float16Of(colours(first.embedding)));
    expect(third.embedding.original).toEqual(first.embedding.original);
    const fourth = await store.get(segmenter, picture, { priority: 'interactive' });
    expect(fourth.tier).toBe('ram');
    expect(segmenter.encodeLog).toHaveLength(1);

    expect(store.stats()).toMatchObject({
      ram: { hits: 2, misses: 2, name: 'embeddings' },
      disk: { hits: 1, misses: 1, writes: 1, unusable: 0 },
      encoder: { runs: 1, failures: 0 },
      inFlight: 0,
      pendingWrites: 0,
    });
    // One folder per model, below <project>/cache/embeddings.
    expect(readdirSync(root)).toEqual(['sam-test']);
    expect(
      readdirSync(path.join(root, 'sam-test')).filter((f) => f.endsWith('.entry')),
    ).toHaveLength(1);
  });

  it('after a restart, a new store on the same folder answers from disk without the encoder', async () => {
    const root = diskRoot();
    const before = new ControlledSegmenter('sam-test');
    const store = makeStore(root, { diskDtype: 'float32' });
    const made = await store.get(before, await image(1), { priority: 'onScreen' });
    await store.flush();

    const after = new ControlledSegmenter('sam-test');
    const restarted = makeStore(root);
    expect(await restarted.cachedTier('sam-test', (await image(1)).key)).toBe('disk');
    const again = await restarted.get(after, await image(1), { priority: 'onScreen' });
    expect(again.tier).toBe('disk');
    expect(after.encodeLog).toEqual([]);
    // Written as float32: bit for bit.
    expect(colours(again.embedding)).toEqual(colours(made.embedding));
    expect(restarted.stats().disk.folders).toMatchObject([
      { name: 'embeddings/sam-test', hits: 1 },
    ]);
  });

  it('keeps models apart: the same image under another model id is encoded again', async () => {
    const store = makeStore(diskRoot());
    const a = new ControlledSegmenter('model-a');
    const b = new ControlledSegmenter('model-b');
    await store.get(a, await image(2), { priority: 'onScreen' });
    const other = await store.get(b, await image(2), { priority: 'onScreen' });
    expect(other.tier).toBe('encoder');
    expect(other.embedding.modelId).toBe('model-b');
    expect([a.encodeLog.length, b.encodeLog.length]).toEqual([1, 1]);
  });

  it('re-encodes when the disk entry is damaged (checksum) and replaces it', async () => {
    const root = diskRoot();
    const segmenter = new ControlledSegmenter('sam-test');
    const store = makeStore(root);
    await store.get(segmenter, await image(3), { priority: 'onScreen' });
    await store.flush();
    const [file] = readdirSync(path.join(root, 'sam-test')).filter((f) => f.endsWith('.entry'));
    const bytes = readFileSync(path.join(root, 'sam-test', file!));
    bytes[bytes.length - 10]! ^= 0xff; // inside the payload
    writeFileSync(path.join(root, 'sam-test', file!), bytes);

    const restarted = makeStore(root);
    const again = await restarted.get(segmenter, await image(3), { priority: 'onScreen' });
    expect(again.tier).toBe('encoder');
    expect(segmenter.encodeLog).toHaveLength(2);
    expect(restarted.stats().disk.folders[0]).toMatchObject({ corrupt: 1 });
    await restarted.flush();
    expect(
      (await makeStore(root).get(segmenter, await image(3), { priority: 'onScreen' })).tier,
    ).toBe('disk');
  });

  it('re-encodes when the entry is intact but its metadata is not this embedding, and says why in the log', async () => {
    const root = diskRoot();
    const segmenter = new ControlledSegmenter('sam-test');
    const picture = await image(4);
    const key = cacheKeyOf('sam-test', picture.key);
    // An entry of an older layout under the right key.
    const disk = await DiskCache.open({ dir: path.join(root, 'sam-test'), capBytes: 1 << 30 });
    await disk.set(key, new Uint8Array(64), {
      format: 0,
      modelId: 'sam-test',
      imageKey: picture.key,
    });

    const { logger, lines } = capturingLogger('warn');
    const store = makeStore(root, { logger });
    const result = await store.get(segmenter, picture, { priority: 'onScreen' });
    expect(result.tier).toBe('encoder');
    expect(store.stats().disk).toMatchObject({ unusable: 1, hits: 0, misses: 1 });
    expect(lines).toEqual([
      expect.objectContaining({
        msg: 'cached embedding unusable: deleted, encoding again',
        field: 'format',
        reason: 'cached embedding metadata: format 0, expected 1',
        file: disk.fileOf(key),
      }),
    ]);
    await store.flush();
    const rewritten = await DiskCache.open({ dir: path.join(root, 'sam-test'), capBytes: 1 << 30 });
    expect((await rewritten.get(key))!.meta).toMatchObject({ format: 1 });
  });

  it('works from RAM alone when the disk folder cannot be made', async () => {
    const blocker = tempFolder('blocked');
    folders.push(blocker);
    writeFileSync(path.join(blocker.dir, 'cache'), 'a file where the folder should be');
    const { logger, lines } = capturingLogger('warn');
    const store = makeStore(path.join(blocker.dir, 'cache', 'embeddings'), { logger });
    const segmenter = new ControlledSegmenter('sam-test');
    const result = await store.get(segmenter, await image(0), { priority: 'onScreen' });
    expect(result.tier).toBe('encoder');
    expect((await store.get(segmenter, await image(0), { priority: 'onScreen' })).tier).toBe('ram');
    expect(lines.map((l) => l.msg)).toContain(
      'cannot open the embedding disk cache: embeddings stay in RAM only',
    );
  });

  it('batch requests (keepInRam: false) fill the disk, not RAM', async () => {
    const root = diskRoot();
    const store = makeStore(root);
    const segmenter = new ControlledSegmenter('sam-test');
    const picture = await image(5);
    await store.get(segmenter, picture, { priority: 'batch', keepInRam: false });
    expect(await store.whenWritten('sam-test', picture.key)).toBe(true);
    expect(store.ram.stats().entries).toBe(0);
    expect(await store.cachedTier('sam-test', picture.key)).toBe('disk');
  });

  it('refuses an embedding labelled with another model or image', async () => {
    const store = makeStore(null);
    const liar = new ControlledSegmenter('sam-test');
    const original = liar.encode.bind(liar);
    liar.encode = async (img, signal) => ({ ...(await original(img, signal)), modelId: 'other' });
    const failure = await store
      .get(liar, await image(0), { priority: 'onScreen' })
      .catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(EmbeddingCodecError);
    expect((failure as Error).message).toMatch(
      /segmenter "sam-test" returned an embedding labelled model "other"/,
    );
    expect(store.stats().encoder).toEqual({ runs: 0, failures: 1 });
  });
});

describe('EmbeddingStore sharing', () => {
  it('concurrent requests for one key share one encode', async () => {
    const store = makeStore(diskRoot());
    const segmenter = new ControlledSegmenter('sam-test');
    segmenter.hold = true;
    const picture = await image(0);
    const requests = [
      store.get(segmenter, picture, { priority: 'prefetch' }),
      store.get(segmenter, picture, { priority: 'onScreen' }),
      store.get(segmenter, picture, { priority: 'interactive' }),
    ];
    await segmenter.whenHeld(picture.key);
    expect(store.stats().inFlight).toBe(1);
    segmenter.proceedAll();
    const results = await Promise.all(requests);
    expect(segmenter.encodeLog).toEqual([picture.key]);
    expect(new Set(results.map((r) => r.embedding)).size).toBe(1);
    expect(results.map((r) => r.tier)).toEqual(['encoder', 'encoder', 'encoder']);
    expect(store.stats()).toMatchObject({ shared: 2, encoder: { runs: 1 }, inFlight: 0 });
  });

  it('an encoder failure reaches every waiter and is not cached: the next request tries again', async () => {
    const store = makeStore(null);
    const segmenter = new ControlledSegmenter('sam-test');
    segmenter.failNext(new Error('out of GPU memory'));
    const picture = await image(1);
    const both = [
      store.get(segmenter, picture, { priority: 'onScreen' }),
      store.get(segmenter, picture, { priority: 'interactive' }),
    ];
    for (const outcome of await Promise.allSettled(both)) {
      expect(outcome).toMatchObject({ status: 'rejected', reason: new Error('out of GPU memory') });
    }
    expect((await store.get(segmenter, picture, { priority: 'onScreen' })).tier).toBe('encoder');
    expect(store.stats().encoder).toEqual({ runs: 1, failures: 1 });
  });

  it('a caller that leaves stops waiting; queued work nobody wants is dropped unencoded', async () => {
    const queue = new WorkQueue();
    const store = makeStore(null, { queue });
    const segmenter = new ControlledSegmenter('sam-test');
    segmenter.hold = true;
    const [busy, unwanted] = [await image(2), await image(3)];
    const blocking = store.get(segmenter, busy, { priority: 'onScreen' });
    await segmenter.whenHeld(busy.key);
    const leave = new AbortController();
    const dropped = store.get(segmenter, unwanted, { priority: 'prefetch', signal: leave.signal });
    await settle();
    expect(queue.stats().queued.prefetch).toBe(1);
    leave.abort(new Error('user moved on'));
    await expect(dropped).rejects.toThrow('user moved on');
    await settle();
    expect(queue.stats().queued.prefetch).toBe(0);
    expect(store.stats().inFlight).toBe(1);
    segmenter.proceedAll();
    await blocking;
    await queue.whenIdle();
    expect(segmenter.encodeLog).toEqual([busy.key]);
  });

  it('running work whose last caller leaves is finished and kept for the next request', async () => {
    const store = makeStore(null);
    const segmenter = new ControlledSegmenter('sam-test');
    segmenter.hold = true;
    const picture = await image(4);
    const leave = new AbortController();
    const request = store.get(segmenter, picture, { priority: 'prefetch', signal: leave.signal });
    await segmenter.whenHeld(picture.key);
    leave.abort(new Error('moved on'));
    await expect(request).rejects.toThrow('moved on');
    // Still in flight: coming back joins it instead of starting another encode.
    const back = store.get(segmenter, picture, { priority: 'onScreen' });
    segmenter.proceedAll();
    expect((await back).tier).toBe('encoder');
    expect(segmenter.encodeLog).toEqual([picture.key]);
    expect(store.peek('sam-test', picture.key)).toBeDefined();
  });

  it('a higher-priority caller raises the shared work: an opened prefetch passes the other prefetches', async () => {
    const queue = new WorkQueue();
    const store = makeStore(null, { queue });
    const segmenter = new ControlledSegmenter('sam-test');
    segmenter.hold = true;
    const pictures = await Promise.all([0, 1, 2, 3].map(image));
    const [busy, next1, next2, next3] = pictures as [
      (typeof pictures)[0],
      (typeof pictures)[0],
      (typeof pictures)[0],
      (typeof pictures)[0],
    ];
    const all = [store.get(segmenter, busy, { priority: 'onScreen' })];
    await segmenter.whenHeld(busy.key);
    for (const next of [next1, next2, next3])
      all.push(store.get(segmenter, next, { priority: 'prefetch' }));
    await settle();
    all.push(store.get(segmenter, next3, { priority: 'onScreen' }));
    // Whatever the queue starts next is let through, one at a time.
    for (let run = 0; run < 4; run++) {
      await segmenter.whenHeld();
      segmenter.proceedAll();
    }
    await Promise.all(all);
    expect(segmenter.encodeLog).toEqual([busy.key, next3.key, next1.key, next2.key]);
  });
});

describe('folderNameOf', () => {
  it('keeps plain model ids and makes safe, distinct names of the others', () => {
    expect(folderNameOf('sam-vit-b-01ec64')).toBe('sam-vit-b-01ec64');
    expect(folderNameOf('mobile_sam.v2')).toBe('mobile_sam.v2');
    const slash = folderNameOf('models/sam:b');
    expect(slash).toMatch(/^models_sam_b-[0-9a-f]{12}$/);
    expect(folderNameOf('models_sam_b')).not.toBe(slash);
    expect(folderNameOf('..')).toMatch(/^model-[0-9a-f]{12}$/);
    expect(folderNameOf('.hidden')).toMatch(/^hidden-[0-9a-f]{12}$/);
  });
});
