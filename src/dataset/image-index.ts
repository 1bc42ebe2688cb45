import { statSync } from 'node:fs';
import path from 'node:path';
import { CONFIG_KEYS } from '../config/index.js';
import type { Logger } from '../log/logger.js';
import { DatasetError, ImageDecodeError, isPassingFailure, UnknownImageError } from './errors.js';
import { sameStamp, stampOf } from './file-stamp.js';
import { IMAGE_FORMATS, type ImageFormat } from './formats.js';
import { readImageHeader, type ImageMetadata } from './header.js';
import type { ImageEntry } from './image-entry.js';
import { scanImageFiles, type ScanProblem } from './scan.js';
import { assignUniqueIds, spelledOut, type UniqueIds } from './unique-ids.js';

export interface BrokenImage {
  entry: ImageEntry;
  error: Error;
}

export interface ImageIndexOptions {
  /** The project folder's name, skipped at any depth. */
  projectDirName?: string;
  /**
   * More folders to skip: a bare name is skipped at any depth, a path with '/' (relative to the
   * root, or absolute inside it) only there.
   */
  extraSkip?: readonly string[];
  /** dataset.decodePixelLimit: headers over it are refused as too many pixels. */
  pixelLimit?: number;
  logger?: Logger;
}

/**
 * The images of a dataset folder, found by readdir + stat only: opening never reads a byte of
 * any image. Headers are read on demand by metadata() and kept (about 150 bytes each); pixels are
 * LazyImage's business. Files that turn out unreadable are listed by broken(); the index carries
 * on with the rest. A failure that may pass by itself (isPassingFailure: the file missing for a
 * moment) is listed too, but the next request for that image tries again.
 */
export class ImageIndex {
  private readonly list: ImageEntry[];
  private readonly positionById: Map<string, number>;
  /** Built on the first lookup by path: most sessions never make one, and it costs ~40 ms. */
  private byRel?: Map<string, ImageEntry>;
  private readonly headers = new Map<string, ImageMetadata>();
  private readonly pendingHeaders = new Map<string, Promise<ImageMetadata>>();
  private readonly brokenById = new Map<string, Error>();
  private readonly pixelLimit: number;
  private readonly logger?: Logger;
  /** Folders and files the scan could not read. */
  readonly problems: readonly ScanProblem[];
  readonly totalBytes: number;

  private constructor(
    readonly root: string,
    ids: UniqueIds,
    problems: ScanProblem[],
    options: ImageIndexOptions,
  ) {
    this.list = ids.entries;
    this.positionById = ids.positionById;
    this.problems = problems;
    this.pixelLimit = options.pixelLimit ?? CONFIG_KEYS['dataset.decodePixelLimit'].default;
    this.logger = options.logger;
    let total = 0;
    for (const entry of this.list) total += entry.bytes;
    this.totalBytes = total;
  }

  /** Scans `root` (synchronously: readdir + stat, no file contents). */
  static open(root: string, options: ImageIndexOptions = {}): ImageIndex {
    const absRoot = path.resolve(root);
    let rootStats;
    try {
      rootStats = statSync(absRoot);
    } catch (err) {
      throw new DatasetError(
        `Cannot open dataset folder ${absRoot}: ${(err as Error).message}`,
        absRoot,
        { cause: err },
      );
    }
    if (!rootStats.isDirectory()) {
      throw new DatasetError(`Dataset path ${absRoot} is not a folder`, absRoot);
    }
    const skipNames = new Set<string>([options.projectDirName ?? '.sam-annotator']);
    const skipRelPaths = new Set<string>();
    for (const skip of options.extraSkip ?? []) {
      if (path.isAbsolute(skip))
        skipRelPaths.add(path.relative(absRoot, skip).split(path.sep).join('/'));
      else if (skip.includes('/')) skipRelPaths.add(skip.replace(/^\.\/|\/+$/g, ''));
      else skipNames.add(skip);
    }
    const scan = scanImageFiles(absRoot, { skipNames, skipRelPaths });
    const ids = assignUniqueIds(scan.files);
    const problems = [...scan.problems, ...ids.problems];
    for (const problem of problems) {
      options.logger?.warn(
        { path: problem.path, error: problem.message },
        'dataset scan skipped a path',
      );
    }
    for (const { entry, usualIdHeldBy } of ids.reassigned) {
      options.logger?.warn(
        { image: spelledOut(entry.relPath), id: entry.id, usualIdHeldBy: usualIdHeldBy.id },
        `${spelledOut(entry.relPath)} and ${spelledOut(usualIdHeldBy.relPath)} differ only in ` +
          'Unicode normalisation; both are listed, the first under an id of its own',
      );
    }
    return new ImageIndex(absRoot, ids, problems, options);
  }

  get size(): number {
    return this.list.length;
  }

  /** Every entry in natural order. */
  entries(): readonly ImageEntry[] {
    return this.list;
  }

  get(id: string): ImageEntry | undefined {
    const position = this.positionById.get(id);
    return position === undefined ? undefined : this.list[position];
  }

  /** Like get(), but an unknown id is an UnknownImageError. */
  require(id: string): ImageEntry {
    const entry = this.get(id);
    if (!entry) throw new UnknownImageError(id, this.root);
    return entry;
  }

