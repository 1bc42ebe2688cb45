/**
 * A SegmenterImage over a real file, decoded by the dataset module exactly as the application
 * decodes it (LazyImage: EXIF orientation, transparency flattened on white, the reference
 * bilinear resize to the model size). Test and bench support.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import { defaultConfig } from '../../../config/index.js';
import { decodeSettingsFrom } from '../../../dataset/decode-settings.js';
import { formatOfName } from '../../../dataset/formats.js';
import { readImageHeader } from '../../../dataset/header.js';
import { LazyImage } from '../../../dataset/lazy-image.js';
import type { SegmenterImage } from '../../segmenter.js';

export async function segmenterImageFromFile(file: string): Promise<SegmenterImage> {
  const settings = decodeSettingsFrom(defaultConfig());
  const { size: bytes, mtimeMs } = statSync(file);
  const header = await readImageHeader(file, bytes, settings.pixelLimit);
  const name = path.basename(file);
  const format = formatOfName(name);
  if (!format) throw new Error(`${file}: not an image file name`);
  const entry = { id: name, relPath: name, absPath: file, bytes, mtimeMs, format };
  const image = new LazyImage(entry, { settings, header: async () => header });
  return {
    key: `${file}:${bytes}:${mtimeMs}`,
    size: { width: header.width, height: header.height },
    modelInput: (contract) => image.modelInput(contract),
  };
}
