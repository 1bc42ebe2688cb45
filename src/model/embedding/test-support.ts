/**
 * Shared by this folder's tests; not part of the public API.
 *
 * ControlledSegmenter is the fault and timing injection the scheduling tests need: a small but
 * working segmenter (its embedding is the block-mean colour of the real decoded model input, its
 * masks are the pixels of similar colour) whose encodes can be held until the test releases
 * them, made to fail, and whose calls are recorded in order. HeldPreparation and the queue
 * harness do the same for the work queue's preparations and encodes.
 */
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { defaultConfig, type Config } from '../../config/index.js';
import { ImageIndex, ImageService } from '../../dataset/index.js';
import { MemoryManager } from '../../memory/index.js';
import { capturingLogger, SimulatedProbe } from '../../memory/test-support.js';
import { bitmapArea, bitmapBbox, createBitmap, encodeMask } from '../../geometry/index.js';
import type { Candidate, Embedding, Prompt, Segmenter, SegmenterImage } from '../segmenter.js';
import type { EngineImages } from './segmentation-engine.js';
import {
  WorkQueue,
  type EncodeOptions,
  type Preparation,
  type WorkPriority,
} from './work-queue.js';

/** Deterministic uniform numbers in [0, 1) (mulberry32). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Values distributed like SAM features: most N(0, 0.3), some N(0, 2), a few N(0, 12) (SAM 2's
 * high-res maps), and exact zeros (padding).
 */
export function gaussianEmbeddingValues(count: number, seed: number): Float32Array {
  const random = seededRandom(seed);
  const values = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    const u = Math.max(random(), 1e-12);
    const normal = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
    const pick = random();
    const scale = pick < 0.02 ? 0 : pick < 0.9 ? 0.3 : pick < 0.99 ? 2 : 12;
    values[i] = normal * scale;
  }
  return values;
}

export interface Deferred<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (reason: unknown) => void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets every pending promise callback and timer of this turn run. */
export async function settle(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((resolve) => setImmediate(resolve));
}

/**
 * Waits until `condition()` holds, letting I/O and timers run in between; throws naming `what`
 * after `timeoutMs`. For states reached through file system calls, which take a variable number
 * of event-loop turns. Not a timing assertion: the time limit only stops a broken test.
 */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

/** Side of the colour grid the controlled segmenter's embedding holds. */
export const GRID = 16;

/** How close (0..255 per channel, summed) a cell's colour must be to the clicked one to be in the mask. */
const SIMILAR = 60;

/**
 * A real segmenter over a 16x16 grid of mean colours whose encode can be held (`hold`), fail
 * (`failNext`), and is recorded. Encodes honour their AbortSignal while held.
 */
export class ControlledSegmenter implements Segmenter {
  readonly kind = 'default' as const;
  /** Image keys in the order their encodes started. */
  readonly encodeLog: string[] = [];
  /** Image keys of predict calls, in order. */
  readonly predictLog: string[] = [];
  running = 0;
  maxRunning = 0;
  /** When true, each encode waits for proceed()/proceedAll() after decoding its input. */
  hold = false;
  private readonly held = new Map<string, Deferred<void>>();
  private readonly heldChanged = new Set<() => void>();
  private failures: Error[] = [];

  constructor(readonly id = 'controlled') {}

  failNext(error: Error): void {
    this.failures.push(error);
  }

  /** Image keys whose encodes are held now. */
  get heldKeys(): string[] {
    return [...this.held.keys()];
  }

  /** Resolves once an encode for `key` (any key when omitted) is held: started and waiting. */
  async whenHeld(key?: string): Promise<void> {
    while (key === undefined ? this.held.size === 0 : !this.held.has(key)) {
      await new Promise<void>((resolve) => this.heldChanged.add(resolve));
    }
  }

  /** Lets the held encode of `key` finish. */
  proceed(key: string): void {
    const gate = this.held.get(key);
    if (!gate) throw new Error(`no encode of ${key} is held (held: ${this.heldKeys.join(', ')})`);
    this.held.delete(key);
    gate.resolve();
  }

  proceedAll(): void {
    for (const key of this.heldKeys) this.proceed(key);
  }

  async encode(image: SegmenterImage, signal?: AbortSignal): Promise<Embedding> {
    this.encodeLog.push(image.key);
    this.running++;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    try {
      const failure = this.failures.shift();
      if (failure) throw failure;
      const input = await image.modelInput('longest-side');
      if (this.hold) await this.waitForRelease(image.key, signal);
      signal?.throwIfAborted();
      return {
        modelId: this.id,
        imageKey: image.key,
        original: image.size,
        tensors: { colours: { dims: [3, GRID, GRID], data: blockMeans(input) } },
      };
    } finally {
      this.running--;
    }
  }

