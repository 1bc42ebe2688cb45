import { copyFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../config/index.js';
import { bitmapIou, createBitmap } from '../../geometry/index.js';
import type { MemoryManager } from '../../memory/index.js';
import type { Prompt } from '../segmenter.js';
import { EngineClosedError } from './errors.js';
import { SegmentationEngine } from './segmentation-engine.js';
import {
  ControlledSegmenter,
  editImage,
  engineTestBed,
  imagePositions,
  makeDataset,
  openDataset,
  settle,
  simulatedMemory,
  waitFor,
  type Dataset,
} from './test-support.js';

const bed = engineTestBed(10);
const { cleanups, id, embeddingsDir } = bed;
const positions = imagePositions;
/** A click in the middle of the coloured square every test image has (30..90 x 20..80 of 160x120). */
const onSquare: Prompt = { points: [{ x: 60, y: 50, label: 1 }] };

function engine(
  segmenter: ControlledSegmenter,
  options: { embeddingsDir?: string | null; memory?: MemoryManager; data?: Dataset } = {},
) {
  const data = options.data ?? bed.dataset();
  const made = new SegmentationEngine({
    segmenter,
    images: data.images,
    config: data.config,
    embeddingsDir: options.embeddingsDir ?? null,
    memory: options.memory ?? null,
  });
  cleanups.push(async () => {
    segmenter.hold = false;
    segmenter.proceedAll();
    await made.close();
  });
  return made;
}

describe('SegmentationEngine open and prefetch', () => {
  it('encodes the opened image, then prefetches the next prefetch.depth images; walking on costs no encode', async () => {
    const segmenter = new ControlledSegmenter();
    const sam = engine(segmenter);
    expect(await sam.open(id(0))).toMatchObject({ imageId: id(0), tier: 'encoder' });
    await sam.whenIdle();
    expect(positions(segmenter.encodeLog)).toEqual([0, 1, 2, 3]);
    expect(await sam.open(id(1))).toMatchObject({ tier: 'ram' });
    await sam.whenIdle();
    expect(positions(segmenter.encodeLog)).toEqual([0, 1, 2, 3, 4]);
    expect(sam.stats().prefetch).toMatchObject({ started: 4, completed: 4, cancelled: 0 });
  });

  it('the on-screen image passes queued prefetches; stale prefetches are cancelled on navigation', async () => {
    const segmenter = new ControlledSegmenter();
    segmenter.hold = true;
    const sam = engine(segmenter);
    const first = sam.open(id(0)).catch((err: unknown) => err);
    await segmenter.whenHeld();
    await waitFor(() => sam.stats().queue.queued.prefetch === 3, 'prefetches 1-3 queued');

    // The user jumps to image 5 while image 0 still encodes.
    const jump = sam.open(id(5));
    await waitFor(() => {
      const { queue, prefetch } = sam.stats();
      return queue.queued.onScreen === 1 && queue.queued.prefetch === 3 && prefetch.started === 6;
    }, 'image 5 and prefetches 6-8 queued');
    expect(sam.stats().prefetch.cancelled).toBe(3);
    expect(await first).toMatchObject({ name: 'AbortError' });
    for (let run = 0; run < 5; run++) {
      await segmenter.whenHeld();
      segmenter.proceedAll();
    }
    expect(await jump).toMatchObject({ tier: 'encoder' });
    await sam.whenIdle();
    // 0 was running and is finished (and kept); 1-3 were dropped before they started.
    expect(positions(segmenter.encodeLog)).toEqual([0, 5, 6, 7, 8]);
    expect(segmenter.maxRunning).toBe(1);
    expect(sam.stats().queue.cancelled.prefetch).toBe(3);
    expect((await sam.open(id(0))).tier).toBe('ram');
  });

  it('opening the same image again keeps its queued encode in place', async () => {
    const segmenter = new ControlledSegmenter();
    segmenter.hold = true;
    const sam = engine(segmenter);
    const left = sam.open(id(0)).catch((err: unknown) => err);
    await segmenter.whenHeld();
    const five = sam.open(id(5)).catch((err: unknown) => err);
    await waitFor(() => sam.stats().queue.queued.onScreen === 1, 'image 5 queued');
    const fiveAgain = sam.open(id(5));
    expect(await five).toMatchObject({ name: 'AbortError' });
    expect(sam.stats().queue.queued.onScreen).toBe(1);
    segmenter.hold = false;
    segmenter.proceedAll();
    expect(await left).toMatchObject({ name: 'AbortError' });
    expect(await fiveAgain).toMatchObject({ tier: 'encoder' });
    expect(sam.stats().queue.cancelled.onScreen).toBe(0);
    expect(positions(segmenter.encodeLog).filter((n) => n === 5)).toHaveLength(1);
  });

  it('opening an image that is being prefetched does not encode it twice', async () => {
    const segmenter = new ControlledSegmenter();
    segmenter.hold = true;
    const sam = engine(segmenter);
    const first = sam.open(id(0));
    await segmenter.whenHeld();
    segmenter.proceedAll();
    await first;
    await segmenter.whenHeld(); // prefetch of image 1 runs
    const opening = sam.open(id(1));
    await waitFor(() => sam.stats().embeddings.shared === 1, 'the open to join the prefetch');
    segmenter.proceedAll();
    expect((await opening).tier).toBe('encoder');
    segmenter.hold = false;
    segmenter.proceedAll();
    await sam.whenIdle();
    expect(positions(segmenter.encodeLog)).toEqual([0, 1, 2, 3, 4]);
  });
});

describe('SegmentationEngine predict', () => {
  it('answers a click with a mask of the clicked object', async () => {
    const sam = engine(new ControlledSegmenter());
    const { candidates, cached, embeddingTier } = await sam.predict(id(2), onSquare);
    expect({ cached, embeddingTier }).toEqual({ cached: false, embeddingTier: 'encoder' });
    const square = createBitmap(160, 120);
    for (let y = 20; y < 80; y++) square.data.fill(1, y * 160 + 30, y * 160 + 90);
    expect(bitmapIou(candidates[0]!.mask, square)).toBeGreaterThan(0.8);
  });

  it('a click overtakes queued prefetch: its image is encoded next', async () => {
    const segmenter = new ControlledSegmenter();
    segmenter.hold = true;
    const sam = engine(segmenter);
    const first = sam.open(id(0));
    await segmenter.whenHeld();
    segmenter.proceedAll();
    await first;
    await segmenter.whenHeld(); // prefetch 1 runs, 2 and 3 wait
    const click = sam.predict(id(7), onSquare);
    await waitFor(() => {
      const { queued } = sam.stats().queue;
      return queued.interactive === 1 && queued.prefetch === 2;
    }, 'the click and prefetches 2-3 queued');
    for (let run = 0; run < 4; run++) {
      await segmenter.whenHeld();
      segmenter.proceedAll();
    }
    expect((await click).embeddingTier).toBe('encoder');
    await sam.whenIdle();
    expect(positions(segmenter.encodeLog)).toEqual([0, 1, 7, 2, 3]);
  });

  it('a click on an encoded image is answered while a long background encode runs', async () => {
    const segmenter = new ControlledSegmenter();
    segmenter.hold = true;
    const sam = engine(segmenter);
    const first = sam.open(id(0));
    await segmenter.whenHeld();
    segmenter.proceedAll();
    await first;
    await segmenter.whenHeld(); // the prefetch of image 1 holds the encoder
    const answer = await sam.predict(id(0), onSquare);
    expect(answer).toMatchObject({ cached: false, embeddingTier: 'ram' });
    expect(sam.stats().queue.encoding).toBe('prefetch');
    expect(segmenter.heldKeys).toHaveLength(1);
  });

  it('answers a repeated prompt from the prediction cache and counts hits and misses', async () => {
    const segmenter = new ControlledSegmenter();
    const sam = engine(segmenter);
    const first = await sam.predict(id(3), onSquare);
    const again = await sam.predict(id(3), { points: [{ x: 60.0002, y: 50, label: 1 }] });
    expect(again).toEqual({ candidates: first.candidates, cached: true, embeddingTier: null });
    await sam.predict(id(3), { points: [{ x: 10, y: 10, label: 1 }] });
    expect(segmenter.predictLog).toHaveLength(2);
    expect(sam.stats().predictions).toMatchObject({ hits: 1, misses: 2, entries: 2 });
  });

  it('an edited image gets a new content key: its cached answers are dropped and it is encoded again', async () => {
    const data = await makeDataset(2);
    cleanups.push(data.remove);
    const segmenter = new ControlledSegmenter();
    const sam = engine(segmenter, { data });
    const before = await sam.predict(data.ids[0]!, onSquare);
    await editImage(data, data.ids[0]!);
    const after = await sam.predict(data.ids[0]!, onSquare);
    expect(after).toMatchObject({ cached: false, embeddingTier: 'encoder' });
    expect(segmenter.encodeLog).toHaveLength(2);
    expect(segmenter.encodeLog[0]).not.toBe(segmenter.encodeLog[1]);
    expect(after.candidates[0]!.area).not.toBe(before.candidates[0]!.area);
    expect(sam.stats().predictions.invalidated).toBe(1);
  });

  it('a model change drops the old model answers and predicts with the new model', async () => {
    const first = new ControlledSegmenter('model-a');
    const second = new ControlledSegmenter('model-b');
    const sam = engine(first);
    await sam.predict(id(4), onSquare);
    sam.setSegmenter(second);
    expect(sam.stats().predictions).toMatchObject({ invalidated: 1, entries: 0 });
    const answer = await sam.predict(id(4), onSquare);
    expect(answer).toMatchObject({ cached: false, embeddingTier: 'encoder' });
    expect([first.predictLog.length, second.predictLog.length]).toEqual([1, 1]);
    expect(sam.stats().modelId).toBe('model-b');
  });

  it('reports queue depth by priority, cache tiers and encode/decode/predict latencies', async () => {
    const sam = engine(new ControlledSegmenter());
    await sam.open(id(0));
    await sam.predict(id(0), onSquare);
    await sam.predict(id(0), onSquare);
    await sam.whenIdle();
    const stats = sam.stats();
    expect(stats.queue.queued).toEqual({ interactive: 0, onScreen: 0, prefetch: 0, batch: 0 });
    expect(stats.queue.completed).toMatchObject({ onScreen: 1, prefetch: 3 });
    expect(stats.queue.encode.count).toBe(4);
    expect(stats.queue.encode.p95Ms).toBeGreaterThanOrEqual(stats.queue.encode.p50Ms!);
    expect(stats.queue.decode.count).toBe(1);
    expect(stats.predict.count).toBe(2);
    expect(stats.embeddings).toMatchObject({ encoder: { runs: 4 }, ram: { hits: 1 } });
  });
});

describe('SegmentationEngine disk, batch and memory', () => {
  it('a restarted engine on the same project folder opens from disk without the encoder', async () => {
    const dir = embeddingsDir();
    const first = engine(new ControlledSegmenter('sam-test'), { embeddingsDir: dir });
    await first.open(id(0));
    await first.whenIdle();
    await first.close();

    const segmenter = new ControlledSegmenter('sam-test');
    const restarted = engine(segmenter, { embeddingsDir: dir });
    expect((await restarted.open(id(0))).tier).toBe('disk');
    await restarted.whenIdle();
    // Images 1-3 were prefetched by the first engine and are on disk: skipped, not encoded.
    expect(segmenter.encodeLog).toEqual([]);
    expect(restarted.stats().prefetch).toMatchObject({ skippedCached: 3, started: 0 });
  });

  it('embed() fills the disk cache at batch priority, skips cached images, and leaves RAM alone', async () => {
    const segmenter = new ControlledSegmenter('sam-test');
    const sam = engine(segmenter, { embeddingsDir: embeddingsDir() });
    expect(await sam.embed(id(6))).toEqual({ imageId: id(6), tier: 'encoder', onDisk: true });
    expect(await sam.embed(id(6))).toEqual({ imageId: id(6), tier: 'disk', onDisk: true });
    expect(segmenter.encodeLog).toHaveLength(1);
    expect(sam.stats().embeddings.ram.entries).toBe(0);
    expect(sam.stats().queue.completed.batch).toBe(1);
  });

  it('with content hashing, a copy of an image under another name shares its embedding', async () => {
    const data = await makeDataset(1);
    cleanups.push(data.remove);
    copyFileSync(path.join(data.dir, 'img-00.jpg'), path.join(data.dir, 'copy.jpg'));
    const config = defaultConfig().with({ 'cache.embeddings.contentHash': true });
    const hashed = openDataset(data.dir, config);
    const segmenter = new ControlledSegmenter();
    const sam = engine(segmenter, { data: hashed });
    const [copy, original] = hashed.ids;
    expect((await sam.open(original!)).tier).toBe('encoder');
    const again = await sam.open(copy!);
    expect(again).toMatchObject({
      tier: 'ram',
      imageKey: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
    });
    expect(segmenter.encodeLog).toHaveLength(1);
  });

  it('registers its caches with the memory manager; at critical, prefetch is refused while the user is served', async () => {
    const { manager, setUsage } = simulatedMemory();
    const segmenter = new ControlledSegmenter();
    const sam = engine(segmenter, { memory: manager });
    expect(manager.status().caches).toEqual([
      expect.objectContaining({ name: 'predictions', share: 0.05, budgetBytes: 50_000_000 }),
      expect.objectContaining({ name: 'embeddings', share: 0.4, budgetBytes: 400_000_000 }),
    ]);
    await setUsage(0.97);
    expect(manager.background.state).toBe('refusing');
    expect((await sam.open(id(0))).tier).toBe('encoder');
    const answer = await sam.predict(id(0), onSquare);
    expect(answer.candidates).toHaveLength(1);
    await settle();
    await sam.whenIdle();
    expect(positions(segmenter.encodeLog)).toEqual([0]);
    expect(sam.stats().prefetch).toMatchObject({ refused: 3, completed: 0 });

    await setUsage(0.5);
    await sam.open(id(1));
    await sam.whenIdle();
    expect(positions(segmenter.encodeLog)).toEqual([0, 1, 2, 3, 4]);

    await sam.close();
    expect(manager.status().caches).toEqual([]);
  });

  it('a closed engine refuses work', async () => {
    const sam = engine(new ControlledSegmenter());
    await sam.close();
    await expect(sam.open(id(0))).rejects.toBeInstanceOf(EngineClosedError);
    await expect(sam.predict(id(0), onSquare)).rejects.toBeInstanceOf(EngineClosedError);
  });
});
