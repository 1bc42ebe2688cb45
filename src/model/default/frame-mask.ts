import { frameRectToWorking, type Frame, type Rect } from './frame.js';
import type { GrabCutModels } from './grabcut.js';

/** A mask on a frame (1 = object), the colour models of its cut and its colour-agreement score. */
export interface FrameMask {
  frame: Frame;
  mask: Uint8Array;
  models: GrabCutModels;
  score: number;
}

/** IoU of two masks on the same frame; two empty masks count as equal. */
export function frameIou(a: Uint8Array, b: Uint8Array): number {
  let inter = 0;
  let union = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] || b[i]) union++;
    if (a[i] && b[i]) inter++;
  }
  return union === 0 ? 1 : inter / union;
}

export function countSet(mask: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i]) n++;
  return n;
}

/** Bounds of the set pixels of a frame mask, in working coordinates; null when empty. */
export function maskExtent(frame: Frame, mask: Uint8Array): Rect | null {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (let r = 0, i = 0; r < frame.rows; r++) {
    for (let c = 0; c < frame.cols; c++, i++) {
      if (mask[i] === 0) continue;
      if (c < x0) x0 = c;
      if (c + 1 > x1) x1 = c + 1;
      if (r < y0) y0 = r;
      if (r + 1 > y1) y1 = r + 1;
    }
  }
  return x1 < 0 ? null : frameRectToWorking(frame, { x0, y0, x1, y1 });
}
