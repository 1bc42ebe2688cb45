/**
 * IEEE 754 binary16 <-> binary32 conversion for the disk cache (Node 20 has no Float16Array).
 *
 * float32 -> float16 rounds to nearest, ties to even, the way hardware converters do: values
 * from 65520 up become infinity, values at or below 2^-25 become (signed) zero, values between
 * become float16 subnormals with correct rounding, NaN stays NaN (quiet), infinities and the sign
 * of zero are kept. float16 -> float32 is exact (every binary16 value is a binary32 value), so it
 * is a lookup in a 65536-entry table.
 *
 * Error bound of a round trip, for |x| <= 65504: |x - f16(x)| <= 2^-11 |x| for |x| >= 2^-14, and
 * <= 2^-25 below (half the float16 subnormal step).
 */

/** Largest finite float16, 65504. */
export const FLOAT16_MAX = 65504;

const F32_INFINITY = 0x7f800000;
/** 65520 = 65504 + half an ulp: ties to even go up, to infinity. */
const F32_ROUNDS_TO_F16_INFINITY = 0x477ff000;
/** 2^-14, the smallest normal float16. */
const F32_F16_MIN_NORMAL = 0x38800000;
/** Exponent bias difference (127 - 15), placed in the exponent field. */
const REBIAS = (127 - 15) << 23;
/** Below 2^-25 every value rounds to zero (2^-25 itself ties to the even zero). */
const F32_EXPONENT_F16_SUBNORMAL_MIN = 102;

/**
 * Converts `source` into float16 bit patterns, written into `target` (allocated when omitted).
 * Returns the target.
 */
export function float32ToFloat16(
  source: Float32Array,
  target: Uint16Array = new Uint16Array(source.length),
): Uint16Array {
  checkLengths(source.length, target.length);
  // Reading the float bits through a second view needs 4-byte alignment, which a Float32Array has.
  const bits = new Uint32Array(source.buffer, source.byteOffset, source.length);
  for (let i = 0; i < bits.length; i++) target[i] = halfBitsOf(bits[i]!);
  return target;
}

/** The float16 bit pattern nearest (ties to even) to the float32 with bit pattern `x`. */
export function halfBitsOf(x: number): number {
  const sign = (x >>> 16) & 0x8000;
  const abs = x & 0x7fffffff;
  if (abs >= F32_ROUNDS_TO_F16_INFINITY) {
    // NaN stays a quiet NaN; finite values this large and infinities become infinity.
    return sign | (abs > F32_INFINITY ? 0x7e00 : 0x7c00);
  }
  if (abs >= F32_F16_MIN_NORMAL) {
    // Drop 13 mantissa bits: add just under half of the dropped unit, plus one when the kept
    // part is odd, so an exact half rounds to even. A carry out of the mantissa bumps the
    // exponent, which is the right answer (up to 0x7c00, infinity, at the very top).
    const rebased = abs - REBIAS;
    return sign | ((rebased + 0xfff + ((rebased >>> 13) & 1)) >>> 13);
  }
  const exponent = abs >>> 23;
  if (exponent < F32_EXPONENT_F16_SUBNORMAL_MIN) return sign;
  // Subnormal float16: the value in units of 2^-24 is mantissa * 2^(exponent - 126).
  const mantissa = (abs & 0x7fffff) | 0x800000;
  const shift = 126 - exponent; // 14..24
  const half = 1 << (shift - 1);
  const odd = (mantissa >>> shift) & 1;
  // Rounding up to 0x400 lands on the smallest normal, which is again the right pattern.
  return sign | ((mantissa + half - 1 + odd) >>> shift);
}

let table: Float32Array | undefined;

/** Every float16 value as float32, by bit pattern (256 KiB, built on first use). */
function float16Table(): Float32Array {
  if (table) return table;
  const values = new Float32Array(0x10000);
  const bits = new Uint32Array(values.buffer);
  for (let h = 0; h < 0x10000; h++) bits[h] = floatBitsOfHalf(h);
  table = values;
  return values;
}

/** The float32 bit pattern of float16 `h` (exact). */
function floatBitsOfHalf(h: number): number {
  const sign = (h & 0x8000) << 16;
  const exponent = (h >>> 10) & 0x1f;
  const mantissa = h & 0x3ff;
  if (exponent === 0x1f) return (sign | F32_INFINITY | (mantissa << 13)) >>> 0;
  if (exponent !== 0) return (sign | ((exponent + 112) << 23) | (mantissa << 13)) >>> 0;
  if (mantissa === 0) return sign >>> 0;
  // Subnormal: normalise the mantissa into a float32 normal.
  let m = mantissa;
  let e = 113;
  while ((m & 0x400) === 0) {
    m <<= 1;
    e--;
  }
  return (sign | (e << 23) | ((m & 0x3ff) << 13)) >>> 0;
}

/** Converts float16 bit patterns into float32 values, written into `target` (allocated when omitted). */
export function float16ToFloat32(
  source: Uint16Array,
  target: Float32Array = new Float32Array(source.length),
): Float32Array {
  checkLengths(source.length, target.length);
  // Copying bit patterns (integers) rather than floats: no NaN canonicalisation, and faster.
  const table = new Uint32Array(float16Table().buffer);
  const out = new Uint32Array(target.buffer, target.byteOffset, target.length);
  for (let i = 0; i < source.length; i++) out[i] = table[source[i]!]!;
  return target;
}

function checkLengths(source: number, target: number): void {
  if (source !== target) {
    throw new RangeError(
      `float16 conversion: target holds ${target} values, source has ${source}; they must match`,
    );
  }
}
