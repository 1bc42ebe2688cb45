import type { Frame } from './frame.js';
import { withMats } from './mat-scope.js';
import { openCvError, type CV, type Mat } from './opencv.js';

/** GrabCut's mask labels (cv.GC_*): definite/probable background/foreground. */
export const GC = { BGD: 0, FGD: 1, PR_BGD: 2, PR_FGD: 3 } as const;

const GRABCUT_SEED = 0x5eed;

/** A foreground label (definite or probable). */
export function isForeground(label: number): boolean {
  return (label & 1) === 1;
}

/** The two colour models of a GrabCut run (see gmm.ts for the layout). */
export interface GrabCutModels {
  object: Float64Array;
  background: Float64Array;
}

export interface GrabCutResult {
  /** Final GC label of every frame pixel. */
  labels: Uint8Array;
  models: GrabCutModels;
}

function modelMat(cv: CV, values: Float64Array): Mat {
  const mat = new cv.Mat(1, values.length, cv.CV_64F);
  mat.data64F.set(values);
  return mat;
}

/**
 * Runs GrabCut (Rother et al. 2004: colour GMMs + graph cut, OpenCV's implementation) on the
 * frame's `pixels` (see framePixels), starting from `seeds` (one GC label per frame pixel; at
 * least one foreground and one background label). With `models` (from an earlier run, e.g. at
 * a coarser scale) the colour models are kept as they are and one graph cut is made
 * (GC_EVAL_FREEZE_MODEL); without, they are learnt from the seeds over `iterations` rounds.
 */
export function grabCut(
  cv: CV,
  pixels: Mat,
  frame: Frame,
  seeds: Uint8Array,
  iterations: number,
  models?: GrabCutModels,
): GrabCutResult {
  return withMats((scope) => {
    const mask = scope.keep(new cv.Mat(frame.rows, frame.cols, cv.CV_8UC1));
    mask.data.set(seeds);
    const bgdModel = scope.keep(models ? modelMat(cv, models.background) : new cv.Mat());
    const fgdModel = scope.keep(models ? modelMat(cv, models.object) : new cv.Mat());
    // GrabCut seeds its GMMs with k-means, which draws from OpenCV's global RNG: reseeding makes
    // a prompt give the same mask every time, whatever ran before.
    cv.setRNGSeed(GRABCUT_SEED);
    try {
      cv.grabCut(
        pixels,
        mask,
        new cv.Rect(0, 0, frame.cols, frame.rows),
        bgdModel,
        fgdModel,
        models ? 1 : iterations,
        models ? cv.GC_EVAL_FREEZE_MODEL : cv.GC_INIT_WITH_MASK,
      );
    } catch (err) {
      throw openCvError(cv, err, 'grabCut');
    }
    return {
      labels: Uint8Array.from(mask.data),
      models: {
        object: Float64Array.from(fgdModel.data64F),
        background: Float64Array.from(bgdModel.data64F),
      },
    };
  });
}
