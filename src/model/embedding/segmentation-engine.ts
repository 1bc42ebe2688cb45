import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { LRUCache } from 'lru-cache';
import type { Config } from '../../config/index.js';
import type { ImageIndex } from '../../dataset/index.js';
import { silentLogger, type Logger } from '../../log/logger.js';
import { CACHE_PRIORITY, type MemoryManager } from '../../memory/index.js';
import { segmenterImageOf, type SegmenterImageSource } from '../segmenter-image.js';
import type { Candidate, Prompt, Segmenter, SegmenterImage } from '../segmenter.js';
import { ContentKeys } from './content-key.js';
import {
  EmbeddingStore,
  type EmbeddingResult,
  type EmbeddingStoreStats,
  type EmbeddingTier,
} from './embedding-store.js';
import { EngineClosedError } from './errors.js';
import { LatencyWindow, type LatencySummary } from './latency.js';
import { PredictionCache, type PredictionCacheStats } from './prediction-cache.js';
import { Prefetcher, type PrefetcherStats } from './prefetcher.js';
import { DEFAULT_READ_AHEAD, WorkQueue, abortReason, type WorkQueueStats } from './work-queue.js';

/** What the engine needs of the dataset; ImageService provides it. */
export interface EngineImages extends SegmenterImageSource {
  readonly index: ImageIndex;
}

export interface SegmentationEngineOptions {
  segmenter: Segmenter;
  images: EngineImages;
  /** cache.embeddings.*, cache.predictions.*, prefetch.depth, memory.budget. */
  config: Config;
  /** `<project>/cache/embeddings`; null or absent keeps embeddings in RAM only. */
  embeddingsDir?: string | null;
  /**
   * Gives the 'embeddings' and 'predictions' caches their budgets and shrinks them under
   * pressure; its gate holds prefetch at warning and refuses it at critical. Without one,
   * budgets are the configured shares of memory.budget (physical RAM when "auto").
   */
  memory?: MemoryManager | null;
  /**
   * How many queued background encodes may have their picture decoded ahead, while another
   * encode runs (WorkQueueOptions.readAhead). Default 2; 0 decodes each picture in the slot.
   */
  readAhead?: number;
  logger?: Logger;
}

export interface OpenResult {
  imageId: string;
  imageKey: string;
  tier: EmbeddingTier;
}

export interface PredictResult {
  /** Best first; shared with the prediction cache: read-only. */
  candidates: readonly Candidate[];
  /** Answered from the prediction cache. */
  cached: boolean;
  /** Where the embedding came from; null for an answer from the prediction cache. */
  embeddingTier: EmbeddingTier | null;
}

export interface EmbedResult {
  imageId: string;
  /** 'ram' or 'disk': cached already, nothing was encoded. */
  tier: EmbeddingTier;
  /** The embedding is in the disk cache now. */
  onDisk: boolean;
}

/** One image of embedEach(): its result, or why it failed (a broken file, an abort). */
export type EmbedOutcome =
  | { imageId: string; ok: true; result: EmbedResult }
  | { imageId: string; ok: false; error: unknown };

export interface EngineStats {
  modelId: string;
  queue: WorkQueueStats;
  embeddings: EmbeddingStoreStats;
  predictions: PredictionCacheStats;
  prefetch: PrefetcherStats;
  /** Click to answer, whatever answered it. */
  predict: LatencySummary;
}

/**
 * The model side of annotation, for one dataset and one segmenter at a time:
 * - open(id): the image on screen is encoded first (on-screen priority), then the next
 *   prefetch.depth images in the background;
 * - predict(id, prompt): prediction cache -> embedding (RAM -> disk -> encoder at interactive
 *   priority) -> decoder, which never waits behind an encode;
 * - embed(id): batch embedding into the disk cache, lowest priority, cached images skipped.
 */
