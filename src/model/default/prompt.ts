import { describeValue } from '../../geometry/errors.js';
import type { ScaleTransform, Size } from '../../geometry/index.js';
import { PromptError, type BoxPrompt, type Prompt } from '../segmenter.js';

/** A click in the working frame (continuous coordinates, pixel (i, j) covers [i, i+1)). */
export interface WorkingPoint {
  x: number;
  y: number;
  positive: boolean;
}

/** A prompt checked and mapped to the working frame; the box is ordered and clipped. */
export interface WorkingPrompt {
  points: WorkingPoint[];
  box: BoxPrompt | null;
}

function fail(field: string, problem: string, value: unknown): never {
  throw new PromptError(`${field} ${problem}, got ${describeValue(value)}`, field);
}

function finiteNumber(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value))
    fail(field, 'must be a finite number', value);
  return value;
}

/**
 * Checks a prompt against the original image size (points must lie on the image, a box must
 * overlap it and is clipped to it; at least one positive point or a box) and maps it to the
 * working frame with `toWorking` (original -> working pixel-edge scaling).
 */
export function toWorkingPrompt(
  prompt: Prompt,
  original: Size,
  toWorking: ScaleTransform,
): WorkingPrompt {
  if (typeof prompt !== 'object' || prompt === null) fail('prompt', 'must be an object', prompt);
  if (!Array.isArray(prompt.points)) fail('points', 'must be an array', prompt.points);
  const points = prompt.points.map((p, i): WorkingPoint => {
    const field = `points[${i}]`;
    if (typeof p !== 'object' || p === null) fail(field, 'must be {x, y, label}', p);
    const x = finiteNumber(p.x, `${field}.x`);
    const y = finiteNumber(p.y, `${field}.y`);
    if (x < 0 || x > original.width) {
      fail(`${field}.x`, `must lie on the image (0..${original.width})`, x);
    }
    if (y < 0 || y > original.height) {
      fail(`${field}.y`, `must lie on the image (0..${original.height})`, y);
    }
    if (p.label !== 0 && p.label !== 1) fail(`${field}.label`, 'must be 0 or 1', p.label);
    const w = toWorking.forwardPoint({ x, y });
    return { x: w.x, y: w.y, positive: p.label === 1 };
  });
  const box = prompt.box === undefined ? null : workingBox(prompt.box, original, toWorking);
  if (box === null && !points.some((p) => p.positive)) {
    fail('points', 'need at least one positive point when there is no box', prompt.points);
  }
  return { points, box };
}

function workingBox(box: BoxPrompt, original: Size, toWorking: ScaleTransform): BoxPrompt {
  if (typeof box !== 'object' || box === null) fail('box', 'must be {x0, y0, x1, y1}', box);
  const x0 = finiteNumber(box.x0, 'box.x0');
  const y0 = finiteNumber(box.y0, 'box.y0');
  const x1 = finiteNumber(box.x1, 'box.x1');
  const y1 = finiteNumber(box.y1, 'box.y1');
  // Boxes dragged past the edge are clipped; one that covers no pixel at all is refused.
  const left = Math.max(0, Math.min(x0, x1));
  const right = Math.min(original.width, Math.max(x0, x1));
  const top = Math.max(0, Math.min(y0, y1));
  const bottom = Math.min(original.height, Math.max(y0, y1));
  if (right - left < 1 || bottom - top < 1) {
    fail(
      'box',
      `must cover at least one pixel of the ${original.width}x${original.height} image`,
      box,
    );
  }
  return toWorking.forwardBox({ x0: left, y0: top, x1: right, y1: bottom });
}
