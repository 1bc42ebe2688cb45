/**
 * Procedural and photographic RGB textures for the generated scenes (test and bench support).
 * Every texture is a full-size RGB HWC buffer; randomness comes from a seeded generator so a
 * scene is the same on every run.
 */
import sharp from 'sharp';
import type { Size } from '../../../geometry/index.js';

export type Rgb = readonly [number, number, number];

/** Smooth noise in [0, 1]: a random lattice every `cell` pixels, bilinearly interpolated. */
function valueNoise(size: Size, cell: number, random: () => number): Float32Array {
  const cols = Math.ceil(size.width / cell) + 2;
  const rows = Math.ceil(size.height / cell) + 2;
  const lattice = Float32Array.from({ length: cols * rows }, () => random());
  const out = new Float32Array(size.width * size.height);
  for (let y = 0; y < size.height; y++) {
    const gy = y / cell;
    const y0 = Math.floor(gy);
    const ty = gy - y0;
    const sy = ty * ty * (3 - 2 * ty);
    for (let x = 0; x < size.width; x++) {
      const gx = x / cell;
      const x0 = Math.floor(gx);
      const tx = gx - x0;
      const sx = tx * tx * (3 - 2 * tx);
      const i = y0 * cols + x0;
      const top = lattice[i]! + (lattice[i + 1]! - lattice[i]!) * sx;
      const bottom = lattice[i + cols]! + (lattice[i + cols + 1]! - lattice[i + cols]!) * sx;
      out[y * size.width + x] = top + (bottom - top) * sy;
    }
  }
  return out;
}

/** Several octaves of value noise, halving the cell and the weight each time; in [0, 1]. */
export function fractalNoise(
  size: Size,
  cell: number,
  octaves: number,
  random: () => number,
): Float32Array {
  const out = new Float32Array(size.width * size.height);
  let weight = 1;
  let total = 0;
  for (let o = 0; o < octaves && cell >= 1; o++, cell /= 2, weight /= 2) {
    const layer = valueNoise(size, cell, random);
    for (let i = 0; i < out.length; i++) out[i]! += layer[i]! * weight;
    total += weight;
  }
  for (let i = 0; i < out.length; i++) out[i]! /= total;
  return out;
}

function clampByte(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
}

/** Blends two colours by `amount` (0 = a, 1 = b) per pixel, plus per-pixel grain of +-grain/2. */
export function blendTexture(
  size: Size,
  a: Rgb,
  b: Rgb,
  amount: (i: number, x: number, y: number) => number,
  grain: number,
  random: () => number,
): Buffer {
  const out = Buffer.alloc(size.width * size.height * 3);
  for (let y = 0, i = 0; y < size.height; y++) {
    for (let x = 0; x < size.width; x++, i++) {
      const t = amount(i, x, y);
      const g = (random() - 0.5) * grain;
      for (let c = 0; c < 3; c++) out[i * 3 + c] = clampByte(a[c]! + (b[c]! - a[c]!) * t + g);
    }
  }
  return out;
}

/** Cloudy texture between two colours. */
export function noiseTexture(
  size: Size,
  a: Rgb,
  b: Rgb,
  cell: number,
  grain: number,
  random: () => number,
): Buffer {
  const noise = fractalNoise(size, cell, 4, random);
  return blendTexture(size, a, b, (i) => noise[i]!, grain, random);
}

/** Hard stripes of two colours, `period` pixels wide, at `angle` radians. */
export function stripeTexture(
  size: Size,
  a: Rgb,
  b: Rgb,
  period: number,
  angle: number,
  grain: number,
  random: () => number,
): Buffer {
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  return blendTexture(
    size,
    a,
    b,
    (_i, x, y) => (Math.floor((x * cos + y * sin) / (period / 2)) & 1 ? 1 : 0),
    grain,
    random,
  );
}

/** A checkerboard of `cell`-pixel squares. */
export function checkerTexture(
  size: Size,
  a: Rgb,
  b: Rgb,
  cell: number,
  grain: number,
  random: () => number,
): Buffer {
  return blendTexture(
    size,
    a,
    b,
    (_i, x, y) => ((Math.floor(x / cell) + Math.floor(y / cell)) & 1 ? 1 : 0),
    grain,
    random,
  );
}

/** A photograph scaled and cropped to cover `size` (sharp's 'cover' fit), as RGB. */
export async function photoTexture(file: string, size: Size): Promise<Buffer> {
  return sharp(file)
    .flatten({ background: '#ffffff' })
    .removeAlpha()
    .resize(size.width, size.height, { fit: 'cover' })
    .raw()
    .toBuffer();
}
