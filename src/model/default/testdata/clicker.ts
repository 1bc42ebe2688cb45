/**
 * The simulated user of the interactive-segmentation protocol (Xu et al. 2016, as RITM and
 * SAM's evaluations implement it): the next click goes to the pixel of the current error that is
 * farthest from the error's boundary (the image border counts as boundary), in the false
 * negatives if their farthest pixel is deeper than the false positives', else in those; positive
 * for a missed region, negative for a wrong one. Test and bench support.
 */
import type { Bitmap } from '../../../geometry/index.js';
import type { PointPrompt } from '../../segmenter.js';
import { withMats } from '../mat-scope.js';
import type { CV } from '../opencv.js';

interface Deepest {
  depth: number;
  x: number;
  y: number;
}

/** The pixel of `region` farthest from its boundary; depth 0 for an empty region. */
function deepestPixel(cv: CV, region: Uint8Array, width: number, height: number): Deepest {
  return withMats((scope) => {
    // Padding with a background frame makes the image border count as boundary.
    const padded = scope.keep(new cv.Mat(height + 2, width + 2, cv.CV_8UC1, new cv.Scalar(0)));
    const data = padded.data;
    for (let y = 0; y < height; y++) {
      data.set(region.subarray(y * width, (y + 1) * width), (y + 1) * (width + 2) + 1);
    }
    const distance = scope.keep(new cv.Mat());
    cv.distanceTransform(padded, distance, cv.DIST_L2, cv.DIST_MASK_5);
    const d = distance.data32F;
    let best: Deepest = { depth: 0, x: 0, y: 0 };
    for (let y = 0; y < height; y++) {
      const row = (y + 1) * (width + 2) + 1;
      for (let x = 0; x < width; x++) {
        if (d[row + x]! > best.depth) best = { depth: d[row + x]!, x, y };
      }
    }
    return best;
  });
}

/** The next click for `prediction` against `truth` (same size), or null when they agree. */
export function nextClick(cv: CV, truth: Bitmap, prediction: Bitmap | null): PointPrompt | null {
  const { width, height } = truth;
  const missed = new Uint8Array(width * height);
  const extra = new Uint8Array(width * height);
  for (let i = 0; i < missed.length; i++) {
    const t = truth.data[i] !== 0;
    const p = prediction ? prediction.data[i] !== 0 : false;
    if (t && !p) missed[i] = 1;
    else if (p && !t) extra[i] = 1;
  }
  const fn = deepestPixel(cv, missed, width, height);
  const fp = deepestPixel(cv, extra, width, height);
  if (fn.depth === 0 && fp.depth === 0) return null;
  const positive = fn.depth > fp.depth;
  const at = positive ? fn : fp;
  return { x: at.x + 0.5, y: at.y + 0.5, label: positive ? 1 : 0 };
}
