import type { Sharp } from 'sharp';
import { CONTENT_TYPES, type DisplayFormat } from './formats.js';
import type { EncodedImage } from './raw-image.js';

/** A picture for the browser (display picture, thumbnail, tile) in the configured format. */
export async function encodePicture(
  pipeline: Sharp,
  format: DisplayFormat,
  quality: number,
  /** Full colour resolution: tiles are looked at pixel by pixel, where 4:2:0 smears colour. */
  fullChroma = false,
): Promise<EncodedImage> {
  const encoder =
    format === 'webp'
      ? pipeline.webp({ quality, ...(fullChroma ? { smartSubsample: true } : {}) })
      : pipeline.jpeg({ quality, chromaSubsampling: fullChroma ? '4:4:4' : '4:2:0' });
  const { data, info } = await encoder.toBuffer({ resolveWithObject: true });
  return {
    data,
    width: info.width,
    height: info.height,
    format,
    contentType: CONTENT_TYPES[format],
  };
}
