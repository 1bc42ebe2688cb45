import type { Sharp } from 'sharp';
import { CONTENT_TYPES, type DisplayFormat } from './formats.js';
import type { EncodedImage } from './raw-image.js';

/** A picture for the browser (display picture, thumbnail, tile) in the configured format. */
export async function encodePicture(
  pipeline: Sharp,
  format: DisplayFormat,
  quality: number,
): Promise<EncodedImage> {
  const encoder = format === 'webp' ? pipeline.webp({ quality }) : pipeline.jpeg({ quality });
  const { data, info } = await encoder.toBuffer({ resolveWithObject: true });
  return {
    data,
    width: info.width,
    height: info.height,
    format,
    contentType: CONTENT_TYPES[format],
  };
}
