import { describe, expect, it } from 'vitest';
import { FLOAT16_MAX, float16ToFloat32, float32ToFloat16, halfBitsOf } from './float16.js';
import { gaussianEmbeddingValues, seededRandom } from './test-support.js';

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

function bitsOf(value: number): number {
  f32[0] = value;
  return u32[0]!;
}

function valueOfBits(bits: number): number {
  u32[0] = bits >>> 0;
  return f32[0]!;
}

/** binary16 decoded from its fields with plain arithmetic: the reference for the table. */
function referenceHalfValue(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >>> 10) & 0x1f;
  const mantissa = h & 0x3ff;
  if (exponent === 0x1f) return mantissa === 0 ? sign * Infinity : NaN;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

/** Collects failures so that a loop over 100,000 cases costs one assertion, not 100,000. */
function mismatchList() {
  const found: string[] = [];
  return {
    check(actual: number, expected: number, what: string) {
      if (!Object.is(actual, expected) && found.length < 10) {
        found.push(`${what}: got 0x${actual.toString(16)}, expected 0x${expected.toString(16)}`);
      }
    },
    found,
  };
}

const isNanHalf = (h: number) => (h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0;

/** Every non-negative finite float16 value, ascending, by bit pattern 0x0000..0x7bff. */
const POSITIVE_HALVES = Array.from({ length: 0x7c00 }, (_, h) => referenceHalfValue(h));

/** Nearest float16 by search over all values, ties to the even pattern: an independent reference. */
function referenceHalfBits(value: number): number {
  if (Number.isNaN(value)) return 0x7e00;
  const sign = value < 0 || Object.is(value, -0) ? 0x8000 : 0;
  const abs = Math.abs(value);
  // Half an ulp above the largest finite value rounds (to even) to infinity.
  if (abs >= FLOAT16_MAX + 16) return sign | 0x7c00;
  let lo = 0;
  let hi = POSITIVE_HALVES.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (POSITIVE_HALVES[mid]! <= abs) lo = mid;
    else hi = mid;
  }
  const below = POSITIVE_HALVES[lo]!;
  const above = POSITIVE_HALVES[hi]!;
  if (abs <= below) return sign | lo;
  const toBelow = abs - below;
  const toAbove = above - abs;
  if (toBelow < toAbove) return sign | lo;
  if (toAbove < toBelow) return sign | hi;
  return sign | (lo % 2 === 0 ? lo : hi);
}

describe('float16 -> float32', () => {
  it('gives the exact value of every one of the 65536 bit patterns', () => {
    const all = Uint16Array.from({ length: 0x10000 }, (_, h) => h);
    const values = float16ToFloat32(all);
    const wrong: string[] = [];
    for (let h = 0; h < 0x10000; h++) {
      const expected = referenceHalfValue(h);
      const same = Number.isNaN(expected)
        ? Number.isNaN(values[h])
        : Object.is(values[h], expected);
      if (!same) wrong.push(`0x${h.toString(16)}: ${values[h]} instead of ${expected}`);
    }
    expect(wrong).toEqual([]);
  });
});

