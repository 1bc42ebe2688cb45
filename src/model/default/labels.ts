/**
 * Seed images for the cuts: GrabCut labels (GC_*) and watershed markers painted from the
 * prompt onto a frame.
 */
import { cellAt, type Frame, type Rect } from './frame.js';
import { GC, isForeground } from './grabcut.js';
import { dilate, erode } from './morphology.js';
import type { WorkingPoint } from './prompt.js';
import { MARK } from './watershed.js';

type Labels = Uint8Array | Int32Array;

/**
 * Paints a disc of `workingRadius` working pixels around the click (at least the click's own
 * frame pixel, however coarse the frame); returns the click's frame pixel.
 */
function paintDisc(
  labels: Labels,
  frame: Frame,
  p: WorkingPoint,
  workingRadius: number,
  label: number,
): number {
  const centre = cellAt(frame, p.x, p.y);
  const col0 = centre % frame.cols;
  const row0 = Math.floor(centre / frame.cols);
  const radius = (workingRadius * frame.cols) / frame.width;
  const reach = Math.ceil(radius);
  for (let dv = -reach; dv <= reach; dv++) {
    const row = row0 + dv;
    if (row < 0 || row >= frame.rows) continue;
    for (let du = -reach; du <= reach; du++) {
      const col = col0 + du;
      if (col < 0 || col >= frame.cols || du * du + dv * dv > radius * radius) continue;
      labels[row * frame.cols + col] = label;
    }
  }
  return centre;
}

/**
 * Paints the clicks as definite labels, discs of `radius` working pixels; returns the frame
 * pixels of the positive ones.
 */
export function paintClicks(
  labels: Uint8Array,
  frame: Frame,
  points: WorkingPoint[],
  radius: number,
): number[] {
  const anchors: number[] = [];
  // Negative first so that a positive click painted over one wins where they overlap.
  for (const p of points) if (!p.positive) paintDisc(labels, frame, p, radius, GC.BGD);
  for (const p of points) if (p.positive) anchors.push(paintDisc(labels, frame, p, radius, GC.FGD));
  return anchors;
}

/** Sets the ring of pixels `inset` pixels in from the frame's edge. */
function paintBorder(labels: Labels, frame: Frame, inset: number, value: number): void {
  const { cols, rows } = frame;
  if (cols <= 2 * inset || rows <= 2 * inset) return;
  for (let c = inset; c < cols - inset; c++) {
    labels[inset * cols + c] = value;
    labels[(rows - 1 - inset) * cols + c] = value;
  }
  for (let r = inset; r < rows - inset; r++) {
    labels[r * cols + inset] = value;
    labels[r * cols + cols - 1 - inset] = value;
  }
}

/** Watershed markers: the frame's border and negative clicks background, positive clicks object. */
export function clickMarkers(frame: Frame, points: WorkingPoint[], radius: number): Int32Array {
  const marks = new Int32Array(frame.cols * frame.rows);
  // One pixel in: watershed() overwrites the outermost ring with boundary marks (-1).
  paintBorder(marks, frame, 1, MARK.BACKGROUND);
  for (const p of points) if (!p.positive) paintDisc(marks, frame, p, radius, MARK.BACKGROUND);
  for (const p of points) if (p.positive) paintDisc(marks, frame, p, radius, MARK.OBJECT);
  return marks;
}

/**
 * GrabCut needs at least one sample of each model (it asserts otherwise). The object always has
 * one (a click, or the box's middle pixel); a box over the whole frame leaves no background, so
 * the frame's border becomes probable background.
 */
export function ensureBackground(labels: Uint8Array, frame: Frame): void {
  if (!labels.every(isForeground)) return;
  paintBorder(labels, frame, 0, GC.PR_BGD);
}

