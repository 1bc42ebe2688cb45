/**
 * The horse silhouette sample (400x328 RGBA, black horse on white) and its reference mask:
 * pixels whose red channel is < 128. Its alpha channel is opaque except 12 partly transparent
 * white pixels at the four rounded corners (alpha 110-217). The reference is read from the red
 * channel as stored, so those count as background; the segmenter sees the picture flattened on
 * white (as the dataset decodes it), where they are white too, so both agree.
 */
import path from 'node:path';
import sharp from 'sharp';
import { createBitmap, type Bitmap } from '../../../geometry/index.js';
import { samplesDir } from './scenes.js';

export const HORSE_FILE = path.join(samplesDir, 'horse.png');

export async function horseReferenceMask(): Promise<Bitmap> {
  const { data, info } = await sharp(HORSE_FILE).raw().toBuffer({ resolveWithObject: true });
  const mask = createBitmap(info.width, info.height);
  for (let i = 0; i < mask.data.length; i++) {
    mask.data[i] = data[i * info.channels]! < 128 ? 1 : 0;
  }
  return mask;
}
