import { toDecodeError } from './decode-failure.js';
import { headerReaderFor } from './decode-settings.js';
import { ImageDecodeError } from './errors.js';

/** What an image header says, without decoding pixels. */
export interface ImageMetadata {
  /** Width after EXIF orientation (what the user sees; the "original" coordinate space). */
  width: number;
  /** Height after EXIF orientation. */
  height: number;
  /** Width as stored in the file, before orientation. */
  storedWidth: number;
  storedHeight: number;
  /** Format from the header (sharp's name: jpeg, png, webp, tiff, gif, heif, svg...). */
  format: string;
  channels: number;
  /** EXIF orientation 1-8 (1 when absent). */
  orientation: number;
  hasAlpha: boolean;
  /** Number of pages/frames for multi-page formats (the first page is the one shown). */
  pages?: number;
}

/**
 * Reads one header. A zero-byte file is refused from its size alone; an image over the pixel
 * limit is refused here, from the header, so no decoder ever allocates for it.
 */
export async function readImageHeader(
  file: string,
  bytes: number,
  pixelLimit: number,
): Promise<ImageMetadata> {
  if (bytes === 0) throw new ImageDecodeError(file, 'empty');
  let meta;
  try {
    meta = await headerReaderFor(file).metadata();
  } catch (err) {
    throw await toDecodeError(err, file);
  }
  const { width, height } = meta;
  if (!width || !height) {
    throw new ImageDecodeError(file, 'unsupported', `the ${meta.format} header gives no size`);
  }
  if (width * height > pixelLimit) {
    throw new ImageDecodeError(
      file,
      'too-many-pixels',
      `${width} x ${height} = ${width * height} pixels, over the limit of ${pixelLimit} ` +
        'set by dataset.decodePixelLimit',
    );
  }
  const orientation = meta.orientation ?? 1;
  const swapped = orientation >= 5 && orientation <= 8;
  return {
    width: swapped ? height : width,
    height: swapped ? width : height,
    storedWidth: width,
    storedHeight: height,
    format: meta.format,
    channels: meta.channels,
    orientation,
    hasAlpha: meta.hasAlpha,
    ...(meta.pages !== undefined ? { pages: meta.pages } : {}),
  };
}