/** Centre of frame pixel (col, row) in working coordinates, one axis at a time. */
function centres(frame: Frame): { xs: Float64Array; ys: Float64Array } {
  return {
    xs: Float64Array.from(
      { length: frame.cols },
      (_, c) => frame.x + ((c + 0.5) * frame.width) / frame.cols,
    ),
    ys: Float64Array.from(
      { length: frame.rows },
      (_, r) => frame.y + ((r + 0.5) * frame.height) / frame.rows,
    ),
  };
}

/**
 * Labels of `frame` from a mask on another frame `from` (nearest cell): object -> PR_FGD, else
 * PR_BGD. With `band` (in `from` pixels), only the pixels within that distance of the mask's
 * outline are left to the cut: those deeper inside are FGD, those further out BGD.
 */
export function labelsFromMask(
  from: Frame,
  mask: Uint8Array,
  frame: Frame,
  band?: number,
): Uint8Array {
  const source = mask.map((v) => (v ? GC.PR_FGD : GC.PR_BGD));
  if (band !== undefined) {
    const inner = erode(mask, from, band);
    const outer = dilate(mask, from, band);
    for (let i = 0; i < source.length; i++) {
      if (inner[i]) source[i] = GC.FGD;
      else if (!outer[i]) source[i] = GC.BGD;
    }
  }
  const labels = new Uint8Array(frame.cols * frame.rows);
  const { xs, ys } = centres(frame);
  const cell = (value: number, start: number, span: number, cells: number) =>
    Math.min(cells - 1, Math.max(0, Math.floor(((value - start) * cells) / span)));
  const cols = Int32Array.from(xs, (x) => cell(x, from.x, from.width, from.cols));
  for (let r = 0, i = 0; r < frame.rows; r++) {
    const row = cell(ys[r]!, from.y, from.height, from.rows) * from.cols;
    for (let c = 0; c < frame.cols; c++, i++) labels[i] = source[row + cols[c]!]!;
  }
  return labels;
}

/**
 * Labels for an object that may fill the frame: everything probable object but the given border
 * pixels, definite background (GC_INIT_WITH_RECT with the frame as the rectangle, less the parts
 * of its border that look like the object).
 */
export function labelsForFrameFill(frame: Frame, background: number[]): Uint8Array {
  const labels = new Uint8Array(frame.cols * frame.rows).fill(GC.PR_FGD);
  for (const at of background) labels[at] = GC.BGD;
  return labels;
}

/** Labels for a box: outside definite background, inside probable object (GC_INIT_WITH_RECT). */
export function labelsForBox(frame: Frame, box: Rect): Uint8Array {
  const labels = new Uint8Array(frame.cols * frame.rows);
  const { xs, ys } = centres(frame);
  let inside = 0;
  for (let r = 0, i = 0; r < frame.rows; r++) {
    const inRows = ys[r]! >= box.y0 && ys[r]! < box.y1;
    for (let c = 0; c < frame.cols; c++, i++) {
      const hit = inRows && xs[c]! >= box.x0 && xs[c]! < box.x1;
      labels[i] = hit ? GC.PR_FGD : GC.BGD;
      if (hit) inside++;
    }
  }
  // A box thinner than a frame pixel holds no pixel centre: take the pixel under its middle.
  if (inside === 0) labels[cellAt(frame, (box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2)] = GC.PR_FGD;
  return labels;
}

/** Labels from a 0/1 region: 1 -> PR_FGD, 0 -> PR_BGD. */
export function labelsFromRegion(region: Uint8Array): Uint8Array {
  return region.map((v) => (v ? GC.PR_FGD : GC.PR_BGD));
}

/** Labels with a disc of `radius` working pixels around each positive click probable object. */
export function labelsFromDiscs(frame: Frame, points: WorkingPoint[], radius: number): Uint8Array {
  const labels = new Uint8Array(frame.cols * frame.rows).fill(GC.PR_BGD);
  for (const p of points) if (p.positive) paintDisc(labels, frame, p, radius, GC.PR_FGD);
  return labels;
}
