/**
 * Fixed-point text the way Python writes it (`f"{x:.6f}"`, `"%.6f" % x`): the exact binary value
 * rounded to `digits` decimals, ties to even. JavaScript's toFixed breaks exact ties upwards, so
 * the two disagree on values such as 1/128 = 0.0078125 (Python "0.007812", toFixed "0.007813"),
 * which normalised coordinates hit often: x / 1280 is a tie for every x = 2 (mod 4).
 */
export function toFixedHalfEven(value: number, digits: number): string {
  const text = value.toFixed(digits);
  if (!Number.isFinite(value)) return text;
  const lower = tieLowerNeighbour(Math.abs(value), digits);
  // At a tie toFixed takes lower + 1; that is right when lower + 1 is the even one.
  if (lower === null || lower % 2n !== 0n) return text;
  return formatScaled(lower, digits, value < 0);
}

/** Six decimals, as the YOLO and seed-tool label files write normalised coordinates. */
export function fixed6(value: number): string {
  return toFixedHalfEven(value, 6);
}

const SPLITTER = 134217729; // 2^27 + 1, Veltkamp's constant for doubles

/** n when value * 10^digits is exactly n + 1/2 (value >= 0), else null. */
function tieLowerNeighbour(value: number, digits: number): bigint | null {
  const factor = 2 * 10 ** digits;
  const product = value * factor;
  // Beyond 2^53 (or 10^22) the float product cannot be trusted to the last unit.
  if (!(product < 2 ** 53) || digits > 22) return exactTieLowerNeighbour(value, digits);
  // A tie makes value * 2 * 10^digits an odd whole number, which the rounded product then is
  // too; almost nothing passes this test. It is a tie only if the product was exact (Dekker's
  // two-product error term is zero).
  if (!Number.isInteger(product) || product % 2 !== 1) return null;
  return productError(value, factor, product) === 0 ? BigInt((product - 1) / 2) : null;
}

/** a * b - p exactly, for p the rounded product of a and b (Dekker, no overflow assumed). */
function productError(a: number, b: number, p: number): number {
  const ca = SPLITTER * a;
  const ah = ca - (ca - a);
  const al = a - ah;
  const cb = SPLITTER * b;
  const bh = cb - (cb - b);
  const bl = b - bh;
  return ah * bh - p + ah * bl + al * bh + al * bl;
}

const view = new DataView(new ArrayBuffer(8));

/** The exact test in integers, for magnitudes where the float one cannot be trusted. */
function exactTieLowerNeighbour(value: number, digits: number): bigint | null {
  view.setFloat64(0, value);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  let mantissa = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let exponent: number;
  if (biased === 0) exponent = -1074;
  else {
    mantissa |= 1n << 52n;
    exponent = biased - 1075;
  }
  if (exponent >= 0) return null; // a whole number: never a tie
  const numerator = mantissa * 2n * 10n ** BigInt(digits);
  const denominator = 1n << BigInt(-exponent);
  if (numerator % denominator !== 0n) return null;
  const twiceScaled = numerator / denominator;
  if (twiceScaled % 2n !== 1n) return null;
  return (twiceScaled - 1n) / 2n;
}

function formatScaled(scaled: bigint, digits: number, negative: boolean): string {
  const text = scaled.toString().padStart(digits + 1, '0');
  const whole = text.slice(0, text.length - digits);
  const fraction = text.slice(text.length - digits);
  return `${negative ? '-' : ''}${whole}${digits > 0 ? `.${fraction}` : ''}`;
}
