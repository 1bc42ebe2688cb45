/**
 * The engine decodes the next pictures while one encodes (read-ahead), for batch embedding
 * (embedEach, the `embed` command) and prefetch, without giving up its priorities or its memory
 * bounds.
 */
import { describe, expect, it } from 'vitest';
import type { MemoryManager } from '../../memory/index.js';
import { openTestPair } from '../sam/sam-test-support.js';
import { segmenterImageOf } from '../segmenter-image.js';
import type { Embedding, Segmenter, SegmenterImage } from '../segmenter.js';
import { SegmentationEngine, type EmbedOutcome } from './segmentation-engine.js';
import {
  ControlledSegmenter,
  engineTestBed,
  imagePositions,
  recordingImages,
  settle,
  simulatedMemory,
  waitFor,
} from './test-support.js';

const bed = engineTestBed(8);
const { cleanups, id, embeddingsDir } = bed;
const positions = imagePositions;
const ids = () => bed.dataset().ids;

function engine(
  segmenter: Segmenter,
  images: ReturnType<typeof recordingImages>,
  options: { memory?: MemoryManager; embeddingsDir?: string } = {},
) {
  const made = new SegmentationEngine({
    segmenter,
    images,
    config: bed.dataset().config,
    embeddingsDir: options.embeddingsDir ?? null,
    memory: options.memory ?? null,
    readAhead: 2,
  });
  cleanups.push(async () => {
    if (segmenter instanceof ControlledSegmenter) {
      segmenter.hold = false;
      segmenter.proceedAll();
    }
    await made.close();
  });
  return made;
}

/** Runs embedEach in the background, collecting its outcomes. */
function collect(run: AsyncGenerator<EmbedOutcome>) {
  const outcomes: EmbedOutcome[] = [];
  const done = (async () => {
    for await (const outcome of run) outcomes.push(outcome);
  })();
  return { outcomes, done };
}

