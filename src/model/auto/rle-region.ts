import {
  createBitmap,
  type Bitmap,
  type BoxCorners,
  type RleRuns,
  type Size,
} from '../../geometry/index.js';

/**
 * Moving masks between a region and the whole picture in COCO RLE (column-major runs starting
 * with zeros) without a full-size bitmap: a 24-megapixel picture's bitmap is 24 MB per mask,
 * while these cost the mask's runs and the columns they cross.
 */

/** Calls `visit(column, row, length)` for each column piece of each run of ones. */
function forEachOnes(
  runs: RleRuns,
  visit: (column: number, row: number, length: number) => void,
): void {
  const { height, counts } = runs;
  let position = 0;
  for (let i = 0; i < counts.length; i++) {
    const count = counts[i]!;
    if (i % 2 === 1) {
      const end = position + count;
      for (let start = position; start < end;) {
        const column = Math.floor(start / height);
        const row = start - column * height;
        const length = Math.min(end - start, height - row);
        visit(column, row, length);
        start += length;
      }
    }
    position += count;
  }
}

/** The runs of a mask of `runs`' size placed with its top-left corner at `offset` in `full`. */
export function uncropRuns(runs: RleRuns, offset: { x: number; y: number }, full: Size): RleRuns {
  const counts: number[] = [];
  let cursor = 0;
  forEachOnes(runs, (column, row, length) => {
    const start = (offset.x + column) * full.height + offset.y + row;
    if (counts.length > 0 && start === cursor) counts[counts.length - 1]! += length;
    else counts.push(start - cursor, length);
    cursor = start + length;
  });
  const total = full.width * full.height;
  if (cursor < total || counts.length === 0) counts.push(total - cursor);
  return { height: full.height, width: full.width, counts: Uint32Array.from(counts) };
}

/** The part of a picture-size mask inside `rect`, as a bitmap of the rectangle's size. */
export function regionOfRuns(runs: RleRuns, rect: BoxCorners): Bitmap {
  const width = rect.x1 - rect.x0;
  const out = createBitmap(width, rect.y1 - rect.y0);
  forEachOnes(runs, (column, row, length) => {
    if (column < rect.x0 || column >= rect.x1) return;
    const from = Math.max(row, rect.y0);
    const to = Math.min(row + length, rect.y1);
    const x = column - rect.x0;
    for (let y = from; y < to; y++) out.data[(y - rect.y0) * width + x] = 1;
  });
  return out;
}
