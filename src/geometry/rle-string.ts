/**
 * The compressed COCO RLE string (maskApi.c rleToString / rleFrString): every count from the
 * fourth on is stored as the difference to the count two places before it, then written in
 * 5-bit groups, least significant first, as the characters '0' (48) to 'o' (111): bit 0x20 of a
 * character says another group follows, and bit 0x10 of the last group is the sign.
 */
import { RleError, describeValue } from './errors.js';

const FIRST_CHAR = 48;
const LAST_CHAR = 48 + 63;
/** Enough groups for any difference of two 32-bit counts (35 bits). */
const MAX_GROUPS = 7;

export function countsToString(counts: ArrayLike<number>): string {
  const bytes = new Uint8Array(counts.length * MAX_GROUPS);
  let p = 0;
  for (let i = 0; i < counts.length; i++) {
    let x = counts[i]!;
    if (i > 2) x -= counts[i - 2]!;
    let more = true;
    while (more) {
      // Exact arithmetic in place of the C shifts: counts may exceed 31 bits.
      let c = x - Math.floor(x / 32) * 32;
      x = Math.floor(x / 32);
      more = c & 0x10 ? x !== -1 : x !== 0;
      if (more) c |= 0x20;
      bytes[p++] = c + FIRST_CHAR;
    }
  }
  return bytesToAscii(bytes.subarray(0, p));
}

/** RLE strings hold characters 48..111 only, where every single-byte decoder agrees. */
const ASCII = new TextDecoder('latin1');

function bytesToAscii(bytes: Uint8Array): string {
  return ASCII.decode(bytes);
}

/** Counts of a compressed string; throws RleError on a character or value it cannot hold. */
export function countsFromString(s: string, field = 'counts'): Uint32Array {
  if (typeof s !== 'string') {
    throw new RleError(`${field} must be a string, got ${describeValue(s)}`, field, s);
  }
  const counts = new Uint32Array(s.length);
  let m = 0;
  let p = 0;
  while (p < s.length) {
    const valueStart = p;
    let x = 0;
    let k = 0;
    let more = true;
    while (more) {
      if (p >= s.length) {
        throw new RleError(
          `${field} ends inside a value (character ${valueStart} onwards): the string is cut short`,
          field,
          s.slice(valueStart),
        );
      }
      const code = s.charCodeAt(p);
      if (code < FIRST_CHAR || code > LAST_CHAR) {
        throw new RleError(
          `${field} has character ${JSON.stringify(s[p])} at position ${p}; only '0' to 'o' may appear`,
          field,
          s[p],
        );
      }
      if (k === MAX_GROUPS) {
        throw new RleError(
          `${field} value at position ${valueStart} is longer than ${MAX_GROUPS} characters`,
          field,
          s.slice(valueStart, p + 1),
        );
      }
      const c = code - FIRST_CHAR;
      x += (c & 0x1f) * 2 ** (5 * k);
      more = (c & 0x20) !== 0;
      p++;
      k++;
      if (!more && c & 0x10) x -= 2 ** (5 * k);
    }
    if (m > 2) x += counts[m - 2]!;
    if (x < 0 || x > 0xffffffff) {
      throw new RleError(
        `${field} run ${m} (characters ${valueStart}-${p - 1}) decodes to ${x}, outside 0..2^32-1`,
        `${field}[${m}]`,
        x,
      );
    }
    counts[m++] = x;
  }
  return counts.slice(0, m);
}