export class SegmentationEngine {
  private model: Segmenter;
  private readonly images: EngineImages;
  private readonly logger: Logger;
  private readonly queue: WorkQueue;
  private readonly store: EmbeddingStore;
  private readonly predictions: PredictionCache;
  private readonly prefetcher: Prefetcher;
  private readonly contentKeys: ContentKeys;
  private readonly unregister: Array<() => void> = [];
  private readonly readAhead: number;
  /**
   * The content key each recently seen image had, to drop answers for an image edited since.
   * Bounded: an image not seen for this long has no answers left in the small prediction cache.
   */
  private readonly lastKeys = new LRUCache<string, string>({ max: 1000 });
  /** Lets go of the on-screen request of the previous image when another one is opened. */
  private onScreen: AbortController | null = null;
  private readonly predictLatency = new LatencyWindow();
  /** Requests and prefetch steps not settled yet, for whenIdle(). */
  private readonly pending = new Set<Promise<unknown>>();
  private closed = false;

  constructor(options: SegmentationEngineOptions) {
    const { config, memory } = options;
    this.model = options.segmenter;
    this.images = options.images;
    this.logger = (options.logger ?? silentLogger).child({ component: 'engine' });
    const host = memory?.budgetBytes ?? configuredHostBudget(config);
    this.readAhead = options.readAhead ?? DEFAULT_READ_AHEAD;
    this.queue = new WorkQueue({ gate: memory?.background ?? null, readAhead: this.readAhead });
    this.contentKeys = new ContentKeys(
      config.get('cache.embeddings.contentHash') ? 'sha256' : 'stat',
    );
    this.store = new EmbeddingStore({
      queue: this.queue,
      diskRoot: options.embeddingsDir ?? null,
      diskCapBytes: config.get('cache.embeddings.diskMax'),
      diskDtype: config.get('cache.embeddings.diskDtype'),
      ramBudgetBytes: host * config.get('cache.embeddings.share'),
      ramTtlMs: config.get('cache.embeddings.ttlSeconds') * 1000,
      logger: options.logger,
    });
    this.predictions = new PredictionCache({
      maxEntries: config.get('cache.predictions.maxEntries'),
      ttlMs: config.get('cache.predictions.ttlSeconds') * 1000,
      budgetBytes: host * config.get('cache.predictions.share'),
    });
    if (memory) {
      this.unregister.push(
        memory.registerCache(this.store.ram, {
          share: config.get('cache.embeddings.share'),
          priority: CACHE_PRIORITY.embeddings,
        }),
        memory.registerCache(this.predictions.cache, {
          share: config.get('cache.predictions.share'),
          priority: CACHE_PRIORITY.predictions,
        }),
      );
    }
    const index = this.images.index;
    this.prefetcher = new Prefetcher({
      order: index,
      depth: config.get('prefetch.depth'),
      isCached: async (id) => {
        const key = await this.contentKeys.keyOf(index.require(id));
        return (await this.store.cachedTier(this.model.id, key)) !== null;
      },
      fetch: (id, signal) => {
        // Taken now: the prefetches reach the queue nearest first whatever their lookups cost.
        const order = this.queue.nextOrder();
        return this.track(
          (async () => {
            const image = await this.imageFor(id);
            signal.throwIfAborted();
            return this.store.get(this.model, image, { priority: 'prefetch', signal, order });
          })(),
        );
      },
      logger: options.logger,
    });
  }

  get segmenter(): Segmenter {
    return this.model;
  }

  /**
   * The user opened `imageId`: its embedding is made at on-screen priority (resolves when it is
   * ready), and the following images are prefetched. Opening another image before this one is
   * ready lets go of this request (it rejects with an AbortError); its encode is dropped if it
   * had not started.
   */
  async open(imageId: string): Promise<OpenResult> {
    this.assertOpen();
    const previous = this.onScreen;
    const onScreen = new AbortController();
    this.onScreen = onScreen;
    const order = this.queue.nextOrder();
    let image: SegmenterImage;
    let pending: Promise<EmbeddingResult>;
    try {
      image = await this.imageFor(imageId);
      onScreen.signal.throwIfAborted();
      pending = this.store.get(this.model, image, {
        priority: 'onScreen',
        signal: onScreen.signal,
        order,
      });
    } finally {
      // Only now: opening the same image again joins its encode before the old request leaves it.
      previous?.abort(new DOMException(`image ${imageId} was opened instead`, 'AbortError'));
    }
    // After the request above: if the image was being prefetched, that request now keeps it.
    void this.track(this.prefetcher.onOpen(imageId));
    const { tier } = await this.track(pending);
    return { imageId, imageKey: image.key, tier };
  }

