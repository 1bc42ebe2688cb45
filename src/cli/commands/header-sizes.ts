import { ImageDecodeError, type ImageIndex } from '../../dataset/index.js';
import type { Size } from '../../geometry/index.js';
import { ExportError } from '../../formats/index.js';
import type { ImageRecord, ProjectStore } from '../../store/index.js';

/** Header reads in flight (sharp reads them on libuv's threads). */
const HEADER_CONCURRENCY = 16;

/**
 * Sizes of the images nobody opened (the project has none recorded), from their dataset
 * headers: read ahead of an export, a few at a time, and recorded in the project in one
 * transaction so that the next export does not read them again. A header that cannot be read
 * is remembered, to explain the exporter's "size unknown" error.
 */
export class HeaderSizes {
  private readonly failures = new Map<string, string>();

  constructor(
    private readonly index: ImageIndex,
    private readonly store: ProjectStore,
  ) {}

  /** Reads and records the size of every image without one; resolves to how many it recorded. */
  async prefetch(
    options: { onProgress?: (done: number, total: number) => void; signal?: AbortSignal } = {},
  ): Promise<number> {
    const wanted = [...this.store.iterateImages()].filter(
      (image) => image.width === null || image.height === null,
    );
    const found: { id: number; size: Size }[] = [];
    let next = 0;
    let done = 0;
    const worker = async (): Promise<void> => {
      while (next < wanted.length) {
        options.signal?.throwIfAborted();
        const image = wanted[next++]!;
        const size = await this.read(image);
        if (size) found.push({ id: image.id, size });
        options.onProgress?.(++done, wanted.length);
      }
    };
    await Promise.all(Array.from({ length: Math.min(HEADER_CONCURRENCY, wanted.length) }, worker));
    // One commit for all of them instead of one per image.
    return this.store.images.setSizes(
      found.map(({ id, size }) => ({ id, width: size.width, height: size.height })),
    );
  }

  /** ExportOptions.imageSize: for an image prefetch could not size (or one added since). */
  readonly imageSize = (image: ImageRecord): Promise<Size | null> => this.read(image);

  /** The exporter's error, with why the header of the image it names could not be read. */
  explain(err: unknown): unknown {
    if (!(err instanceof ExportError)) return err;
    const failed = [...this.failures].find(([p]) => err.field.startsWith(`images[${p}]`));
    if (!failed) return err;
    return new ExportError(`${err.message} (header: ${failed[1]})`, err.field, err.value, {
      cause: err,
    });
  }

  private async read(image: ImageRecord): Promise<Size | null> {
    const entry = this.index.get(image.key) ?? this.index.byRelPath(image.path);
    if (!entry) {
      this.failures.set(image.path, 'the file is no longer in the dataset folder');
      return null;
    }
    try {
      const { width, height } = await this.index.metadata(entry.id);
      return { width, height };
    } catch (err) {
      if (!(err instanceof ImageDecodeError)) throw err;
      this.failures.set(image.path, err.message);
      return null;
    }
  }
}
