import type { ImageEntry } from '../dataset/index.js';
import type { ImageSummary } from '../store/index.js';
import { notFound } from './http-error.js';
import type { ServerContext } from './server-context.js';

export interface ResolvedImage {
  /** The project's record (integer id, path, status). */
  record: ImageSummary;
  /** The dataset file (string key, absolute path, stamp). */
  entry: ImageEntry;
}

/**
 * An API image id to its record and file. Files come only from the dataset index, so a request
 * can name images, never paths: nothing outside the dataset is reachable.
 */
export function resolveImage(
  ctx: Pick<ServerContext, 'store' | 'index'>,
  id: number,
): ResolvedImage {
  const record = ctx.store.images.get(id);
  const entry = ctx.index.get(record.key) ?? ctx.index.byRelPath(record.path);
  if (!entry) {
    throw notFound(`Image ${id} (${record.path}) is no longer in the dataset folder.`, 'params.id');
  }
  return { record, entry };
}

/**
 * Dataset index ids by API image id, remembered: the store's id-to-key mapping is fixed while a
 * server runs (images are synced when the project opens), and a click on the predict path then
 * skips a SQLite read that cost ~70 µs once the decoder's run had evicted it from the CPU
 * caches. Only the id is kept, never the entry, whose file details may change. Unknown ids are
 * not remembered.
 */
export class ImageIndexIds {
  private readonly byId = new Map<number, string>();

  constructor(private readonly ctx: Pick<ServerContext, 'store' | 'index'>) {}

  get(id: number): string {
    let indexId = this.byId.get(id);
    if (indexId === undefined) {
      indexId = resolveImage(this.ctx, id).entry.id;
      this.byId.set(id, indexId);
    }
    return indexId;
  }
}

/** Changes whenever the file does; part of picture URLs so that they can be cached for good. */
export function fileVersion(entry: Pick<ImageEntry, 'mtimeMs' | 'bytes'>): string {
  return `${Math.round(entry.mtimeMs).toString(36)}-${entry.bytes.toString(36)}`;
}
