import {
  createBitmap,
  pasteBitmap,
  runsToCompressed,
  type Bitmap,
  type CompressedRle,
  type Size,
} from '../../geometry/index.js';
import type { RegionMask } from './logit-mask.js';

/**
 * Rows where each column of a row-major 0/1 crop changes value (a column that ends inside the
 * mask changes back at row `height`), grouped by column in row order. One sequential pass that
 * compares each row with the one above four bytes at a time where it can (rows are 4-aligned
 * when the width is a multiple of 4, which upsampleMask arranges), so only the mask's outline
 * is looked at byte by byte and the column-major RLE never walks the crop column by column.
 */
function columnToggles(mask: Bitmap): { offsets: Int32Array; rows: Int32Array } {
  const { width, height, data } = mask;
  const words =
    width % 4 === 0 && data.byteOffset % 4 === 0
      ? new Uint32Array(data.buffer, data.byteOffset, (width * height) / 4)
      : null;
  const wordsPerRow = width / 4;
  const xs: number[] = [];
  const ys: number[] = [];
  const compareBytes = (r: number, from: number, to: number): void => {
    const row = r * width;
    for (let x = from; x < to; x++) {
      const now = r < height ? data[row + x]! : 0;
      const before = r > 0 ? data[row - width + x]! : 0;
      if (now !== before) {
        xs.push(x);
        ys.push(r);
      }
    }
  };
  for (let r = 0; r <= height; r++) {
    if (!words) {
      compareBytes(r, 0, width);
      continue;
    }
    const row = r * wordsPerRow;
    for (let w = 0; w < wordsPerRow; w++) {
      const now = r < height ? words[row + w]! : 0;
      const before = r > 0 ? words[row - wordsPerRow + w]! : 0;
      if (now !== before) compareBytes(r, w * 4, w * 4 + 4);
    }
  }
  // Counting sort by column; rows stay in order within a column.
  const offsets = new Int32Array(width + 1);
  for (const x of xs) offsets[x + 1]!++;
  for (let x = 0; x < width; x++) offsets[x + 1]! += offsets[x]!;
  const next = offsets.slice(0, width);
  const rows = new Int32Array(xs.length);
  for (let i = 0; i < xs.length; i++) rows[next[xs[i]!]!++] = ys[i]!;
  return { offsets, rows };
}

/**
 * COCO RLE (column-major runs, starting with zeros) of a mask of `size` that is 0 outside the
 * region's crop: runs outside the crop are counted, not scanned, and inside it only the
 * changes of value are visited, so encoding costs the crop's area once, not the picture's.
 */
export function regionRle(region: RegionMask, size: Size): CompressedRle {
  const { width: cropWidth, height: cropHeight } = region.bitmap;
  const counts: number[] = [];
  let value = 0;
  let run = 0;
  const add = (v: number, n: number): void => {
    if (n === 0) return;
    if (v === value) {
      run += n;
      return;
    }
    counts.push(run);
    value = v;
    run = n;
  };
  const { offsets, rows } = columnToggles(region.bitmap);
  add(0, region.left * size.height);
  for (let c = 0; c < cropWidth; c++) {
    add(0, region.top);
    let last = 0;
    let v = 0;
    for (let i = offsets[c]!; i < offsets[c + 1]!; i++) {
      add(v, rows[i]! - last);
      last = rows[i]!;
      v ^= 1;
    }
    add(0, cropHeight - last);
    add(0, size.height - region.top - cropHeight);
  }
  add(0, (size.width - region.left - cropWidth) * size.height);
  counts.push(run);
  return runsToCompressed({
    height: size.height,
    width: size.width,
    counts: Uint32Array.from(counts),
  });
}

/** The full-size bitmap of a region: 24 MB on a 24-megapixel picture. */
export function regionBitmap(region: RegionMask, size: Size): Bitmap {
  const mask = createBitmap(size.width, size.height);
  pasteBitmap(mask, region.bitmap, region.left, region.top);
  return mask;
}
