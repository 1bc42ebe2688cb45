import { ImageDecodeError } from './errors.js';

/**
 * Refuses an image whose header declares more than `pixelLimit` pixels (a possible decompression
 * bomb), before any decoder allocates for it.
 */
export function checkPixelLimit(
  file: string,
  width: number,
  height: number,
  pixelLimit: number,
): void {
  if (width * height <= pixelLimit) return;
  throw new ImageDecodeError(
    file,
    'too-many-pixels',
    `${width} x ${height} = ${width * height} pixels, over the limit of ${pixelLimit} ` +
      'set by dataset.decodePixelLimit',
  );
}