  /** Candidates for a prompt on an image, best first. */
  async predict(imageId: string, prompt: Prompt, signal?: AbortSignal): Promise<PredictResult> {
    this.assertOpen();
    const started = performance.now();
    const order = this.queue.nextOrder();
    const model = this.model;
    const image = await this.imageFor(imageId);
    const known = this.predictions.get(model.id, image.key, prompt);
    if (known) {
      this.predictLatency.record(performance.now() - started);
      return { candidates: known, cached: true, embeddingTier: null };
    }
    const { embedding, tier } = await this.track(
      this.store.get(model, image, { priority: 'interactive', signal, order }),
    );
    const candidates = await this.queue.decode(() => model.predict(embedding, prompt));
    // Not kept when the model was replaced meanwhile: its answers were just invalidated.
    if (model === this.model) this.predictions.set(model.id, image.key, prompt, candidates);
    this.predictLatency.record(performance.now() - started);
    return { candidates, cached: false, embeddingTier: tier };
  }

  /**
   * Batch embedding (the `embed` command): encodes at the lowest priority into the disk cache,
   * without filling RAM; an image cached already is skipped without being read.
   */
  embed(imageId: string, signal?: AbortSignal): Promise<EmbedResult> {
    return this.startEmbed(imageId, signal).done;
  }

