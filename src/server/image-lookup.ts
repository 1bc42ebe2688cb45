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
export function resolveImage(ctx: ServerContext, id: number): ResolvedImage {
  const record = ctx.store.images.get(id);
  const entry = ctx.index.get(record.key) ?? ctx.index.byRelPath(record.path);
  if (!entry) {
    throw notFound(`Image ${id} (${record.path}) is no longer in the dataset folder.`, 'params.id');
  }
  return { record, entry };
}

/** Changes whenever the file does; part of picture URLs so that they can be cached for good. */
export function fileVersion(entry: Pick<ImageEntry, 'mtimeMs' | 'bytes'>): string {
  return `${Math.round(entry.mtimeMs).toString(36)}-${entry.bytes.toString(36)}`;
}