describe('SegmentationEngine batch embedding with read-ahead', () => {
  it('decodes the next two pictures while one encodes, and embeds every image in order', async () => {
    const segmenter = new ControlledSegmenter('sam-test');
    segmenter.hold = true;
    const images = recordingImages(bed.dataset());
    const sam = engine(segmenter, images, { embeddingsDir: embeddingsDir() });
    const run = collect(sam.embedEach(ids().slice(0, 6)));

    await segmenter.whenHeld();
    // Lookups end in any order, but the images reach the queue in the order given.
    await waitFor(() => sam.stats().queue.queued.batch === 5, 'the next five images queued');
    await waitFor(() => images.requested.length === 3, 'two pictures decoded ahead');
    await settle();
    // Image 0 encodes (held); 1 and 2 are decoded meanwhile, and no more.
    expect(images.requested).toEqual([0, 1, 2]);
    expect(positions(segmenter.encodeLog)).toEqual([0]);
    expect(sam.stats().queue.preparedAhead.batch).toBe(2);

    segmenter.proceedAll();
    await segmenter.whenHeld();
    // Image 1 took its decoded picture; 3 is decoded while it runs.
    await waitFor(() => images.requested.length === 4, 'a third picture decoded ahead');
    await settle();
    expect(images.requested).toEqual([0, 1, 2, 3]);

    segmenter.hold = false;
    segmenter.proceedAll();
    await run.done;
    const outcomes = run.outcomes.map((o) => [
      o.imageId,
      o.ok && o.result.tier,
      o.ok && o.result.onDisk,
    ]);
    expect(outcomes).toEqual(
      ids()
        .slice(0, 6)
        .map((imageId) => [imageId, 'encoder', true]),
    );
    // Every picture decoded once, every encode alone in the slot, in order.
    expect(images.requested).toEqual([0, 1, 2, 3, 4, 5]);
    expect(positions(segmenter.encodeLog)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(segmenter.maxRunning).toBe(1);
    expect(sam.stats().queue.preparedAhead.batch).toBeGreaterThanOrEqual(3);
    expect(sam.stats().embeddings.ram.entries).toBe(0);
  });

  it('stopping the batch drops the queued images and their decoded pictures', async () => {
    const segmenter = new ControlledSegmenter('sam-test');
    segmenter.hold = true;
    const images = recordingImages(bed.dataset());
    const sam = engine(segmenter, images);
    const stop = new AbortController();
    const run = collect(sam.embedEach(ids(), stop.signal));
    await segmenter.whenHeld();
    await waitFor(() => sam.stats().queue.queued.batch === 5, 'the next five images queued');
    await waitFor(() => sam.stats().queue.preparedAhead.batch === 2, 'two pictures decoded ahead');

    stop.abort(new DOMException('interrupted', 'AbortError'));
    await run.done;
    expect(run.outcomes.every((o) => !o.ok && (o.error as Error).name === 'AbortError')).toBe(true);
    const { queue } = sam.stats();
    expect(queue.queued.batch).toBe(0);
    expect(queue.droppedAhead.batch).toBe(2);
    expect(queue.cancelled.batch).toBe(5);
    // The running encode is finished and kept; nothing after it was encoded or decoded.
    segmenter.proceedAll();
    await sam.whenIdle();
    expect(positions(segmenter.encodeLog)).toEqual([0]);
    expect(images.requested).toEqual([0, 1, 2]);
  });

  it('keeps the priorities: a click passes the decoded batch images, and a click on an encoded image waits for no encode', async () => {
    const segmenter = new ControlledSegmenter('sam-test');
    const images = recordingImages(bed.dataset());
    const sam = engine(segmenter, images);
    await sam.predict(id(7), { points: [{ x: 60, y: 50, label: 1 }] });
    segmenter.hold = true;
    const run = collect(sam.embedEach(ids().slice(0, 4)));
    await segmenter.whenHeld();
    await waitFor(() => sam.stats().queue.preparedAhead.batch === 2, 'two pictures decoded ahead');

    const answer = await sam.predict(id(7), { points: [{ x: 60, y: 50, label: 1 }] });
    expect(answer.embeddingTier).toBe(null);
    const ready = await sam.predict(id(7), { points: [{ x: 10, y: 10, label: 1 }] });
    expect(ready.embeddingTier).toBe('ram');
    expect(sam.stats().queue.encoding).toBe('batch');

    const click = sam.predict(id(6), { points: [{ x: 60, y: 50, label: 1 }] });
    await waitFor(() => sam.stats().queue.queued.interactive === 1, 'the click queued');
    // Its picture is decoded at once, beside the batch read-ahead.
    await waitFor(() => images.requested.includes(6), 'the clicked picture decoded');
    segmenter.hold = false;
    segmenter.proceedAll();
    expect((await click).embeddingTier).toBe('encoder');
    await run.done;
    // The click's image right after the batch encode that held the slot.
    expect(positions(segmenter.encodeLog)).toEqual([7, 0, 6, 1, 2, 3]);
  });

  it('pauses read-ahead while memory is at the warning level and resumes when it eases', async () => {
    const { manager, setUsage } = simulatedMemory();
    const segmenter = new ControlledSegmenter('sam-test');
    const images = recordingImages(bed.dataset());
    const sam = engine(segmenter, images, { memory: manager });
    // The segmenter's first encode tells the engine which input it reads.
    await sam.predict(id(7), { points: [{ x: 60, y: 50, label: 1 }] });
    segmenter.hold = true;
    await setUsage(0.9);
    const click = sam.predict(id(6), { points: [{ x: 60, y: 50, label: 1 }] });
    await segmenter.whenHeld();
    const run = collect(sam.embedEach(ids().slice(0, 3)));
    await waitFor(() => sam.stats().queue.queued.batch === 3, 'the batch queued');
    await settle();
    expect(images.requested).toEqual([7, 6]);
    expect(sam.stats().queue).toMatchObject({
      preparedAhead: { batch: 0 },
      waitingForMemory: true,
    });

    // The click's encode still holds the slot: read-ahead resumes beside it.
    await setUsage(0.5);
    await waitFor(() => images.requested.length === 4, 'two pictures decoded ahead');
    expect(images.requested).toEqual([7, 6, 0, 1]);
    segmenter.hold = false;
    segmenter.proceedAll();
    await click;
    await run.done;
    expect(run.outcomes.every((o) => o.ok)).toBe(true);
  });
});

/** Names of the tensors whose shape or bytes differ (toEqual walks millions of floats slowly). */
function differingTensors(a: Embedding, b: Embedding): string[] {
  const names = new Set([...Object.keys(a.tensors), ...Object.keys(b.tensors)]);
  return [...names].filter((name) => {
    const [x, y] = [a.tensors[name], b.tensors[name]];
    if (!x || !y || x.dims.join() !== y.dims.join()) return true;
    const bytes = (t: typeof x) => Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    return !bytes(x).equals(bytes(y));
  });
}

/**
 * A real SAM segmenter made slow the way a heavy encoder is: each encode finishes only once the
 * next image's picture has been asked for (or fails saying it was not), and notes what it made.
 */
class PacedSegmenter implements Segmenter {
  readonly kind: Segmenter['kind'];
  readonly made = new Map<string, Embedding>();

  constructor(
    private readonly inner: Segmenter,
    private readonly nextAsked: (imageKey: string) => boolean,
  ) {
    this.kind = inner.kind;
  }

  get id(): string {
    return this.inner.id;
  }

  async encode(image: SegmenterImage, signal?: AbortSignal): Promise<Embedding> {
    const embedding = await this.inner.encode(image, signal);
    await waitFor(() => this.nextAsked(image.key), `the picture after ${image.key} to be decoded`);
    this.made.set(image.key, embedding);
    return embedding;
  }

  predict: Segmenter['predict'] = (embedding, prompt) => this.inner.predict(embedding, prompt);
  release = (): Promise<void> => this.inner.release();
}

describe('read-ahead with a generated SAM 2 model (contract B, squashed input)', () => {
  it('each next picture is decoded while the encoder runs, and every image gets its own embedding', async () => {
    const sam2 = await openTestPair('encoderSam2', 'decoderSam2');
    cleanups.push(() => sam2.release());
    const images = recordingImages(bed.dataset());
    const count = 5;
    const keyPosition = (key: string) => positions([key])[0]!;
    const paced = new PacedSegmenter(sam2, (key) => {
      const next = keyPosition(key) + 1;
      return next === count || images.requested.includes(next);
    });
    const sam = engine(paced, images, { embeddingsDir: embeddingsDir() });
    const outcomes: EmbedOutcome[] = [];
    for await (const outcome of sam.embedEach(ids().slice(0, count))) outcomes.push(outcome);

    expect(outcomes.map((o) => (o.ok ? o.result.tier : String(o.error)))).toEqual(
      Array(count).fill('encoder'),
    );
    expect(images.requested).toEqual([0, 1, 2, 3, 4]);
    expect(sam.stats().queue.preparedAhead.batch).toBe(count - 1);
    for (let n = 0; n < count; n++) {
      const entry = bed.dataset().index.require(id(n));
      const alone = await segmenterImageOf(bed.dataset().images, entry, `stat:${entry.relPath}`);
      const made = [...paced.made.values()].find((e) => keyPosition(e.imageKey) === n)!;
      expect(differingTensors(made, await sam2.encode(alone))).toEqual([]);
    }
  });
});
