/** Mask bitmaps as pixels for the canvas: sampling, edges and colouring. Pure, no DOM. */
import type { Bbox } from './types';
import type { RasterRegion } from './rle';

/**
 * The pixel-aligned region that holds a box, sampled so that at most `maxPixels` samples are
 * made: a frame-filling object on a 50-megapixel photo becomes a few megapixels, not 200 MB.
 */
export function maskRegion(
  bbox: Bbox,
  imageWidth: number,
  imageHeight: number,
  maxPixels: number,
): RasterRegion {
  const x = clamp(Math.floor(bbox[0]), 0, imageWidth);
  const y = clamp(Math.floor(bbox[1]), 0, imageHeight);
  const width = Math.max(0, clamp(Math.ceil(bbox[0] + bbox[2]), 0, imageWidth) - x);
  const height = Math.max(0, clamp(Math.ceil(bbox[1] + bbox[3]), 0, imageHeight) - y);
  const step = Math.max(1, Math.ceil(Math.sqrt((width * height) / Math.max(1, maxPixels))));
  return { x, y, width, height, step };
}

/** 1 where the mask is inside and a 4-neighbour (or the raster's border) is outside. */
export function maskEdges(data: Uint8Array, width: number, height: number): Uint8Array {
  const edges = new Uint8Array(data.length);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      const i = row + x;
      if (!data[i]) continue;
      if (
        x === 0 ||
        y === 0 ||
        x === width - 1 ||
        y === height - 1 ||
        !data[i - 1] ||
        !data[i + 1] ||
        !data[i - width] ||
        !data[i + width]
      ) {
        edges[i] = 1;
      }
    }
  }
  return edges;
}

/** RGBA pixels: `rgb` with `alpha` where data is set, transparent elsewhere. */
export function paintMask(
  data: Uint8Array,
  rgb: readonly [number, number, number],
  alpha = 255,
): Uint8ClampedArray<ArrayBuffer> {
  const out = new Uint8ClampedArray(new ArrayBuffer(data.length * 4));
  const [r, g, b] = rgb;
  for (let i = 0; i < data.length; i++) {
    if (!data[i]) continue;
    const o = i * 4;
    out[o] = r;
    out[o + 1] = g;
    out[o + 2] = b;
    out[o + 3] = alpha;
  }
  return out;
}

/** '#rrggbb' or '#rgb' as numbers; a neutral grey for anything else. */
export function parseHexColor(color: string): [number, number, number] {
  const m = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(color.trim());
  if (!m) return [160, 160, 160];
  let hex = m[1]!;
  if (hex.length === 3) hex = [...hex].map((c) => c + c).join('');
  const n = Number.parseInt(hex, 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}
