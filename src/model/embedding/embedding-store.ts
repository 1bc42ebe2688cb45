import { createHash } from 'node:crypto';
import path from 'node:path';
import { setImmediate as afterCallers } from 'node:timers/promises';
import {
  DiskCache,
  DiskCacheIoError,
  WeakFallbackCache,
  type DiskCacheStats,
  type WeakFallbackCacheStats,
} from '../../cache/index.js';
import { silentLogger, type Logger } from '../../log/logger.js';
import {
  embeddingBytes,
  type Embedding,
  type Segmenter,
  type SegmenterImage,
} from '../segmenter.js';
import { EmbeddingCodecError } from './errors.js';
import { InputContracts, PreparedInput } from './prepared-input.js';
import { SharedRequest } from './shared-request.js';
import { decodeEmbedding, encodeEmbedding, type DiskDtype } from './tensor-codec.js';
import type { WorkPriority, WorkQueue } from './work-queue.js';

/** Where an embedding came from. */
export type EmbeddingTier = 'ram' | 'disk' | 'encoder';

export interface EmbeddingResult {
  embedding: Embedding;
  tier: EmbeddingTier;
}

export interface EmbeddingRequestOptions {
  priority: WorkPriority;
  /** The caller stops waiting when it aborts; the work itself is dropped only if nobody else waits. */
  signal?: AbortSignal;
  /**
   * Place in line among requests of equal priority, from WorkQueue.nextOrder(): callers that do
   * asynchronous work before asking (a stat, a header read) take it when their request arrives,
   * so requests keep their arrival order. Defaults to now.
   */
  order?: number;
  /**
   * Keep the result in RAM (default). Batch embedding passes false: it fills the disk cache and
   * should not push out the embeddings the user is working with.
   */
  keepInRam?: boolean;
}

export interface EmbeddingStoreOptions {
  queue: WorkQueue;
  /** `<project>/cache/embeddings`: one folder per model id below it. null: no disk tier. */
  diskRoot: string | null;
  /** Cap of each model's folder (cache.embeddings.diskMax); 0 turns the disk tier off. */
  diskCapBytes: number;
  /** How float32 tensors are written (cache.embeddings.diskDtype). */
  diskDtype: DiskDtype;
  /** Starting RAM budget; the memory manager replaces it once it registers `ram`. */
  ramBudgetBytes: number;
  /** cache.embeddings.ttlSeconds in milliseconds; 0 for none. */
  ramTtlMs: number;
  logger?: Logger;
}

export interface EmbeddingStoreStats {
  ram: WeakFallbackCacheStats;
  /** Lookups answered from the disk tier, missed there, or whose entry was unusable. */
  disk: {
    hits: number;
    misses: number;
    /** Entries whose metadata did not describe this embedding (deleted, then re-encoded). */
    unusable: number;
    readFailures: number;
    writes: number;
    writeFailures: number;
    /** Per model folder. */
    folders: DiskCacheStats[];
  };
  encoder: { runs: number; failures: number };
  /** Requests that joined a computation already in flight for the same key. */
  shared: number;
  inFlight: number;
  pendingWrites: number;
}

/** Room for the object and its tensors' headers, so tiny test embeddings are not free. */
const ENTRY_OVERHEAD = 512;

/**
 * Image embeddings by (model id, image content key), from the cheapest tier that has them:
 * RAM (budgeted by the memory manager, with a weak tier so an embedding still in use is found
 * again after eviction) -> disk (one DiskCache folder per model, float16 by default) -> the
 * encoder, through the work queue at the caller's priority, which may decode the picture while
 * the encode before it runs (PreparedInput). Concurrent requests for one key
 * share one computation (see SharedRequest). A fresh embedding is answered first and written to
 * disk just after; a disk entry that cannot be read back as this embedding is deleted and the
 * image encoded again.
 */
export class EmbeddingStore {
  readonly ram: WeakFallbackCache<Embedding>;
  private readonly queue: WorkQueue;
  private readonly logger: Logger;
  private readonly options: EmbeddingStoreOptions;
  private readonly disks = new Map<string, Promise<DiskCache | null>>();
  /** Disk caches opened so far, for stats() (which is synchronous). */
  private readonly openDisks = new Map<string, DiskCache>();
  /** Requests whose result goes to RAM (some caller asked for it). */
  private readonly keepInRam = new Set<SharedRequest<EmbeddingResult>>();
  private readonly inFlight = new Map<string, SharedRequest<EmbeddingResult>>();
  private readonly writes = new Map<string, Promise<boolean>>();
  /** Lets the queue decode the picture of a queued encode before the encode starts. */
  private readonly contracts: InputContracts;
  private readonly counts = {
    diskHits: 0,
    diskMisses: 0,
    unusable: 0,
    readFailures: 0,
    writes: 0,
    writeFailures: 0,
    encodes: 0,
    encodeFailures: 0,
    shared: 0,
  };