describe('float32 -> float16', () => {
  it('maps every float16 value back to its own bit pattern', () => {
    const { check, found } = mismatchList();
    for (let h = 0; h < 0x10000; h++) {
      if (!isNanHalf(h)) check(halfBitsOf(bitsOf(referenceHalfValue(h))), h, `pattern ${h}`);
    }
    expect(found).toEqual([]);
  });

  it('rounds every midpoint between neighbours to the even one, and just off it to the nearer', () => {
    const { check, found } = mismatchList();
    for (let h = 0; h < 0x7bff; h++) {
      const [a, b] = [POSITIVE_HALVES[h]!, POSITIVE_HALVES[h + 1]!];
      const midBits = bitsOf((a + b) / 2);
      // The midpoint of two float16 neighbours is exact in float32 (12 significant bits).
      check(valueOfBits(midBits), (a + b) / 2, `midpoint after ${h}`);
      const even = h % 2 === 0 ? h : h + 1;
      for (const sign of [0, 0x8000]) {
        const signBit = sign << 16;
        check(halfBitsOf(midBits | signBit), sign | even, `midpoint after ${sign | h}`);
        check(halfBitsOf((midBits - 1) | signBit), sign | h, `below midpoint after ${sign | h}`);
        check(
          halfBitsOf((midBits + 1) | signBit),
          sign | (h + 1),
          `above midpoint after ${sign | h}`,
        );
      }
    }
    expect(found).toEqual([]);
  });

  it('agrees with a nearest-value search on 200,000 random float32 bit patterns', () => {
    const random = seededRandom(7);
    const { check, found } = mismatchList();
    for (let i = 0; i < 200_000; i++) {
      // Exponents concentrated where float16 lives, plus the odd far-away one.
      const exponent = i % 10 === 0 ? Math.floor(random() * 255) : 90 + Math.floor(random() * 60);
      const bits =
        ((random() < 0.5 ? 0x80000000 : 0) | (exponent << 23) | Math.floor(random() * 0x800000)) >>>
        0;
      const value = valueOfBits(bits);
      check(halfBitsOf(bits), referenceHalfBits(value), `${value} (bits 0x${bits.toString(16)})`);
    }
    expect(found).toEqual([]);
  });

  it('keeps infinities, the sign of zero and NaN; overflows to infinity from 65520; flushes below 2^-25', () => {
    const cases: Array<[number, number]> = [
      [Infinity, 0x7c00],
      [-Infinity, 0xfc00],
      [0, 0x0000],
      [-0, 0x8000],
      [65504, 0x7bff],
      [65519.99, 0x7bff],
      [65520, 0x7c00],
      [-1e9, 0xfc00],
      [2 ** -24, 0x0001], // smallest subnormal
      [2 ** -25, 0x0000], // tie between 0 and 2^-24: to the even 0
      [2 ** -25 * 1.0000001, 0x0001],
      [3 * 2 ** -25, 0x0002], // tie between 1 and 2 units: to the even 2
      [-(2 ** -14), 0x8400], // smallest normal
      [2 ** -14 - 2 ** -25, 0x0400], // rounds up across into the normals
      [1e-45, 0x0000], // a float32 subnormal
      [1, 0x3c00],
      [-2, 0xc000],
      [1 / 3, 0x3555],
    ];
    for (const [value, expected] of cases) {
      expect(halfBitsOf(bitsOf(value)), String(value)).toBe(expected);
    }
    const nan = halfBitsOf(bitsOf(NaN));
    expect(isNanHalf(nan)).toBe(true);
    expect(nan & 0x0200).toBe(0x0200); // quiet
    expect(float16ToFloat32(new Uint16Array([nan]))[0]).toBeNaN();
  });

  it('converts whole arrays into a given target, and refuses a target of another length', () => {
    const source = new Float32Array([1, -0.5, 70000, 1e-8]);
    const target = new Uint16Array(4);
    expect(float32ToFloat16(source, target)).toBe(target);
    expect([...target]).toEqual([0x3c00, 0xb800, 0x7c00, halfBitsOf(bitsOf(1e-8))]);
    expect(() => float32ToFloat16(source, new Uint16Array(3))).toThrow(
      /target holds 3 values, source has 4/,
    );
    expect(() => float16ToFloat32(target, new Float32Array(5))).toThrow(RangeError);
  });
});

describe('float16 error on embedding-like values', () => {
  it('stays within 2^-11 relative (2^-25 absolute near zero) on 4M values like SAM features', () => {
    // SAM 1 image_embeddings sit mostly within +-1 with tails to about +-10; SAM 2's high-res
    // features reach a few tens. A mixture covers both.
    const values = gaussianEmbeddingValues(4 * 1024 * 1024, 11);
    const back = float16ToFloat32(float32ToFloat16(values));
    let maxAbs = 0;
    let maxRelative = 0;
    let largest = 0;
    let maxTinyError = 0;
    for (let i = 0; i < values.length; i++) {
      const x = values[i]!;
      const error = Math.abs(back[i]! - x);
      largest = Math.max(largest, Math.abs(x));
      maxAbs = Math.max(maxAbs, error);
      if (Math.abs(x) >= 2 ** -14) maxRelative = Math.max(maxRelative, error / Math.abs(x));
      else maxTinyError = Math.max(maxTinyError, error);
    }
    expect(maxTinyError).toBeLessThanOrEqual(2 ** -25);
    expect(largest).toBeGreaterThan(20);
    expect(maxRelative).toBeLessThanOrEqual(2 ** -11);
    expect(maxAbs).toBeLessThanOrEqual(largest * 2 ** -11);
    expect(maxAbs).toBeGreaterThan(0);
  });
});
