import { BudgetedCache } from '../cache/budgeted-cache.js';
import { WeakFallbackCache } from '../cache/weak-fallback-cache.js';
import type { Config } from '../config/index.js';
import type { Logger } from '../log/logger.js';
import { configureSharp, decodeSettingsFrom, type DecodeSettings } from './decode-settings.js';
import { ImageChangedError, ImageDecodeError } from './errors.js';
import type { ImageMetadata } from './header.js';
import type { ImageIndex } from './image-index.js';
import { LazyImage } from './lazy-image.js';
import { displaySize, type ResizeContract, type Size } from '../geometry/index.js';
import type { EncodedImage, RawImage } from './raw-image.js';
import { TILE_SIZE, renderTile, tileLevels, tileRegion, type TileLevel } from './tiles.js';

/** Room for the object around a buffer, so that tiny entries are not counted as free. */
const ENTRY_OVERHEAD = 128;

export interface ImageServiceOptions {
  logger?: Logger;
  /**
   * The host memory budget B in bytes: MemoryManager.budgetBytes, or memory/'s resolveBudget
   * over memory.budget, the cgroup limit and physical RAM. The caches start at their configured
   * shares of it (cache.*.share) until the memory manager registers them and re-budgets.
   */
  hostBudgetBytes: number;
  /** Starting budgets in bytes that replace those shares. */
  budgets?: { displayImages?: number; decodedImages?: number };
}

/** Every resize contract, so that the outputs of one file version can all be named. */
const CONTRACTS = Object.keys({
  'longest-side': true,
  squash: true,
} satisfies Record<ResizeContract, true>) as ResizeContract[];

const OUTPUTS = ['display', 'thumbnail', 'rgb', ...CONTRACTS.map((c) => `model-${c}`)] as const;

/** A file version changing twice during one request is given up on with ImageChangedError. */
const ATTEMPTS = 2;

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
 *
 * Files edited while the tool runs: every request stats the file (index.currentMetadata), cache
 * keys name the file version (size and times), and outputs of a replaced version are dropped, so
 * an edited image is never served, or sized, from its old header. A file that changes during a
 * decode is decoded again once.
 */
export class ImageService {
  private readonly displayCache: BudgetedCache<EncodedImage>;
  private readonly decodedCache: WeakFallbackCache<RawImage>;
  private readonly settings: DecodeSettings;
  /** LazyImages with work in flight, by image id, each with the header it decodes under. */
  private readonly live = new Map<string, { image: LazyImage; header: ImageMetadata }>();
  private readonly decodeCounts: DecodeCounts = {};

  constructor(
    readonly index: ImageIndex,
    config: Config,
    options: ImageServiceOptions,
  ) {
    configureSharp(config);
    this.settings = decodeSettingsFrom(config);
    const host = options.hostBudgetBytes;
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

  get tileSize(): number {
    return TILE_SIZE;
  }

  /** Size of the display picture of an image of this (original) size. */
  displaySizeOf(original: Size): Size {
    return displaySize(original, this.settings.displayMaxSize);
  }

  /** The tile pyramid levels sharper than the display picture (none for small images). */
  tileLevels(original: Size): TileLevel[] {
    return tileLevels(original, this.settings.displayMaxSize);
  }

  /**
   * One tile for deep zoom into a big image, cut from the decoded picture (itself cached under
   * the decoded-pixels budget, so panning across tiles decodes the file once).
   */
  async getTile(id: string, level: number, col: number, row: number): Promise<EncodedImage> {
    const header = await this.index.metadata(id);
    const region = tileRegion(header, this.tileLevels(header), level, col, row);
    return this.cached(this.displayCache, id, `tile-${level}-${col}-${row}`, async () =>
      renderTile(
        await this.getRgb(id),
        region,
        this.settings.displayFormat,
        this.settings.displayQuality,
      ),
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
    for (let attempt = 1; ; attempt++) {
      try {
        const header = await this.currentHeader(id);
        const key = outputKey(id, header, output);
        const hit = cache.get(key);
        if (hit) return hit;
        const value = await make(this.lazyImage(id, header));
        // Callers that shared one decode all arrive here with the same value: store it once.
        if (cache.peek(key) !== value) cache.set(key, value);
        return value;
      } catch (err) {
        if (err instanceof ImageChangedError && attempt < ATTEMPTS) continue;
        if (err instanceof ImageDecodeError) this.index.markBroken(id, err);
        throw err;
      }
    }
  }

  /** The header of the file as it is now; outputs made from an older version are dropped. */
  private async currentHeader(id: string): Promise<ImageMetadata> {
    const before = this.index.cachedMetadata(id);
    const header = await this.index.currentMetadata(id);
    if (before && before !== header) {
      for (const output of OUTPUTS) {
        const key = outputKey(id, before, output);
        this.displayCache.delete(key);
        this.decodedCache.delete(key);
      }
    }
    return header;
  }

  private lazyImage(id: string, header: ImageMetadata): LazyImage {
    const running = this.live.get(id);
    if (running?.header === header) return running.image;
    // Work still running for an older version of the file goes on alone; new work starts here.
    const image = new LazyImage(this.index.require(id), {
      settings: this.settings,
      header: () => Promise.resolve(header),
      onIdle: () => {
        if (this.live.get(id)?.image === image) this.live.delete(id);
      },
      onDecode: (output) => {
        this.decodeCounts[output] = (this.decodeCounts[output] ?? 0) + 1;
      },
    });
    this.live.set(id, { image, header });
    return image;
  }
}

/** Cache key of one output of one version of a file. */
function outputKey(id: string, header: ImageMetadata, output: string): string {
  const { bytes, mtimeMs, ctimeMs } = header.file;
  return `${id}:${bytes}:${mtimeMs}:${ctimeMs}:${output}`;
}