  constructor(options: EmbeddingStoreOptions) {
    this.options = options;
    this.queue = options.queue;
    this.contracts = new InputContracts(() => this.queue.prepareAhead());
    this.logger = (options.logger ?? silentLogger).child({ component: 'embeddings' });
    this.ram = new WeakFallbackCache<Embedding>({
      name: 'embeddings',
      budgetBytes: options.ramBudgetBytes,
      sizeOf: (embedding) => embeddingBytes(embedding) + ENTRY_OVERHEAD,
      ttlMs: options.ramTtlMs,
    });
  }

  /** The embedding of `image` for `segmenter`, from RAM, disk or the encoder. */
  get(
    segmenter: Segmenter,
    image: SegmenterImage,
    options: EmbeddingRequestOptions,
  ): Promise<EmbeddingResult> {
    const key = cacheKeyOf(segmenter.id, image.key);
    const hit = this.ram.get(key);
    if (hit) {
      return Promise.resolve({ embedding: hit, tier: 'ram' });
    }
    const keepInRam = options.keepInRam ?? true;
    const joined = this.inFlight.get(key);
    if (joined) {
      this.counts.shared++;
      if (keepInRam) this.keepInRam.add(joined);
      return joined.join(options.priority, options.signal);
    }
    try {
      this.queue.admit(options.priority);
    } catch (err) {
      return Promise.reject(err);
    }
    const forget = (): void => {
      if (this.inFlight.get(key) === request) this.inFlight.delete(key);
    };
    const request = new SharedRequest<EmbeddingResult>(
      options.priority,
      options.order ?? this.queue.nextOrder(),
      forget,
    );
    if (keepInRam) this.keepInRam.add(request);
    this.inFlight.set(key, request);
    request.run(() =>
      this.load(segmenter, image, key, request).finally(() => {
        forget();
        this.keepInRam.delete(request);
      }),
    );
    return request.join(options.priority, options.signal);
  }

  /** The RAM copy, without counting a lookup. */
  peek(modelId: string, imageKey: string): Embedding | undefined {
    return this.ram.peek(cacheKeyOf(modelId, imageKey));
  }

  /** Which tier holds the embedding now, without reading it; null when only the encoder can make it. */
  async cachedTier(modelId: string, imageKey: string): Promise<'ram' | 'disk' | null> {
    const key = cacheKeyOf(modelId, imageKey);
    if (this.ram.has(key)) return 'ram';
    const disk = await this.diskFor(modelId);
    return disk?.has(key) || this.writes.has(key) ? 'disk' : null;
  }

  /** Resolves once the disk write of this embedding (if one is pending) has finished; true if it stored it. */
  async whenWritten(modelId: string, imageKey: string): Promise<boolean> {
    const key = cacheKeyOf(modelId, imageKey);
    const pending = this.writes.get(key);
    if (pending) return pending;
    return (await this.diskFor(modelId))?.has(key) ?? false;
  }

  /** Waits for every pending disk write. */
  async flush(): Promise<void> {
    while (this.writes.size > 0) await Promise.all(this.writes.values());
  }

  stats(): EmbeddingStoreStats {
    const c = this.counts;
    return {
      ram: this.ram.stats(),
      disk: {
        hits: c.diskHits,
        misses: c.diskMisses,
        unusable: c.unusable,
        readFailures: c.readFailures,
        writes: c.writes,
        writeFailures: c.writeFailures,
        folders: [...this.openDisks.values()].map((disk) => disk.stats()),
      },
      encoder: { runs: c.encodes, failures: c.encodeFailures },
      shared: c.shared,
      inFlight: this.inFlight.size,
      pendingWrites: this.writes.size,
    };
  }

  private async load(
    segmenter: Segmenter,
    image: SegmenterImage,
    key: string,
    request: SharedRequest<EmbeddingResult>,
  ): Promise<EmbeddingResult> {
    const disk = await this.diskFor(segmenter.id);
    if (disk) {
      const stored = await this.readDisk(disk, key, segmenter.id, image.key);
      if (stored) {
        this.remember(request, key, stored);
        return { embedding: stored, tier: 'disk' };
      }
    }
    const input = new PreparedInput(image, segmenter, this.contracts);
    const job = this.queue.encode(
      async (signal) => {
        // An abandoned run of the same key may have finished while this one waited.
        const ready = this.ram.peek(key);
        if (ready) return ready;
        try {
          const made = checkedEmbedding(
            await segmenter.encode(input, signal),
            segmenter.id,
            image.key,
          );
          this.counts.encodes++;
          return made;
        } catch (err) {
          this.counts.encodeFailures++;
          throw err;
        }
      },
      {
        priority: request.priority,
        order: request.order,
        signal: request.signal,
        preparation: input,
      },
    );
    request.attach(job);
    const embedding = await job.result;
    this.remember(request, key, embedding);
    if (disk) this.write(disk, key, embedding);
    return { embedding, tier: 'encoder' };
  }

