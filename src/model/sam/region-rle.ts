import {
  createBitmap,
  runsToCompressed,
  type Bitmap,
  type CompressedRle,
  type Size,
} from '../../geometry/index.js';
import type { RegionMask } from './logit-mask.js';
import { Scratch } from './scratch.js';

/** Working space of regionRle (scratch.ts). */
const changeScratch = new Scratch((n) => new Int32Array(n));
const startScratch = new Scratch((n) => new Int32Array(n));
const rowScratch = new Scratch((n) => new Int32Array(n));
const countScratch = new Scratch((n) => new Uint32Array(n));

/**
 * Where each column of the region changes value going down, as (row, from, to) triples: row y
 * differs from row y - 1 on columns [from, to). Rows are visited top to bottom, one past the
 * last so columns that end inside the mask change back. Two rows differ exactly between
 * consecutive points of their merged run boundaries, so only the outline is visited.
 */
function rowChanges(region: RegionMask): { changes: Int32Array; count: number } {
  const { top, rowStarts, spans } = region;
  const rows = rowStarts.length - 1;
  // Each run boundary ends up in two merges (with the row above and the row below).
  const changes = changeScratch.take(3 * (spans.length + 1));
  let count = 0;
  for (let r = 0; r <= rows; r++) {
    let i = r > 0 ? 2 * rowStarts[r - 1]! : 0;
    const iEnd = r > 0 ? 2 * rowStarts[r]! : 0;
    let j = r < rows ? 2 * rowStarts[r]! : 0;
    const jEnd = r < rows ? 2 * rowStarts[r + 1]! : 0;
    if (iEnd - i === 2 && jEnd - j === 2) {
      // One run on each row, as on most rows of a blob: the merge in order, without a loop.
      const a0 = spans[i]!;
      const a1 = spans[i + 1]!;
      const b0 = spans[j]!;
      const b1 = spans[j + 1]!;
      const apart = a1 <= b0 || b1 <= a0;
      const first = a0 <= b0;
      const p0 = apart ? (first ? a0 : b0) : Math.min(a0, b0);
      const p1 = apart ? (first ? a1 : b1) : Math.max(a0, b0);
      const p2 = apart ? (first ? b0 : a0) : Math.min(a1, b1);
      const p3 = apart ? (first ? b1 : a1) : Math.max(a1, b1);
      if (p1 > p0) {
        changes[3 * count] = top + r;
        changes[3 * count + 1] = p0;
        changes[3 * count + 2] = p1;
        count++;
      }
      if (p3 > p2) {
        changes[3 * count] = top + r;
        changes[3 * count + 1] = p2;
        changes[3 * count + 2] = p3;
        count++;
      }
      continue;
    }
    let from = -1;
    while (i < iEnd || j < jEnd) {
      const x = j >= jEnd || (i < iEnd && spans[i]! <= spans[j]!) ? spans[i++]! : spans[j++]!;
      if (from < 0) {
        from = x;
        continue;
      }
      if (x > from) {
        changes[3 * count] = top + r;
        changes[3 * count + 1] = from;
        changes[3 * count + 2] = x;
        count++;
      }
      from = -1;
    }
  }
  return { changes, count };
}

/**
 * COCO RLE (column-major runs, starting with zeros) of a mask of `size` that is 0 outside the
 * region: the column changes come from the row runs (rowChanges) and are put in column order
 * by a counting sort over the bbox's columns, so encoding never touches a pixel of the mask's
 * inside or outside.
 */
export function regionRle(region: RegionMask, size: Size): CompressedRle {
  const total = size.width * size.height;
  const [left, , width] = region.bbox;
  const { changes, count } = rowChanges(region);
  // +1 where a change starts and -1 where it ends: summed along the columns that gives how many
  // rows change on each column, summed again where each column's rows start in `rows`.
  const start = startScratch.take(width + 1).fill(0, 0, width + 1);
  for (let k = 0; k < count; k++) {
    start[changes[3 * k + 1]! - left]!++;
    start[changes[3 * k + 2]! - left]!--;
  }
  let toggles = 0;
  for (let c = 0, onColumn = 0; c < width; c++) {
    onColumn += start[c]!;
    start[c] = toggles;
    toggles += onColumn;
  }
  // Rows go in column order (a counting sort, stable, so each column's rows stay in order);
  // start[c] then points past column c's rows, where column c + 1's begin.
  const rows = rowScratch.take(toggles);
  for (let k = 0; k < count; k++) {
    const y = changes[3 * k]!;
    for (let x = changes[3 * k + 1]! - left; x < changes[3 * k + 2]! - left; x++) {
      rows[start[x]!++] = y;
    }
  }
  // In column-major order a toggle at (c, y) is position c * height + y; a column that ends
  // set (toggle at its height) and a next one that starts set (toggle at row 0) meet at one
  // position and cancel.
  const counts = countScratch.take(toggles + 1);
  let runs = 0;
  let previous = 0;
  let pending = -1;
  for (let c = 0, k = 0; c < width; c++) {
    const base = (left + c) * size.height;
    for (; k < start[c]!; k++) {
      const position = base + rows[k]!;
      if (position === pending) {
        pending = -1;
        continue;
      }
      if (pending >= 0) {
        counts[runs++] = pending - previous;
        previous = pending;
      }
      pending = position;
    }
  }
  // A toggle at the very end (the last pixel is set) closes the last run rather than open one.
  if (pending >= 0 && pending < total) {
    counts[runs++] = pending - previous;
    previous = pending;
  }
  counts[runs++] = total - previous;
  return runsToCompressed({
    height: size.height,
    width: size.width,
    counts: counts.subarray(0, runs),
  });
}

/** The full-size bitmap of a region: 24 MB on a 24-megapixel picture. */
export function regionBitmap(region: RegionMask, size: Size): Bitmap {
  const mask = createBitmap(size.width, size.height);
  const { top, rowStarts, spans } = region;
  for (let r = 0; r < rowStarts.length - 1; r++) {
    const row = (top + r) * size.width;
    for (let k = rowStarts[r]!; k < rowStarts[r + 1]!; k++) {
      mask.data.fill(1, row + spans[2 * k]!, row + spans[2 * k + 1]!);
    }
  }
  return mask;
}