  async predict(embedding: Embedding, prompt: Prompt): Promise<Candidate[]> {
    this.predictLog.push(embedding.imageKey);
    const colours = embedding.tensors.colours!.data as Float32Array;
    const { width, height } = embedding.original;
    const cellOf = (x: number, y: number) =>
      Math.min(GRID - 1, Math.floor((y / height) * GRID)) * GRID +
      Math.min(GRID - 1, Math.floor((x / width) * GRID));
    const positive = prompt.points.find((p) => p.label === 1);
    if (!positive) return [];
    const seed = cellOf(positive.x, positive.y);
    const mask = createBitmap(width, height);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const cell = cellOf(x + 0.5, y + 0.5);
        let distance = 0;
        for (let c = 0; c < 3; c++) {
          distance += Math.abs(colours[c * GRID * GRID + cell]! - colours[c * GRID * GRID + seed]!);
        }
        if (distance <= SIMILAR) mask.data[y * width + x] = 1;
      }
    }
    return [
      {
        mask,
        rle: encodeMask(mask),
        bbox: bitmapBbox(mask),
        area: bitmapArea(mask),
        predictedIou: 1,
        stabilityScore: 1,
        lowRes: null,
      },
    ];
  }

  /** Holds no sessions. */
  async release(): Promise<void> {}

  private async waitForRelease(key: string, signal?: AbortSignal): Promise<void> {
    const gate = deferred();
    this.held.set(key, gate);
    for (const notify of [...this.heldChanged]) notify();
    this.heldChanged.clear();
    const onAbort = () => {
      if (this.held.get(key) === gate) this.held.delete(key);
      gate.reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      await gate.promise;
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }
}

/** Mean R, G, B (0-255) of each cell of a GRID x GRID split of the picture, planar. */
function blockMeans(input: { width: number; height: number; data: Buffer }): Float32Array {
  const sums = new Float64Array(3 * GRID * GRID);
  const counts = new Float64Array(GRID * GRID);
  const { width, height, data } = input;
  for (let y = 0; y < height; y++) {
    const gy = Math.min(GRID - 1, Math.floor((y * GRID) / height));
    for (let x = 0; x < width; x++) {
      const cell = gy * GRID + Math.min(GRID - 1, Math.floor((x * GRID) / width));
      counts[cell]!++;
      for (let c = 0; c < 3; c++) sums[c * GRID * GRID + cell]! += data[(y * width + x) * 3 + c]!;
    }
  }
  return Float32Array.from(sums, (sum, i) => sum / Math.max(1, counts[i % (GRID * GRID)]!));
}

export interface Dataset {
  dir: string;
  index: ImageIndex;
  images: ImageService;
  /** Image ids in index order. */
  ids: string[];
  config: Config;
  remove(): void;
}

/**
 * `count` real JPEGs (a coloured square on a contrasting background, a different colour per
 * image), named img-00.jpg..., in a temp folder, indexed, with an ImageService over them.
 */
export async function makeDataset(count: number, config = defaultConfig()): Promise<Dataset> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sam-embedding-'));
  for (let i = 0; i < count; i++) {
    const hue = (i * 47) % 256;
    const square = await sharp({
      create: { width: 60, height: 60, channels: 3, background: { r: 255 - hue, g: hue, b: 40 } },
    })
      .png()
      .toBuffer();
    const picture = await sharp({
      create: {
        width: 160,
        height: 120,
        channels: 3,
        background: { r: 30, g: 40, b: 200 - (i % 5) * 30 },
      },
    })
      .composite([{ input: square, left: 30, top: 20 }])
      .jpeg({ quality: 92 })
      .toBuffer();
    writeFileSync(path.join(dir, `img-${String(i).padStart(2, '0')}.jpg`), picture);
  }
  return openDataset(dir, config);
}

