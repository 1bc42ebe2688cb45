import type { RawImage } from './raw-image.js';

/**
 * PIL's BILINEAR resize (Pillow `Resample.c`), the resize the SAM references run
 * (torchvision `resize` on a PIL image, `ResizeLongestSide.apply_image`): a triangle filter
 * widened by the scale when shrinking, pixel centres at (x + 0.5) * scale, weights in 22-bit fixed
 * point, horizontal pass first with 8-bit rounding between the passes. Bit-exact with Pillow for
 * this input, so the encoder sees what the reference encoder saw.
 *
 * Used for enlarging only: measured against this function, sharp's 'linear' kernel matches to a
 * mean 0.09 levels when shrinking (1411 -> 1024) but is 1.6-3.9 levels off when enlarging
 * (libvips places upsampled pixels differently), and enlarging happens on pictures under 1024
 * pixels, where JavaScript is fast enough (~15 ms for 1024 x 681).
 */
export function resampleBilinear(source: RawImage, width: number, height: number): RawImage {
  let image = source;
  if (width !== image.width) image = horizontalPass(image, width);
  if (height !== image.height) image = verticalPass(image, height);
  return image;
}

const PRECISION_BITS = 32 - 8 - 2;
const HALF = 1 << (PRECISION_BITS - 1);

interface Taps {
  first: Int32Array;
  count: Int32Array;
  /** count[i] fixed-point weights for output i, at i * stride. */
  weights: Int32Array;
  stride: number;
}

function tapsFor(inSize: number, outSize: number): Taps {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = filterScale; // the triangle's support (1) widened when shrinking
  const stride = Math.ceil(support) * 2 + 1;
  const first = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Int32Array(outSize * stride);
  const real = new Float64Array(stride);
  for (let x = 0; x < outSize; x++) {
    const center = (x + 0.5) * scale;
    const lo = Math.max(0, Math.trunc(center - support + 0.5));
    const hi = Math.min(inSize, Math.trunc(center + support + 0.5));
    let sum = 0;
    for (let i = 0; i < hi - lo; i++) {
      const t = Math.abs((i + lo - center + 0.5) / filterScale);
      real[i] = t < 1 ? 1 - t : 0;
      sum += real[i]!;
    }
    for (let i = 0; i < hi - lo; i++) {
      const w = sum !== 0 ? real[i]! / sum : real[i]!;
      weights[x * stride + i] = Math.trunc(
        w < 0 ? -0.5 + w * (1 << PRECISION_BITS) : 0.5 + w * (1 << PRECISION_BITS),
      );
    }
    first[x] = lo;
    count[x] = hi - lo;
  }
  return { first, count, weights, stride };
}

function clip8(fixed: number): number {
  const v = fixed >> PRECISION_BITS;
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

function horizontalPass(image: RawImage, width: number): RawImage {
  const { first, count, weights, stride } = tapsFor(image.width, width);
  const out = Buffer.allocUnsafe(width * image.height * 3);
  const src = image.data;
  for (let y = 0; y < image.height; y++) {
    const row = y * image.width * 3;
    for (let x = 0; x < width; x++) {
      let r = HALF;
      let g = HALF;
      let b = HALF;
      const base = x * stride;
      let p = row + first[x]! * 3;
      for (let k = 0; k < count[x]!; k++, p += 3) {
        const w = weights[base + k]!;
        r += src[p]! * w;
        g += src[p + 1]! * w;
        b += src[p + 2]! * w;
      }
      const o = (y * width + x) * 3;
      out[o] = clip8(r);
      out[o + 1] = clip8(g);
      out[o + 2] = clip8(b);
    }
  }
  return { width, height: image.height, data: out };
}

function verticalPass(image: RawImage, height: number): RawImage {
  const { first, count, weights, stride } = tapsFor(image.height, height);
  const rowBytes = image.width * 3;
  const out = Buffer.allocUnsafe(rowBytes * height);
  const src = image.data;
  for (let y = 0; y < height; y++) {
    const base = y * stride;
    const top = first[y]! * rowBytes;
    for (let i = 0; i < rowBytes; i++) {
      let acc = HALF;
      let p = top + i;
      for (let k = 0; k < count[y]!; k++, p += rowBytes) acc += src[p]! * weights[base + k]!;
      out[y * rowBytes + i] = clip8(acc);
    }
  }
  return { width: image.width, height, data: out };
}
