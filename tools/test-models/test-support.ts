import {
  MODEL_SIZE,
  SAM1_PIXEL_MEAN,
  SAM1_PIXEL_STD,
  SAM2_PIXEL_MEAN,
  SAM2_PIXEL_STD,
} from './model-frame.js';
import { seededRandom } from './seeded-random.js';

/**
 * Pictures with known object masks, and the reference preprocessing of MODELS.md written out
 * plainly, for tests of the generated models (the production preprocessing lives in src/).
 */

export type Rgb = readonly [number, number, number];

export type SceneShape =
  | { kind: 'rect'; name: string; colour: Rgb; x0: number; y0: number; x1: number; y1: number }
  | { kind: 'circle'; name: string; colour: Rgb; cx: number; cy: number; r: number };

export interface Scene {
  width: number;
  height: number;
  /** RGB uint8, HWC. */
  rgb: Uint8Array;
  /** Per shape: 1 where the shape is the visible top layer. */
  masks: Record<string, Uint8Array>;
}

function covers(shape: SceneShape, x: number, y: number): boolean {
  const px = x + 0.5;
  const py = y + 0.5;
  if (shape.kind === 'rect')
    return px >= shape.x0 && px < shape.x1 && py >= shape.y0 && py < shape.y1;
  return (px - shape.cx) ** 2 + (py - shape.cy) ** 2 <= shape.r ** 2;
}

/** Shapes painted in order over a background with +-`noise` uniform grain per channel. */
export function paintScene(
  width: number,
  height: number,
  background: Rgb,
  shapes: SceneShape[],
  noise = 0,
): Scene {
  const random = seededRandom(width * 7919 + height);
  const rgb = new Uint8Array(width * height * 3);
  const masks: Record<string, Uint8Array> = {};
  for (const shape of shapes) masks[shape.name] = new Uint8Array(width * height);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      let colour = background;
      let top: SceneShape | undefined;
      for (const shape of shapes) if (covers(shape, x, y)) top = shape;
      if (top) {
        colour = top.colour;
        (masks[top.name] as Uint8Array)[y * width + x] = 1;
      }
      for (let c = 0; c < 3; c += 1) {
        const grain = noise === 0 ? 0 : Math.round((random() * 2 - 1) * noise);
        rgb[(y * width + x) * 3 + c] = Math.min(255, Math.max(0, (colour[c] ?? 0) + grain));
      }
    }
  }
  return { width, height, rgb, masks };
}

/** ResizeLongestSide.get_preprocess_shape: longest side 1024, floor(x + 0.5). */
export function sam1ResizedSize(width: number, height: number): { width: number; height: number } {
  const scale = MODEL_SIZE / Math.max(width, height);
  return { width: Math.floor(width * scale + 0.5), height: Math.floor(height * scale + 0.5) };
}

/**
 * Bilinear resize of an interleaved `channels`-plane image with half-pixel centres and edge
 * clamping: torch F.interpolate(mode='bilinear', align_corners=False) without antialiasing.
 */
export function resizeBilinear(
  data: ArrayLike<number>,
  channels: number,
  width: number,
  height: number,
  toWidth: number,
  toHeight: number,
): Float32Array {
  const out = new Float32Array(toWidth * toHeight * channels);
  const at = (x: number, y: number, c: number): number => data[(y * width + x) * channels + c] ?? 0;
  const source = (i: number, from: number, to: number): [number, number, number] => {
    const s = Math.min(Math.max(((i + 0.5) * from) / to - 0.5, 0), from - 1);
    const lo = Math.floor(s);
    return [lo, Math.min(lo + 1, from - 1), s - lo];
  };
  for (let y = 0; y < toHeight; y += 1) {
    const [y0, y1, fy] = source(y, height, toHeight);
    for (let x = 0; x < toWidth; x += 1) {
      const [x0, x1, fx] = source(x, width, toWidth);
      for (let c = 0; c < channels; c += 1) {
        const top = at(x0, y0, c) * (1 - fx) + at(x1, y0, c) * fx;
        const bottom = at(x0, y1, c) * (1 - fx) + at(x1, y1, c) * fx;
        out[(y * toWidth + x) * channels + c] = top * (1 - fy) + bottom * fy;
      }
    }
  }
  return out;
}

/** RGB HWC uint8 resize (bilinear, rounded). */
export function resizeRgb(
  rgb: Uint8Array,
  width: number,
  height: number,
  toWidth: number,
  toHeight: number,
): Uint8Array {
  return Uint8Array.from(resizeBilinear(rgb, 3, width, height, toWidth, toHeight), (v) =>
    Math.round(v),
  );
}

export interface Sam1Inputs {
  resized: { width: number; height: number };
  /** A1 input: raw 0-255 RGB, [h, w, 3]. */
  hwc: Float32Array;
  /** A2 input: normalised, zero-padded, [1, 3, 1024, 1024]. */
  nchw: Float32Array;
  /** Original -> 1024 frame point scale (the rounded sizes over the original ones). */
  toModel(x: number, y: number): [number, number];
}