/** Indexes the images of `dir` (again, after a test added files). */
export function openDataset(dir: string, config = defaultConfig()): Dataset {
  const index = ImageIndex.open(dir);
  // A variable, not a literal: the options type is being extended by the dataset work in flight.
  const serviceOptions = { hostBudgetBytes: 256 * 1024 * 1024, budgets: {} };
  const images = new ImageService(index, config, serviceOptions);
  return {
    dir,
    index,
    images,
    ids: index.entries().map((entry) => entry.id),
    config,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Rewrites an image with other pixels and a later mtime: a new version of the same file. */
export async function editImage(dataset: Dataset, id: string): Promise<void> {
  const entry = dataset.index.require(id);
  const picture = await sharp({
    create: { width: 160, height: 120, channels: 3, background: { r: 250, g: 250, b: 250 } },
  })
    .jpeg()
    .toBuffer();
  writeFileSync(entry.absPath, picture);
  const later = new Date(Date.now() + 5000);
  utimesSync(entry.absPath, later, later);
}

/** A temp folder for disk caches, and its removal. */
export function tempFolder(prefix: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), `sam-embedding-${prefix}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A segmenter image over a dataset image, keyed as the engine keys it (for store-level tests). */
export async function segmenterImage(
  dataset: Dataset,
  id: string,
  key: string = `stat:${dataset.index.require(id).relPath}`,
): Promise<SegmenterImage> {
  const { width, height } = await dataset.images.metadata(id);
  return {
    key,
    size: { width, height },
    modelInput: (contract) => dataset.images.getModelInput(id, contract),
  };
}

/** Host budget of simulatedMemory(). */
export const SIMULATED_BUDGET = 1_000_000_000;

/**
 * A real MemoryManager over a simulated process whose usage the test sets (as a share of a
 * 1 GB budget) before running a real check.
 */
export function simulatedMemory() {
  const { logger, lines } = capturingLogger();
  const probe = new SimulatedProbe({ systemTotal: 10 * SIMULATED_BUDGET });
  const manager = new MemoryManager({
    config: defaultConfig().with({ 'memory.watchSystem': false }),
    logger,
    probe,
    gc: null,
  });
  manager.setConfiguredBudget(SIMULATED_BUDGET);
  const setUsage = async (ratio: number) => {
    probe.baselineRss = ratio * SIMULATED_BUDGET;
    await manager.check();
  };
  return { manager, probe, lines, setUsage };
}

/** Encodes whose runs the test finishes by hand, with the order they started in. */
export function queueHarness(queue = new WorkQueue()) {
  const started: string[] = [];
  const runs = new Map<string, Deferred<string>>();
  const signals = new Map<string, AbortSignal>();
  let running = 0;
  let maxRunning = 0;
  const submit = (name: string, priority: WorkPriority, options: Partial<EncodeOptions> = {}) =>
    queue.encode(
      async (signal) => {
        started.push(name);
        signals.set(name, signal);
        running++;
        maxRunning = Math.max(maxRunning, running);
        const run = deferred<string>();
        runs.set(name, run);
        try {
          return await run.promise;
        } finally {
          running--;
        }
      },
      { priority, ...options },
    );
  const finish = async (name: string) => {
    runs.get(name)!.resolve(name);
    await settle();
  };
  return { queue, started, submit, finish, signals, maxRunning: () => maxRunning };
}

/**
 * A preparation (a picture decode, as the queue sees it) that the test finishes by hand, noting
 * what the queue did with it. `ready = false` makes
 * start() answer that it cannot start yet.
 */
export class HeldPreparation implements Preparation {
  ready = true;
  started = false;
  dropped = false;
  private readonly work = deferred();

  start(): Promise<void> | null {
    if (!this.ready) return null;
    this.started = true;
    return this.work.promise;
  }

  /** The decode is done. */
  finish(): void {
    this.work.resolve();
  }

  drop(): void {
    this.dropped = true;
  }
}

/**
 * The engine's view of a real dataset that notes which images' model inputs were asked for, in
 * order (index positions), so that a test can see when each picture was decoded.
 */
export function recordingImages(dataset: Dataset): EngineImages & { requested: number[] } {
  const requested: number[] = [];
  return {
    index: dataset.index,
    requested,
    getModelInput(id, contract) {
      requested.push(dataset.ids.indexOf(id));
      return dataset.images.getModelInput(id, contract);
    },
  };
}

/**
 * The frame of an engine test file: a dataset of `count` images made once for the file, and
 * cleanups (engines to close, folders to remove) run after each test, last registered first.
 */
export function engineTestBed(count: number) {
  let made: Dataset | undefined;
  const cleanups: Array<() => void | Promise<void>> = [];
  beforeAll(async () => {
    made = await makeDataset(count);
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  afterAll(() => made?.remove());
  const dataset = (): Dataset => {
    if (!made) throw new Error('the test dataset is made in beforeAll');
    return made;
  };
  return {
    dataset,
    cleanups,
    /** The id of image `n` in index order. */
    id: (n: number) => dataset().ids[n]!,
    /** A `cache/embeddings` folder in a temp folder removed after the test. */
    embeddingsDir(): string {
      const folder = tempFolder('engine');
      cleanups.push(folder.remove);
      return path.join(folder.dir, 'cache', 'embeddings');
    },
  };
}

/** Index positions (img-NN.jpg) of the images whose keys are given, in order. */
export function imagePositions(keys: string[]): number[] {
  return keys.map((key) => Number(/img-(\d+)\.jpg/.exec(key)![1]));
}
