/**
 * Reproducible synthetic masks for tests and benchmarks: blobs made of rotated ellipses with
 * ragged edges, holes cut into them, and small specks. Rasterised row by row from the ellipse
 * equations (independent of geometry's own rasteriser).
 */
import { createBitmap, type Bitmap } from '../bitmap.js';

/** Small, fast, seeded PRNG (mulberry32) returning numbers in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Ellipse {
  cx: number;
  cy: number;
  a: number;
  b: number;
  angle: number;
  value: 0 | 1;
  /** Edge raggedness in pixels. */
  rough: number;
}

/** Sets (or clears) the pixels whose centres fall inside the ellipse, with ragged edges. */
function drawEllipse(mask: Bitmap, e: Ellipse, random: () => number): void {
  const cos = Math.cos(e.angle);
  const sin = Math.sin(e.angle);
  const A = (cos * cos) / (e.a * e.a) + (sin * sin) / (e.b * e.b);
  const Bk = 2 * cos * sin * (1 / (e.a * e.a) - 1 / (e.b * e.b));
  const Ck = (sin * sin) / (e.a * e.a) + (cos * cos) / (e.b * e.b);
  const reach = Math.max(e.a, e.b);
  let left = 0;
  let right = 0;
  for (
    let y = Math.max(0, Math.floor(e.cy - reach));
    y < Math.min(mask.height, e.cy + reach);
    y++
  ) {
    const dy = y + 0.5 - e.cy;
    const B = Bk * dy;
    const D = B * B - 4 * A * (Ck * dy * dy - 1);
    if (D < 0) continue;
    // A smoothed random walk on each end keeps edges ragged but continuous.
    left = 0.8 * left + (random() - 0.5) * e.rough;
    right = 0.8 * right + (random() - 0.5) * e.rough;
    const root = Math.sqrt(D);
    const x0 = e.cx + (-B - root) / (2 * A) + left;
    const x1 = e.cx + (-B + root) / (2 * A) + right;
    const from = Math.max(0, Math.ceil(x0 - 0.5));
    const to = Math.min(mask.width, Math.ceil(x1 - 0.5));
    if (to > from) mask.data.fill(e.value, y * mask.width + from, y * mask.width + to);
  }
}

export interface BlobOptions {
  parts?: number;
  holes?: number;
  specks?: number;
  /** Edge raggedness in pixels (0 for smooth ellipses). */
  rough?: number;
}

/** A mask with several ragged parts, holes inside them and a few specks. */
export function randomBlobMask(
  width: number,
  height: number,
  seed: number,
  options: BlobOptions = {},
): Bitmap {
  const random = seededRandom(seed);
  const mask = createBitmap(width, height);
  const size = Math.min(width, height);
  const rough = options.rough ?? Math.max(0.5, size / 150);
  const parts: Ellipse[] = [];
  for (let i = 0; i < (options.parts ?? 3); i++) {
    parts.push({
      cx: width * (0.15 + 0.7 * random()),
      cy: height * (0.15 + 0.7 * random()),
      a: size * (0.12 + 0.18 * random()),
      b: size * (0.08 + 0.12 * random()),
      angle: Math.PI * random(),
      value: 1,
      rough,
    });
  }
  for (const part of parts) drawEllipse(mask, part, random);
  for (let i = 0; i < (options.holes ?? 2); i++) {
    const host = parts[i % parts.length]!;
    drawEllipse(
      mask,
      {
        cx: host.cx + (random() - 0.5) * host.b * 0.6,
        cy: host.cy + (random() - 0.5) * host.b * 0.6,
        a: host.b * (0.2 + 0.2 * random()),
        b: host.b * (0.15 + 0.15 * random()),
        angle: Math.PI * random(),
        value: 0,
        rough: rough / 2,
      },
      random,
    );
  }
  for (let i = 0; i < (options.specks ?? 4); i++) {
    drawEllipse(
      mask,
      {
        cx: width * random(),
        cy: height * random(),
        a: 1 + size * 0.02 * random(),
        b: 1 + size * 0.02 * random(),
        angle: 0,
        value: 1,
        rough: 0,
      },
      random,
    );
  }
  return mask;
}

/** Every pixel independently set with probability `density`: the worst case for outlines. */
export function randomNoiseMask(
  width: number,
  height: number,
  seed: number,
  density = 0.5,
): Bitmap {
  const random = seededRandom(seed);
  const mask = createBitmap(width, height);
  for (let i = 0; i < mask.data.length; i++) mask.data[i] = random() < density ? 1 : 0;
  return mask;
}