  private remember(request: SharedRequest<EmbeddingResult>, key: string, embedding: Embedding) {
    if (this.keepInRam.has(request)) this.ram.set(key, embedding);
  }

  /** The disk copy, or undefined; an entry that is not this embedding is deleted. */
  private async readDisk(
    disk: DiskCache,
    key: string,
    modelId: string,
    imageKey: string,
  ): Promise<Embedding | undefined> {
    if (!disk.has(key)) {
      this.counts.diskMisses++;
      return undefined;
    }
    try {
      const entry = await disk.get(key);
      if (entry) {
        const embedding = decodeEmbedding(entry.payload, entry.meta, { modelId, imageKey });
        this.counts.diskHits++;
        return embedding;
      }
    } catch (err) {
      if (err instanceof EmbeddingCodecError) {
        this.counts.unusable++;
        this.logger.warn(
          { file: disk.fileOf(key), field: err.field, reason: err.message },
          'cached embedding unusable: deleted, encoding again',
        );
        await disk
          .delete(key)
          .catch((deleteErr: unknown) =>
            this.logger.warn({ err: deleteErr }, 'cannot delete an unusable cached embedding'),
          );
      } else if (err instanceof DiskCacheIoError) {
        this.counts.readFailures++;
        this.logger.warn({ err }, 'cannot read a cached embedding: encoding again');
      } else {
        throw err;
      }
    }
    this.counts.diskMisses++;
    return undefined;
  }

  /** Writes after the callers waiting for this embedding have been answered. */
  private write(disk: DiskCache, key: string, embedding: Embedding): void {
    const write = (async () => {
      await afterCallers();
      try {
        const { payload, meta } = encodeEmbedding(embedding, this.options.diskDtype);
        const stored = await disk.set(key, payload, meta);
        if (stored) this.counts.writes++;
        return stored;
      } catch (err) {
        this.counts.writeFailures++;
        this.logger.warn({ err, file: disk.fileOf(key) }, 'cannot write an embedding to disk');
        return false;
      }
    })();
    this.writes.set(key, write);
    void write.finally(() => {
      if (this.writes.get(key) === write) this.writes.delete(key);
    });
  }

  /** The model's disk folder, opened on first use; null when the disk tier is off or unusable. */
  private diskFor(modelId: string): Promise<DiskCache | null> {
    const { diskRoot, diskCapBytes } = this.options;
    if (diskRoot === null || diskCapBytes === 0) return Promise.resolve(null);
    let opening = this.disks.get(modelId);
    if (!opening) {
      const dir = path.join(diskRoot, folderNameOf(modelId));
      opening = DiskCache.open({
        dir,
        capBytes: diskCapBytes,
        name: `embeddings/${modelId}`,
        logger: this.logger,
      }).then(
        (disk) => {
          this.openDisks.set(modelId, disk);
          return disk;
        },
        (err: unknown) => {
          this.logger.error(
            { err, dir },
            'cannot open the embedding disk cache: embeddings stay in RAM only',
          );
          return null;
        },
      );
      this.disks.set(modelId, opening);
    }
    return opening;
  }
}

/** The RAM and disk key of one embedding. */
export function cacheKeyOf(modelId: string, imageKey: string): string {
  return `${modelId}\u0000${imageKey}`;
}

/**
 * A folder name for a model id: the id itself when it is a plain name, else a cleaned name with
 * a hash of the id, so that ids differing only in unusual characters keep separate folders.
 */
export function folderNameOf(modelId: string): string {
  if (/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(modelId)) return modelId;
  const cleaned = modelId
    .replace(/[^A-Za-z0-9._-]/g, '_')
    .replace(/^[._-]+/, '')
    .slice(0, 80);
  const hash = createHash('sha256').update(modelId, 'utf8').digest('hex').slice(0, 12);
  return cleaned ? `${cleaned}-${hash}` : `model-${hash}`;
}

/** A backend must label what it made: the disk entry is checked against these on the way back. */
function checkedEmbedding(embedding: Embedding, modelId: string, imageKey: string): Embedding {
  if (embedding.modelId !== modelId || embedding.imageKey !== imageKey) {
    throw new EmbeddingCodecError(
      `segmenter "${modelId}" returned an embedding labelled model ${JSON.stringify(
        embedding.modelId,
      )}, image ${JSON.stringify(embedding.imageKey)} for image ${JSON.stringify(imageKey)}`,
      embedding.modelId !== modelId ? 'modelId' : 'imageKey',
    );
  }
  return embedding;
}
