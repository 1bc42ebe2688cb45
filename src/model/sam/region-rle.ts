import {
  createBitmap,
  runsToCompressed,
  type Bitmap,
  type CompressedRle,
  type Size,
} from '../../geometry/index.js';
import type { RegionMask } from './logit-mask.js';

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
  const changes = new Int32Array(3 * (spans.length + 1));
  let count = 0;
  for (let r = 0; r <= rows; r++) {
    let i = r > 0 ? 2 * rowStarts[r - 1]! : 0;
    const iEnd = r > 0 ? 2 * rowStarts[r]! : 0;
    let j = r < rows ? 2 * rowStarts[r]! : 0;
    const jEnd = r < rows ? 2 * rowStarts[r + 1]! : 0;
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
  // +1 where a change starts and -1 where it ends (one place to the right): summed along the
  // columns that gives how many rows change on each column, summed again where each column's
  // rows start. Column c - left gets rows[start[c]] to rows[start[c + 1] - 1].
  const start = new Int32Array(width + 2);
  let toggles = 0;
  for (let k = 0; k < count; k++) {
    start[changes[3 * k + 1]! - left + 1]!++;
    start[changes[3 * k + 2]! - left + 1]!--;
    toggles += changes[3 * k + 2]! - changes[3 * k + 1]!;
  }
  for (let pass = 0; pass < 2; pass++) {
    for (let c = 1; c <= width; c++) start[c]! += start[c - 1]!;
  }
  const next = start.slice(0, width);
  const rows = new Int32Array(toggles);
  for (let k = 0; k < count; k++) {
    const y = changes[3 * k]!;
    for (let x = changes[3 * k + 1]! - left; x < changes[3 * k + 2]! - left; x++) {
      rows[next[x]!++] = y;
    }
  }
  // In column-major order a toggle at (c, y) is position c * height + y; a column that ends
  // set (toggle at its height) and a next one that starts set (toggle at row 0) meet at one
  // position and cancel.
  const counts = new Uint32Array(toggles + 1);
  let runs = 0;
  let previous = 0;
  let pending = -1;
  for (let c = 0; c < width; c++) {
    const base = (left + c) * size.height;
    for (let k = start[c]!; k < start[c + 1]!; k++) {
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
