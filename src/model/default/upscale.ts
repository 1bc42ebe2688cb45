import { createBitmap, type Bitmap, type Size } from '../../geometry/index.js';
import type { Frame } from './frame.js';

/** For each output index along one axis: the two frame cells it blends and the weight of the second. */
interface AxisTaps {
  lo: Int32Array;
  hi: Int32Array;
  t: Float32Array;
  /** The working pixel under the output pixel's centre. */
  working: Int32Array;
}

/**
 * Taps for output pixels [from, to) of an axis of `outLength` pixels over a working axis of
 * `workingLength`, sampling a frame axis that spans working [start, start + span) with `cells`
 * cells (centres at (c + 0.5) cells). Index -1 means outside the frame (empty).
 */
function axisTaps(
  from: number,
  to: number,
  outLength: number,
  workingLength: number,
  frameAxis: { start: number; span: number; cells: number },
): AxisTaps {
  const { start, span, cells } = frameAxis;
  const n = to - from;
  const taps = {
    lo: new Int32Array(n),
    hi: new Int32Array(n),
    t: new Float32Array(n),
    working: new Int32Array(n),
  };
  for (let k = 0; k < n; k++) {
    const working = ((from + k + 0.5) * workingLength) / outLength;
    const f = ((working - start) * cells) / span - 0.5;
    const c0 = Math.floor(f);
    // Within half a cell of the frame's edge the edge cell is repeated; beyond, empty.
    const outside = f < -0.5 || f >= cells - 0.5;
    const clamp = (c: number): number => (outside ? -1 : Math.min(cells - 1, Math.max(0, c)));
    taps.lo[k] = clamp(c0);
    taps.hi[k] = clamp(c0 + 1);
    taps.t[k] = f - c0;
    taps.working[k] = Math.min(workingLength - 1, Math.floor(working));
  }
  return taps;
}

/**
 * Decides an edge pixel: `soft` is the mask sampled there (strictly between 0 and 1),
 * `workingIndex` the working picture's pixel under it (y * width + x).
 */
export type EdgeDecision = (soft: number, workingIndex: number) => boolean;

const atHalf: EdgeDecision = (soft) => soft >= 0.5;

/**
 * The frame mask at the original image size: each original pixel centre is mapped through the
 * working picture into the frame and the 0/1 mask is sampled bilinearly there. Where all the
 * cells around agree the pixel follows them; on the edge (a value strictly between 0 and 1)
 * `decide` settles it, by default at >= 0.5 (bilinear rather than nearest keeps edges straight
 * instead of staircased when the frame is coarser than the original). Pixels outside the frame
 * are background.
 */
export function frameMaskToOriginal(
  frame: Frame,
  mask: Uint8Array,
  working: Size,
  original: Size,
  decide: EdgeDecision = atHalf,
): Bitmap {
  const out = createBitmap(original.width, original.height);
  // Only the original pixels whose centres can reach the frame need sampling.
  const span = (start: number, length: number, workingLength: number, outLength: number) => ({
    from: Math.max(0, Math.floor((start * outLength) / workingLength) - 1),
    to: Math.min(outLength, Math.ceil(((start + length) * outLength) / workingLength) + 1),
  });
  const xs = span(frame.x, frame.width, working.width, original.width);
  const ys = span(frame.y, frame.height, working.height, original.height);
  const cols = axisTaps(xs.from, xs.to, original.width, working.width, {
    start: frame.x,
    span: frame.width,
    cells: frame.cols,
  });
  const rows = axisTaps(ys.from, ys.to, original.height, working.height, {
    start: frame.y,
    span: frame.height,
    cells: frame.rows,
  });
  // Separable: each frame row is interpolated along x once, then output rows blend two of them.
  const width = cols.t.length;
  const across = new Float32Array(frame.rows * width);
  for (let r = 0; r < frame.rows; r++) {
    const src = r * frame.cols;
    const dst = r * width;
    for (let j = 0; j < width; j++) {
      const c0 = cols.lo[j]!;
      if (c0 < 0) continue;
      const a = mask[src + c0]!;
      across[dst + j] = a + (mask[src + cols.hi[j]!]! - a) * cols.t[j]!;
    }
  }
  const data = out.data;
  for (let k = 0; k < rows.t.length; k++) {
    const r0 = rows.lo[k]!;
    if (r0 < 0) continue;
    const top = r0 * width;
    const bottom = rows.hi[k]! * width;
    const ty = rows.t[k]!;
    const rowStart = (ys.from + k) * original.width + xs.from;
    const workingRow = rows.working[k]! * working.width;
    for (let j = 0; j < width; j++) {
      const a = across[top + j]!;
      const soft = a + (across[bottom + j]! - a) * ty;
      if (soft <= 0) continue;
      if (soft >= 1 || decide(soft, workingRow + cols.working[j]!)) data[rowStart + j] = 1;
    }
  }
  return out;
}