export function sam1Inputs(scene: Scene): Sam1Inputs {
  const resized = sam1ResizedSize(scene.width, scene.height);
  const rgb = resizeRgb(scene.rgb, scene.width, scene.height, resized.width, resized.height);
  const nchw = new Float32Array(3 * MODEL_SIZE * MODEL_SIZE);
  for (let y = 0; y < resized.height; y += 1) {
    for (let x = 0; x < resized.width; x += 1) {
      for (let c = 0; c < 3; c += 1) {
        const value = rgb[(y * resized.width + x) * 3 + c] ?? 0;
        nchw[c * MODEL_SIZE * MODEL_SIZE + y * MODEL_SIZE + x] =
          (value - (SAM1_PIXEL_MEAN[c] ?? 0)) / (SAM1_PIXEL_STD[c] ?? 1);
      }
    }
  }
  return {
    resized,
    hwc: Float32Array.from(rgb),
    nchw,
    toModel: (x, y) => [(x * resized.width) / scene.width, (y * resized.height) / scene.height],
  };
}

/** Contract B input: squashed to 1024x1024, 0-1, ImageNet-normalised, [1, 3, 1024, 1024]. */
export function sam2Input(scene: Scene): Float32Array {
  const rgb = resizeRgb(scene.rgb, scene.width, scene.height, MODEL_SIZE, MODEL_SIZE);
  const nchw = new Float32Array(3 * MODEL_SIZE * MODEL_SIZE);
  for (let i = 0; i < MODEL_SIZE * MODEL_SIZE; i += 1) {
    for (let c = 0; c < 3; c += 1) {
      nchw[c * MODEL_SIZE * MODEL_SIZE + i] =
        ((rgb[i * 3 + c] ?? 0) / 255 - (SAM2_PIXEL_MEAN[c] ?? 0)) / (SAM2_PIXEL_STD[c] ?? 1);
    }
  }
  return nchw;
}

/** Plane `index` of a [1, C, H, W] logits tensor thresholded at 0. */
export function maskOfPlane(logits: Float32Array, index: number, width: number, height: number) {
  const plane = logits.subarray(index * width * height, (index + 1) * width * height);
  return Uint8Array.from(plane, (v) => (v > 0 ? 1 : 0));
}

/**
 * An original-size 0/1 mask seen on a `grid` x `grid` lattice over the 1024 model frame, where
 * the image occupies `frameWidth` x `frameHeight` (the resized size for contract A, whose rest is
 * padding; 1024 x 1024 for contract B's squash). Sampled at cell centres.
 */
export function maskOnModelGrid(
  mask: Uint8Array,
  width: number,
  height: number,
  frameWidth: number,
  frameHeight: number,
  grid: number,
): Uint8Array {
  const out = new Uint8Array(grid * grid);
  const cell = MODEL_SIZE / grid;
  for (let gy = 0; gy < grid; gy += 1) {
    const y = Math.floor((((gy + 0.5) * cell) / frameHeight) * height);
    if (y >= height) continue;
    for (let gx = 0; gx < grid; gx += 1) {
      const x = Math.floor((((gx + 0.5) * cell) / frameWidth) * width);
      if (x < width) out[gy * grid + gx] = mask[y * width + x] ?? 0;
    }
  }
  return out;
}

export function maskIou(a: Uint8Array, b: Uint8Array): number {
  let both = 0;
  let either = 0;
  for (let i = 0; i < a.length; i += 1) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    both += x & y;
    either += x | y;
  }
  return either === 0 ? 1 : both / either;
}

/** Share of `region` that `mask` covers. */
export function coverage(mask: Uint8Array, region: Uint8Array): number {
  let inside = 0;
  let total = 0;
  for (let i = 0; i < region.length; i += 1) {
    if (region[i]) {
      total += 1;
      inside += mask[i] ?? 0;
    }
  }
  return total === 0 ? 0 : inside / total;
}

export interface ObjectsScene extends Scene {
  /** A point well inside each object, and one on the background far from all of them. */
  inside: Record<'rect' | 'twin' | 'blue' | 'background', [number, number]>;
  /** A box around the blue disc with some margin: x0, y0, x1, y1. */
  blueBox: [number, number, number, number];
}

/**
 * The standard test picture at any size: a red rectangle, a second red object of a slightly
 * different shade ("twin") and a blue disc on a grainy grey background.
 */
export function objectsScene(width: number, height: number, noise = 6): ObjectsScene {
  const short = Math.min(width, height);
  const blue = { cx: 0.52 * width, cy: 0.7 * height, r: 0.19 * short };
  const twin = { cx: 0.74 * width, cy: 0.28 * height, r: 0.15 * short };
  const scene = paintScene(
    width,
    height,
    [128, 128, 128],
    [
      {
        kind: 'rect',
        name: 'rect',
        colour: [205, 40, 40],
        x0: 0.09 * width,
        y0: 0.12 * height,
        x1: 0.38 * width,
        y1: 0.42 * height,
      },
      { kind: 'circle', name: 'twin', colour: [195, 50, 48], ...twin },
      { kind: 'circle', name: 'blue', colour: [40, 60, 200], ...blue },
    ],
    noise,
  );
  const margin = 0.06 * short;
  return {
    ...scene,
    inside: {
      rect: [0.2 * width, 0.25 * height],
      twin: [twin.cx, twin.cy],
      blue: [blue.cx, blue.cy],
      background: [0.04 * width, 0.95 * height],
    },
    blueBox: [
      blue.cx - blue.r - margin,
      blue.cy - blue.r - margin,
      blue.cx + blue.r + margin,
      blue.cy + blue.r + margin,
    ],
  };
}