  byRelPath(relPath: string): ImageEntry | undefined {
    this.byRel ??= new Map(this.list.map((entry) => [entry.relPath, entry]));
    return this.byRel.get(relPath);
  }

  /** Position in the natural order, or -1. */
  positionOf(id: string): number {
    return this.positionById.get(id) ?? -1;
  }

  at(position: number): ImageEntry | undefined {
    return this.list[position];
  }

  /** The entry after `id` in index order (undefined at the end). */
  next(id: string): ImageEntry | undefined {
    const position = this.positionById.get(id);
    return position === undefined ? undefined : this.list[position + 1];
  }

  previous(id: string): ImageEntry | undefined {
    const position = this.positionById.get(id);
    return position === undefined || position === 0 ? undefined : this.list[position - 1];
  }

  /** Entries per extension-claimed format (every format present, 0 when none). */
  countByFormat(): Record<ImageFormat, number> {
    const counts = Object.fromEntries(IMAGE_FORMATS.map((f) => [f, 0])) as Record<
      ImageFormat,
      number
    >;
    for (const entry of this.list) counts[entry.format]++;
    return counts;
  }

  /**
   * The header of one image, read once and kept; concurrent calls share one read. A file that
   * cannot be read rejects with an ImageDecodeError and is marked broken (later calls reject at
   * once with the same error, unless it was a passing failure). The kept header is not checked
   * against the file: currentMetadata() does that.
   */
  metadata(id: string): Promise<ImageMetadata> {
    const entry = this.require(id);
    const broken = this.lastingFailure(id);
    if (broken) return Promise.reject(broken);
    const known = this.headers.get(id);
    if (known) return Promise.resolve(known);
    let pending = this.pendingHeaders.get(id);
    if (!pending) {
      pending = readImageHeader(entry.absPath, this.pixelLimit).then(
        (header) => {
          this.pendingHeaders.delete(id);
          this.headers.set(id, header);
          return header;
        },
        (err: unknown) => {
          this.pendingHeaders.delete(id);
          this.markBroken(id, err);
          throw err;
        },
      );
      this.pendingHeaders.set(id, pending);
    }
    return pending;
  }

  /**
   * The header as the file is now: the file is stat'ed, and a kept header read before the file
   * was last changed (size, modification or change time differ) is dropped and read again, so
   * that nobody sizes pixels by the header of a replaced file. Costs one stat when nothing
   * changed. A file missing now rejects with an 'io' ImageDecodeError.
   */
  async currentMetadata(id: string): Promise<ImageMetadata> {
    const entry = this.require(id);
    const broken = this.lastingFailure(id);
    if (broken) throw broken;
    const now = await stampOf(entry.absPath);
    const header = await this.metadata(id);
    if (sameStamp(header.file, now)) return header;
    if (this.headers.get(id) === header) this.headers.delete(id);
    return this.metadata(id);
  }

  /**
   * Reads every header not read yet (`scan --verify`, eager checks), `concurrency` at a time.
   * Failures do not reject: they land in broken(). Resolves to how many headers were fine.
   */
  async readAllHeaders(
    options: { concurrency?: number; onProgress?: (done: number, total: number) => void } = {},
  ): Promise<{ ok: number; broken: number }> {
    const total = this.list.length;
    const concurrency = Math.max(1, Math.floor(options.concurrency ?? 16));
    let next = 0;
    let done = 0;
    let ok = 0;
    const worker = async (): Promise<void> => {
      while (next < total) {
        const entry = this.list[next++]!;
        await this.metadata(entry.id).then(
          () => ok++,
          () => undefined,
        );
        options.onProgress?.(++done, total);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));
    return { ok, broken: total - ok };
  }

  /** The header if it was already read, without reading. */
  cachedMetadata(id: string): ImageMetadata | undefined {
    return this.headers.get(id);
  }

  /**
   * Records that an image cannot be used (its header or its pixels failed). A lasting failure
   * stands until a re-scan; a passing one (isPassingFailure) only until the next request.
   */
  markBroken(id: string, error: unknown): void {
    const entry = this.require(id);
    const listed = this.brokenById.get(id);
    if (listed && !isPassingFailure(listed)) return;
    const err = error instanceof Error ? error : new Error(String(error));
    this.brokenById.set(id, err);
    this.headers.delete(id);
    this.logger?.warn(
      {
        image: entry.relPath,
        reason: err instanceof ImageDecodeError ? err.reason : undefined,
        error: err.message,
      },
      'image marked broken',
    );
  }

  /** The listed failure that still refuses the image; a passing one is dropped to try again. */
  private lastingFailure(id: string): Error | undefined {
    const listed = this.brokenById.get(id);
    if (listed && isPassingFailure(listed)) {
      this.brokenById.delete(id);
      return undefined;
    }
    return listed;
  }

  isBroken(id: string): boolean {
    return this.brokenById.has(id);
  }

  /** Broken images in index order. */
  broken(): BrokenImage[] {
    return [...this.brokenById]
      .map(([id, error]) => ({ entry: this.require(id), error }))
      .sort((a, b) => this.positionOf(a.entry.id) - this.positionOf(b.entry.id));
  }
}
