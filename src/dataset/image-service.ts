import os from 'node:os';
import { BudgetedCache } from '../cache/budgeted-cache.js';
import { WeakFallbackCache } from '../cache/weak-fallback-cache.js';
import type { Config } from '../config/index.js';
import type { Logger } from '../log/logger.js';
import { configureSharp, decodeSettingsFrom, type DecodeSettings } from './decode-settings.js';
import { ImageDecodeError } from './errors.js';
import type { ImageMetadata } from './header.js';
import type { ImageIndex } from './image-index.js';
import { LazyImage } from './lazy-image.js';
import type { ResizeContract } from '../geometry/index.js';
import type { EncodedImage, RawImage } from './raw-image.js';

/** Room for the object around a buffer, so that tiny entries are not counted as free. */
const ENTRY_OVERHEAD = 128;

export interface ImageServiceOptions {
  logger?: Logger;
  /**
   * Starting budgets in bytes. The memory manager replaces them when it registers caches();
   * without it they are the configured shares of memory.budget (or of physical RAM when that is
   * "auto").
   */
  budgets?: { displayImages?: number; decodedImages?: number };
}

/** What cached() needs of a cache; both kinds used here have it. */
interface ValueCache<V> {
  get(key: string): V | undefined;
  peek(key: string): V | undefined;
  set(key: string, value: V): boolean;
}

/** Counts of decoder pipelines started, by output, since the service was built. */
export type DecodeCounts = Record<string, number>;

/**
 * The pixels side of the dataset: display pictures, thumbnails, RGB and encoder inputs by image
 * id, decoded on demand and kept in two byte-budgeted caches ('displayImages' for encoded
 * pictures, 'decodedImages' for raw pixels) that the memory manager registers and shrinks.
 *
 * Raw pixels are large (72 MB for 24 megapixels) and stay in use for seconds after a lookup (an
 * encoder run), so their cache has a weak tier: when the budget evicts pixels a request still
 * holds, the next request for them gets the same object instead of a second decode, and nothing
 * is kept alive for the cache's sake. Encoded pictures are small and copied to the socket at
 * once, so a weak tier would find nothing alive there: that cache is a plain budgeted one.
 *
 * LazyImage objects exist only while work for their image is in flight (so concurrent requests
 * share one decode) and are dropped when idle: 100,000 images cost nothing until looked at. A
 * decode failure marks the image broken in the index and rethrows the ImageDecodeError.
 */
export class ImageService {
  private readonly displayCache: BudgetedCache<EncodedImage>;
  private readonly decodedCache: WeakFallbackCache<RawImage>;
  private readonly settings: DecodeSettings;
  private readonly live = new Map<string, LazyImage>();
  private readonly decodeCounts: DecodeCounts = {};

  constructor(
    readonly index: ImageIndex,
    config: Config,
    options: ImageServiceOptions = {},
  ) {
    configureSharp(config);
    this.settings = decodeSettingsFrom(config);
    const budget = config.get('memory.budget');
    const host = budget === 'auto' ? os.totalmem() : budget;
    this.displayCache = new BudgetedCache<EncodedImage>({
      name: 'displayImages',
      budgetBytes: options.budgets?.displayImages ?? host * config.get('cache.displayImages.share'),
      sizeOf: (picture) => picture.data.length + ENTRY_OVERHEAD,
      ttlMs: config.get('cache.displayImages.ttlSeconds') * 1000,
    });
    this.decodedCache = new WeakFallbackCache<RawImage>({
      name: 'decodedImages',
      budgetBytes: options.budgets?.decodedImages ?? host * config.get('cache.decodedImages.share'),
      sizeOf: (pixels) => pixels.data.length + ENTRY_OVERHEAD,
      ttlMs: config.get('cache.decodedImages.ttlSeconds') * 1000,
    });
  }

  /** The caches for the memory manager to register (names match the cache.* config keys). */
  caches(): [BudgetedCache<EncodedImage>, WeakFallbackCache<RawImage>] {
    return [this.displayCache, this.decodedCache];
  }

  metadata(id: string): Promise<ImageMetadata> {
    return this.index.metadata(id);
  }

  getDisplay(id: string): Promise<EncodedImage> {
    return this.cached(this.displayCache, id, 'display', (image) => image.display());
  }

  getThumbnail(id: string): Promise<EncodedImage> {
    return this.cached(this.displayCache, id, 'thumbnail', (image) => image.thumbnail());
  }

  /** The whole oriented picture as RGB (large: 72 MB for 24 megapixels). */
  getRgb(id: string): Promise<RawImage> {
    return this.cached(this.decodedCache, id, 'rgb', (image) => image.rgb());
  }

  getModelInput(id: string, contract: ResizeContract): Promise<RawImage> {
    return this.cached(this.decodedCache, id, `model-${contract}`, (image) =>
      image.modelInput(contract),
    );
  }

  /** Decoder pipelines started, by output, and how many images have work in flight now. */
  stats(): { decodes: DecodeCounts; imagesInFlight: number } {
    return { decodes: { ...this.decodeCounts }, imagesInFlight: this.live.size };
  }

  private async cached<V extends object>(
    cache: ValueCache<V>,
    id: string,
    output: string,
    make: (image: LazyImage) => Promise<V>,
  ): Promise<V> {
    const key = `${id}:${output}`;
    const hit = cache.get(key);
    if (hit) return hit;
    const image = this.lazyImage(id);
    try {
      const value = await make(image);
      // Callers that shared one decode all arrive here with the same value: store it once.
      if (cache.peek(key) !== value) cache.set(key, value);
      return value;
    } catch (err) {
      if (err instanceof ImageDecodeError) this.index.markBroken(id, err);
      throw err;
    }
  }

  private lazyImage(id: string): LazyImage {
    const running = this.live.get(id);
    if (running) return running;
    const image = new LazyImage(this.index.require(id), {
      settings: this.settings,
      header: () => this.index.metadata(id),
      onIdle: () => {
        if (this.live.get(id) === image) this.live.delete(id);
      },
      onDecode: (output) => {
        this.decodeCounts[output] = (this.decodeCounts[output] ?? 0) + 1;
      },
    });
    this.live.set(id, image);
    return image;
  }
}
