import type { ImageEntry } from '../../dataset/index.js';
import { silentLogger, type Logger } from '../../log/logger.js';
import { MemoryPressureError } from '../../memory/index.js';
import { EngineClosedError } from './errors.js';

/** What the prefetcher needs of the image index: its order and which images are broken. */
export interface PrefetchOrder {
  positionOf(id: string): number;
  at(position: number): ImageEntry | undefined;
  isBroken(id: string): boolean;
}

export interface PrefetcherOptions {
  order: PrefetchOrder;
  /** prefetch.depth: how many following images to prepare; 0 turns prefetch off. */
  depth: number;
  /** Whether the image's embedding is cached already (RAM or disk): then it is skipped. */
  isCached(id: string): Promise<boolean>;
  /** Encodes one image at prefetch priority; aborting the signal means it is no longer wanted. */
  fetch(id: string, signal: AbortSignal): Promise<unknown>;
  logger?: Logger;
}

export interface PrefetcherStats {
  /** Images with a prefetch in flight, in no particular order. */
  active: string[];
  started: number;
  completed: number;
  /** Dropped because the user moved on and they were no longer among the next images. */
  cancelled: number;
  /** Refused under critical memory pressure. */
  refused: number;
  failed: number;
  skippedCached: number;
  skippedBroken: number;
}

/**
 * After an image is opened, prepares the next `depth` images of the index order in the
 * background, nearest first. Opening another image cancels the prefetches no longer among its
 * next images and keeps those still wanted (walking forward one image keeps depth - 1 of them
 * and adds one). Images already cached and images known to be broken are skipped.
 */
export class Prefetcher {
  private readonly options: PrefetcherOptions;
  private readonly logger: Logger;
  private readonly active = new Map<string, AbortController>();
  /** Bumped by every open, so that a slower earlier open stops starting work. */
  private generation = 0;
  private readonly counts = {
    started: 0,
    completed: 0,
    cancelled: 0,
    refused: 0,
    failed: 0,
    skippedCached: 0,
    skippedBroken: 0,
  };

  constructor(options: PrefetcherOptions) {
    this.options = options;
    this.logger = (options.logger ?? silentLogger).child({ component: 'prefetch' });
  }

  /**
   * Call after the opened image's own request is made: that request then keeps the image's
   * encode alive if it was being prefetched (the prefetch of the opened image is cancelled here).
   * Resolves once every wanted prefetch has been started or skipped (not finished).
   */
  onOpen(id: string): Promise<void> {
    const generation = ++this.generation;
    const wanted = this.following(id);
    for (const [active, controller] of this.active) {
      if (!wanted.includes(active)) this.cancel(active, controller);
    }
    return this.startAll(wanted, generation);
  }

  /** Cancels every prefetch (model change, shutdown). */
  cancelAll(): void {
    this.generation++;
    for (const [id, controller] of this.active) this.cancel(id, controller);
  }

  stats(): PrefetcherStats {
    return { active: [...this.active.keys()], ...this.counts };
  }

  /** The ids of the next `depth` images after `id` in index order. */
  private following(id: string): string[] {
    const { order, depth } = this.options;
    const position = order.positionOf(id);
    if (position < 0) return [];
    const ids: string[] = [];
    for (let offset = 1; offset <= depth; offset++) {
      const entry = order.at(position + offset);
      if (!entry) break;
      ids.push(entry.id);
    }
    return ids;
  }

  /** One after the other, so that requests reach the queue nearest image first. */
  private async startAll(wanted: string[], generation: number): Promise<void> {
    for (const id of wanted) {
      if (generation !== this.generation) return;
      if (this.active.has(id)) continue;
      if (this.options.order.isBroken(id)) {
        this.counts.skippedBroken++;
        continue;
      }
      let cached: boolean;
      try {
        cached = await this.options.isCached(id);
      } catch (err) {
        this.counts.failed++;
        this.logger.debug({ err, image: id }, 'prefetch skipped: cannot look up the image');
        continue;
      }
      // A newer open decides about this image now.
      if (generation !== this.generation) return;
      if (cached) {
        this.counts.skippedCached++;
        continue;
      }
      this.start(id);
    }
  }

  private start(id: string): void {
    const controller = new AbortController();
    this.active.set(id, controller);
    this.counts.started++;
    this.options
      .fetch(id, controller.signal)
      .then(
        () => {
          this.counts.completed++;
        },
        (err: unknown) => {
          if (controller.signal.aborted || err instanceof EngineClosedError) return;
          if (err instanceof MemoryPressureError) {
            this.counts.refused++;
            this.logger.debug({ image: id, level: err.level }, 'prefetch refused: memory pressure');
          } else {
            this.counts.failed++;
            this.logger.warn({ err, image: id }, 'prefetch failed');
          }
        },
      )
      .finally(() => {
        if (this.active.get(id) === controller) this.active.delete(id);
      });
  }

  private cancel(id: string, controller: AbortController): void {
    this.active.delete(id);
    this.counts.cancelled++;
    controller.abort(new DOMException(`prefetch of ${id} no longer wanted`, 'AbortError'));
  }
}
