import type { Size } from '../../geometry/index.js';

/**
 * A rectangle of the working picture sampled on a coarser grid: working pixels
 * [x, x + width) x [y, y + height) become `cols` x `rows` frame pixels. Segmentation runs on
 * frames so that its cost depends on the frame's pixel budget, not on the object's size.
 */
export interface Frame {
  x: number;
  y: number;
  width: number;
  height: number;
  cols: number;
  rows: number;
}

/** Working-frame rectangle by its edges (continuous coordinates). */
export interface Rect {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/**
 * The frame over `rect` (rounded out to whole pixels and clipped to the picture) with at most
 * `maxPixels` frame pixels; never finer than the working picture itself.
 */
export function frameOver(rect: Rect, picture: Size, maxPixels: number): Frame {
  const x = Math.max(0, Math.floor(rect.x0));
  const y = Math.max(0, Math.floor(rect.y0));
  const width = Math.max(1, Math.min(picture.width, Math.ceil(rect.x1)) - x);
  const height = Math.max(1, Math.min(picture.height, Math.ceil(rect.y1)) - y);
  const shrink = Math.max(1, Math.sqrt((width * height) / maxPixels));
  return {
    x,
    y,
    width,
    height,
    cols: Math.max(1, Math.round(width / shrink)),
    rows: Math.max(1, Math.round(height / shrink)),
  };
}

/** Working position -> frame position (continuous). */
export function toFrame(frame: Frame, x: number, y: number): { u: number; v: number } {
  return {
    u: ((x - frame.x) * frame.cols) / frame.width,
    v: ((y - frame.y) * frame.rows) / frame.height,
  };
}

/** Index (row * cols + col) of the frame pixel under a working position, clamped to the frame. */
export function cellAt(frame: Frame, x: number, y: number): number {
  const { u, v } = toFrame(frame, x, y);
  const col = Math.min(frame.cols - 1, Math.max(0, Math.floor(u)));
  const row = Math.min(frame.rows - 1, Math.max(0, Math.floor(v)));
  return row * frame.cols + col;
}

/** A rectangle of frame pixels -> the working rectangle it covers. */
export function frameRectToWorking(frame: Frame, rect: Rect): Rect {
  const sx = frame.width / frame.cols;
  const sy = frame.height / frame.rows;
  return {
    x0: frame.x + rect.x0 * sx,
    y0: frame.y + rect.y0 * sy,
    x1: frame.x + rect.x1 * sx,
    y1: frame.y + rect.y1 * sy,
  };
}

/** The rectangle grown by `margin` on every side. */
export function growRect(rect: Rect, margin: number): Rect {
  return { x0: rect.x0 - margin, y0: rect.y0 - margin, x1: rect.x1 + margin, y1: rect.y1 + margin };
}

/** The smallest rectangle holding both. */
export function unionRect(a: Rect, b: Rect): Rect {
  return {
    x0: Math.min(a.x0, b.x0),
    y0: Math.min(a.y0, b.y0),
    x1: Math.max(a.x1, b.x1),
    y1: Math.max(a.y1, b.y1),
  };
}

/** The smallest rectangle holding the points (degenerate for one point). */
export function pointsRect(points: { x: number; y: number }[]): Rect {
  return {
    x0: Math.min(...points.map((p) => p.x)),
    y0: Math.min(...points.map((p) => p.y)),
    x1: Math.max(...points.map((p) => p.x)),
    y1: Math.max(...points.map((p) => p.y)),
  };
}
