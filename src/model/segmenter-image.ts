/**
 * SegmenterImages over real pictures, decoded by the dataset module exactly as the application
 * decodes them (EXIF orientation, transparency flattened on white, the reference bilinear resize
 * to the model size): one over a dataset image served by ImageService (cached, budgeted), one
 * over a lone file (the `predict` command, tests and benches).
 */
import path from 'node:path';
import { defaultConfig, type Config } from '../config/index.js';
import {
  IMAGE_FORMATS,
  ImageDecodeError,
  LazyImage,
  decodeSettingsFrom,
  formatOfName,
  readImageHeader,
  type ImageEntry,
  type ImageFormat,
  type ImageIndex,
  type RawImage,
} from '../dataset/index.js';
import type { ResizeContract } from '../geometry/index.js';
import type { SegmenterImage } from './segmenter.js';

/** What segmenterImageOf needs of the dataset; ImageService provides it. */
export interface SegmenterImageSource {
  readonly index: Pick<ImageIndex, 'currentMetadata'>;
  getModelInput(id: string, contract: ResizeContract): Promise<RawImage>;
}

/**
 * A dataset image as a backend sees it: sized from the header of the file as it is now (so an
 * image edited on disk is never sized by its old header), pixels from the service's budgeted
 * cache. `contentKey` is the caller's (ContentKeys: path + size + mtime, or a content hash).
 * Rejects with an ImageDecodeError when the header cannot be read.
 */
export async function segmenterImageOf(
  images: SegmenterImageSource,
  entry: Pick<ImageEntry, 'id'>,
  contentKey: string,
): Promise<SegmenterImage> {
  const { width, height } = await images.index.currentMetadata(entry.id);
  return {
    key: contentKey,
    size: { width, height },
    modelInput: (contract) => images.getModelInput(entry.id, contract),
  };
}

/**
 * A lone image file as a backend sees it, with no cache: every modelInput() call decodes the
 * file. The header is read here (an unreadable or unsupported file rejects with an
 * ImageDecodeError naming it); the key names the absolute path and the version read.
 * `config` gives the dataset.* decode settings (pixel limit, ...); default: defaultConfig().
 */
export async function segmenterImageFromFile(
  file: string,
  config: Config = defaultConfig(),
): Promise<SegmenterImage> {
  const absPath = path.resolve(file);
  const settings = decodeSettingsFrom(config);
  const header = await readImageHeader(absPath, settings.pixelLimit);
  const name = path.basename(absPath);
  const entry: ImageEntry = {
    id: name,
    relPath: name,
    absPath,
    bytes: header.file.bytes,
    mtimeMs: header.file.mtimeMs,
    format: formatOfName(name) ?? listedFormat(absPath, header.format),
  };
  const image = new LazyImage(entry, { settings, header: async () => header });
  return {
    key: `file:${absPath}:${header.file.bytes}:${header.file.mtimeMs}`,
    size: { width: header.width, height: header.height },
    modelInput: (contract) => image.modelInput(contract),
  };
}

/** A file whose name has no image extension is taken for what its header says it is. */
function listedFormat(file: string, headerFormat: string): ImageFormat {
  const format = IMAGE_FORMATS.find((f) => f === headerFormat);
  if (!format) {
    throw new ImageDecodeError(
      file,
      'unsupported',
      `${headerFormat} pictures are not among the supported formats (${IMAGE_FORMATS.join(', ')})`,
    );
  }
  return format;
}