  /**
   * embed() over many images (the `embed` command), with a few in flight so that the next
   * pictures are decoded while one encodes (the queue bounds how many are decoded ahead, and
   * pauses that under memory pressure). Images still waiting for their disk write do not hold up
   * the next ones (a write is deferred behind the next encode's start), but at
   * most two more than are in flight are. Yields one outcome per image in the order given; a
   * failure (a broken file) is yielded and the others go on. Stopping (`signal`, or leaving the
   * loop) drops the queued work and its decoded pictures; an encode already running is finished
   * and kept.
   */
  async *embedEach(imageIds: Iterable<string>, signal?: AbortSignal): AsyncGenerator<EmbedOutcome> {
    this.assertOpen();
    const stop = new AbortController();
    const onAbort = (): void => stop.abort(abortReason(signal!));
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
    // Not yet embedded: one encoding, readAhead decoded ahead, and three in their lookups (a few
    // file reads each, which advance one event-loop turn per encode).
    const window = this.readAhead + 4;
    let unmade = 0;
    // Lookups end in any order; the images reach the queue in the order given all the same, so
    // that read-ahead decodes the next ones in line rather than whichever was looked up first.
    let inLine: Promise<void> = Promise.resolve();
    const ids = imageIds[Symbol.iterator]();
    const outcomes: Promise<EmbedOutcome>[] = [];
    const refill = (): void => {
      while (unmade < window && outcomes.length < window + 2 && !stop.signal.aborted) {
        const next = ids.next();
        if (next.done) return;
        const imageId = next.value;
        const { queued, made, done } = this.startEmbed(imageId, stop.signal, inLine);
        inLine = queued;
        unmade++;
        const madeOne = (): void => {
          unmade--;
          refill();
        };
        made.then(madeOne, madeOne);
        outcomes.push(
          done.then(
            (result): EmbedOutcome => ({ imageId, ok: true, result }),
            (error: unknown): EmbedOutcome => ({ imageId, ok: false, error }),
          ),
        );
      }
    };
    try {
      refill();
      for (let outcome = outcomes.shift(); outcome; outcome = outcomes.shift()) {
        const settled = await outcome;
        refill();
        yield settled;
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
      stop.abort(new DOMException('batch embedding stopped', 'AbortError'));
      await Promise.all(outcomes);
    }
  }

  /**
   * Switches model: prefetch for the old one stops, its cached answers are dropped. Its
   * embeddings stay cached (keyed by model id) for a switch back.
   */
  setSegmenter(segmenter: Segmenter): void {
    this.assertOpen();
    if (segmenter === this.model) return;
    const previous = this.model;
    this.model = segmenter;
    this.prefetcher.cancelAll();
    this.onScreen?.abort(new DOMException('the model was changed', 'AbortError'));
    this.onScreen = null;
    const dropped = this.predictions.invalidateModel(previous.id);
    this.logger.info({ from: previous.id, to: segmenter.id, dropped }, 'segmenter changed');
  }

  /**
   * Resolves when nothing is left to do: no request or prefetch in flight, no encode running or
   * queued (benchmarks and tests; the `embed` command before it reports).
   */
  async whenIdle(): Promise<void> {
    for (;;) {
      if (this.pending.size > 0) {
        await Promise.allSettled([...this.pending]);
        continue;
      }
      await this.queue.whenIdle();
      if (this.pending.size === 0) return;
    }
  }

  /** Waits for pending disk writes of embeddings. */
  flush(): Promise<void> {
    return this.store.flush();
  }

  stats(): EngineStats {
    return {
      modelId: this.model.id,
      queue: this.queue.stats(),
      embeddings: this.store.stats(),
      predictions: this.predictions.stats(),
      prefetch: this.prefetcher.stats(),
      predict: this.predictLatency.summary(),
    };
  }

  /** Cancels queued work, waits for the running encode and for disk writes, unregisters the caches. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.prefetcher.cancelAll();
    this.onScreen?.abort(new EngineClosedError('The segmentation engine was closed'));
    await this.queue.close();
    await this.store.flush();
    for (const unregister of this.unregister.splice(0)) unregister();
  }

  /**
   * embed() in steps: `queued` resolves once the image is in the work queue (or needs no
   * encode, or failed), `made` settles once the embedding exists or failed, `done` once it is
   * on disk as well. The image goes to the queue only after `after` has resolved.
   */
  private startEmbed(
    imageId: string,
    signal?: AbortSignal,
    after: Promise<void> = Promise.resolve(),
  ): { queued: Promise<void>; made: Promise<unknown>; done: Promise<EmbedResult> } {
    let markQueued!: () => void;
    const queued = new Promise<void>((resolve) => (markQueued = resolve));
    const made = (async () => {
      try {
        this.assertOpen();
        const order = this.queue.nextOrder();
        const model = this.model;
        const image = await this.imageFor(imageId);
        const cached = await this.store.cachedTier(model.id, image.key);
        if (cached) return { tier: cached, written: Promise.resolve(cached === 'disk') };
        await after;
        const request = this.store.get(model, image, {
          priority: 'batch',
          signal,
          keepInRam: false,
          order,
        });
        markQueued();
        const { tier } = await this.track(request);
        return { tier, written: this.store.whenWritten(model.id, image.key) };
      } finally {
        markQueued();
      }
    })();
    const done = made.then(async ({ tier, written }): Promise<EmbedResult> => ({
      imageId,
      tier,
      onDisk: await written,
    }));
    return { queued, made, done };
  }

  /** Counts `work` as in flight until it settles (see whenIdle). */
  private track<T>(work: Promise<T>): Promise<T> {
    this.pending.add(work);
    void work.then(
      () => this.pending.delete(work),
      () => this.pending.delete(work),
    );
    return work;
  }

  /** The image as a backend sees it, keyed by its current content; notes edits since last seen. */
  private async imageFor(imageId: string): Promise<SegmenterImage> {
    const entry = this.images.index.require(imageId);
    const key = await this.contentKeys.keyOf(entry);
    const image = await segmenterImageOf(this.images, entry, key);
    const previous = this.lastKeys.get(imageId);
    if (previous !== key) {
      if (previous !== undefined) {
        const dropped = this.predictions.invalidateImage(previous);
        this.logger.info({ image: entry.relPath, dropped }, 'image changed on disk');
      }
      this.lastKeys.set(imageId, key);
    }
    return image;
  }

  private assertOpen(): void {
    if (this.closed) throw new EngineClosedError('The segmentation engine is closed');
  }
}

/** memory.budget, or physical RAM when it is "auto" (the memory manager refines it when present). */
function configuredHostBudget(config: Config): number {
  const budget = config.get('memory.budget');
  return budget === 'auto' ? os.totalmem() : budget;
}
