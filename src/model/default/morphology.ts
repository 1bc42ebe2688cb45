import type { Frame } from './frame.js';

/**
 * The 0/1 frame mask grown by `reach` frame pixels (a square neighbourhood), separably: along
 * the rows, then along the columns, each a pass either way marking what lies within reach of
 * the last set pixel.
 */
export function dilate(mask: Uint8Array, frame: Frame, reach: number): Uint8Array {
  const { cols, rows } = frame;
  const across = new Uint8Array(mask.length);
  for (let r = 0; r < rows; r++) spread(mask, across, r * cols, 1, cols, reach);
  const out = new Uint8Array(mask.length);
  for (let c = 0; c < cols; c++) spread(across, out, c, cols, rows, reach);
  return out;
}

/** The 0/1 frame mask shrunk by `reach` frame pixels (the picture's edge does not erode it). */
export function erode(mask: Uint8Array, frame: Frame, reach: number): Uint8Array {
  const grown = dilate(
    mask.map((v) => (v ? 0 : 1)),
    frame,
    reach,
  );
  return grown.map((v) => (v ? 0 : 1));
}

/** One line of `count` pixels from `start`, `step` apart: sets `to` within reach of a set `from`. */
function spread(
  from: Uint8Array,
  to: Uint8Array,
  start: number,
  step: number,
  count: number,
  reach: number,
): void {
  let last = -Infinity;
  for (let k = 0, i = start; k < count; k++, i += step) {
    if (from[i]) last = k;
    if (k - last <= reach) to[i] = 1;
  }
  last = Infinity;
  for (let k = count - 1, i = start + (count - 1) * step; k >= 0; k--, i -= step) {
    if (from[i]) last = k;
    if (last - k <= reach) to[i] = 1;
  }
}
