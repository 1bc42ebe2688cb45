/**
 * Pascal VOC's 21 class names of VOC 2007-2012 by index, and RGB masks read back to indices
 * through a colour table (the standard colormap is export/palette-png.ts's vocColormap).
 */
import { ImportError } from './errors.js';
import type { PngSamples } from './png-samples.js';

export const VOC_CLASS_NAMES = [
  'background',
  'aeroplane',
  'bicycle',
  'bird',
  'boat',
  'bottle',
  'bus',
  'car',
  'cat',
  'chair',
  'cow',
  'diningtable',
  'dog',
  'horse',
  'motorbike',
  'person',
  'pottedplant',
  'sheep',
  'sofa',
  'train',
  'tvmonitor',
];

/** Index 255 is VOC's "void": object borders and pixels nobody could label. */
export const VOC_VOID = 255;

/**
 * One index per pixel: palette indices and grey values as they are; RGB through `colors`
 * (R, G, B per index; the first index of a colour wins). An RGB pixel of no listed colour is an
 * ImportError naming it and where it is.
 */
export function indicesOf(png: PngSamples, file: string, colors: Uint8Array): Uint8Array {
  if (png.channels === 1) return png.data;
  const byColor = new Map<number, number>();
  for (let i = colors.length / 3 - 1; i >= 0; i--) {
    byColor.set((colors[3 * i]! << 16) | (colors[3 * i + 1]! << 8) | colors[3 * i + 2]!, i);
  }
  const n = png.width * png.height;
  const out = new Uint8Array(n);
  const d = png.data;
  for (let k = 0; k < n; k++) {
    const key = (d[3 * k]! << 16) | (d[3 * k + 1]! << 8) | d[3 * k + 2]!;
    const index = byColor.get(key);
    if (index === undefined || index > 255) {
      throw new ImportError(
        { file },
        'only colours of the label colormap in an RGB mask',
        `rgb(${d[3 * k]}, ${d[3 * k + 1]}, ${d[3 * k + 2]}) at x ${k % png.width}, y ${Math.floor(k / png.width)}`,
      );
    }
    out[k] = index;
  }
  return out;
}
