import sharp from 'sharp';
import type { RawImage } from '../../dataset/raw-image.js';
import { resampleBilinear } from '../../dataset/resample-bilinear.js';
import {
  modelResizeSize,
  type BoxCorners,
  type ResizeContract,
  type Size,
} from '../../geometry/index.js';
import type { SegmenterImage } from '../segmenter.js';
import { AutoMaskOptionError } from './options.js';
import { cropSize } from './crop-boxes.js';

/** The whole decoded picture, for crop layers (ImageService.getRgb provides it). */
export interface PixelSource {
  /** The picture's content key; crops are keyed under it. */
  readonly key: string;
  /** Original (oriented) size: the size rgb() returns. */
  readonly size: Size;
  rgb(): Promise<RawImage>;
}

function cropRgb(rgb: RawImage, crop: BoxCorners): RawImage {
  const { width, height } = cropSize(crop);
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    const from = ((crop.y0 + y) * rgb.width + crop.x0) * 3;
    rgb.data.copy(data, y * width * 3, from, from + width * 3);
  }
  return { width, height, data };
}

/**
 * The encoder input of a crop, resized as LazyImage.modelInput resizes a whole picture: sharp's
 * antialiased 'linear' kernel shrinks, the reference bilinear enlarges (crops usually do).
 */
async function cropModelInput(
  source: PixelSource,
  crop: BoxCorners,
  contract: ResizeContract,
): Promise<RawImage> {
  const rgb = await source.rgb();
  if (rgb.width !== source.size.width || rgb.height !== source.size.height) {
    throw new AutoMaskOptionError(
      `pixels of ${source.key} are ${rgb.width}x${rgb.height}, but the picture is ` +
        `${source.size.width}x${source.size.height}`,
      'image',
      { width: rgb.width, height: rgb.height },
    );
  }
  const pixels = cropRgb(rgb, crop);
  const target = modelResizeSize(pixels, contract);
  const shrunk = {
    width: Math.min(target.width, pixels.width),
    height: Math.min(target.height, pixels.height),
  };
  if (shrunk.width === pixels.width && shrunk.height === pixels.height) {
    return resampleBilinear(pixels, target.width, target.height);
  }
  const raw = { width: pixels.width, height: pixels.height, channels: 3 as const };
  const { data, info } = await sharp(pixels.data, { raw })
    .resize(shrunk.width, shrunk.height, { fit: 'fill', kernel: 'linear', fastShrinkOnLoad: false })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return resampleBilinear(
    { width: info.width, height: info.height, data },
    target.width,
    target.height,
  );
}

/** A crop of a picture as a backend sees it: its own size, key and encoder input. */
export function cropImage(source: PixelSource, crop: BoxCorners): SegmenterImage {
  return {
    key: `${source.key}#crop=${crop.x0},${crop.y0},${crop.x1},${crop.y1}`,
    size: cropSize(crop),
    modelInput: (contract) => cropModelInput(source, crop, contract),
  };
}
