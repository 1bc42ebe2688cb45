/**
 * What an importer knows about the dataset: its folder, its images by relative path, and how
 * to learn an image's size. Importers never open dataset images themselves.
 */
import path from 'node:path';
import type { ImageIndex } from '../../dataset/index.js';
import { ImportError, type ImportLocation } from './errors.js';

export interface ImageSize {
  width: number;
  height: number;
}

export interface ImportContext {
  /** The dataset root (absolute, or relative to the working directory). */
  datasetDir: string;
  /**
   * Every image of the dataset by its POSIX path relative to datasetDir, with its original
   * (EXIF-oriented) size, or null when that is not known yet.
   */
  images: ReadonlyMap<string, ImageSize | null>;
  /** The original size of a dataset image, by the same relative path (reads its header). */
  sizeOf(relPath: string): Promise<ImageSize>;
}

/** A context over a scanned dataset: sizes already read are used, others are read on demand. */
export function importContextFromIndex(index: ImageIndex): ImportContext {
  const images = new Map<string, ImageSize | null>();
  for (const entry of index.entries()) {
    const header = index.cachedMetadata(entry.id);
    images.set(entry.relPath, header ? { width: header.width, height: header.height } : null);
  }
  return {
    datasetDir: index.root,
    images,
    async sizeOf(relPath) {
      const entry = index.byRelPath(relPath);
      if (!entry) throw new Error(`${relPath} is not an image of the dataset at ${index.root}`);
      const header = await index.metadata(entry.id);
      return { width: header.width, height: header.height };
    },
  };
}

/**
 * The size of the dataset image `relPath`, which `where` (a label file, a JSON entry) refers to.
 * An unreadable image or a nonsense size becomes an ImportError at `where`.
 */
export async function imageSizeFor(
  ctx: ImportContext,
  relPath: string,
  where: ImportLocation,
): Promise<ImageSize> {
  let size = ctx.images.get(relPath) ?? null;
  if (!size) {
    try {
      size = await ctx.sizeOf(relPath);
    } catch (err) {
      throw new ImportError(
        where,
        `a readable dataset image at ${relPath}`,
        err instanceof Error ? err.message : String(err),
        { cause: err },
      );
    }
  }
  const ok = (v: unknown): boolean => typeof v === 'number' && Number.isSafeInteger(v) && v > 0;
  if (!ok(size?.width) || !ok(size?.height)) {
    throw new ImportError(
      where,
      `a positive whole-pixel size for dataset image ${relPath}`,
      JSON.stringify(size),
    );
  }
  return size;
}

/** Sizes of many images, a few header reads at a time, in the order given. */
export async function imageSizesFor(
  ctx: ImportContext,
  wanted: readonly { relPath: string; where: ImportLocation }[],
  concurrency = 8,
): Promise<ImageSize[]> {
  const out: ImageSize[] = new Array<ImageSize>(wanted.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < wanted.length) {
      const i = next++;
      out[i] = await imageSizeFor(ctx, wanted[i]!.relPath, wanted[i]!.where);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, wanted.length) }, worker));
  return out;
}

/** `target` as a POSIX path relative to the dataset root, or null when it lies outside. */
export function datasetRelative(ctx: ImportContext, target: string): string | null {
  const rel = path.relative(path.resolve(ctx.datasetDir), path.resolve(target));
  if (rel === '') return '';
  if (rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) return null;
  return rel.split(path.sep).join('/');
}
