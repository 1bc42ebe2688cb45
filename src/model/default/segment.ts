/**
 * How the default segmenter cuts, on the working picture (longest side 1024, CIE Lab).
 *
 * GrabCut (Rother, Kolmogorov & Blake 2004, OpenCV's implementation: colour GMMs plus a
 * contrast-sensitive graph cut) started from Meyer's marker-based watershed, coarse to fine.
 * GrabCut alone needs a fair first guess of the object: from a click alone its object model
 * has a few pixels and the cut collapses onto the click. Watershed alone follows the strongest
 * edges, so it leaks through a weak stretch of outline and stops at every stripe of a textured
 * object. Watershed's region as GrabCut's start, then GrabCut's colour models, make up for both.
 *
 * Clicks: (1) a coarse pass over the whole picture (~12k pixels; coarse-pass.ts): the watershed
 * flood from the positive clicks against the picture's border and the negative clicks, at two
 * smoothings (one keeps weak edges, one merges fine texture), each refined by GrabCut; the
 * hypothesis whose mask agrees best with its own colour models wins. Border pixels coloured like
 * the click are left out of the watershed's background (border-markers.ts): an object filling
 * the picture runs off it. When a cut collapses onto the clicks' seeds (the object's colours fill
 * the background sample: a textured object, or one filling the frame), its start region stands
 * instead. When no watershed start found the object, GrabCut runs over the whole frame as from a
 * rectangle, the border unlike the click as background (a textured object filling the frame, such
 * as a cat's face); when that collapses too, a disc around the clicks is one more start. Masks of
 * a few pixels rank last. (2) A fine pass (fine-pass.ts, ~40k pixels): one graph cut with the
 * coarse colour models frozen, open only in a band around the coarse outline; the coarse pass saw
 * the whole picture, so the region holds the whole object from the start and never grows (no
 * straight cuts where a region stopped). For a small object (which the coarse grid blurs) GrabCut
 * learns afresh over its region of interest from a watershed region at full resolution, the
 * region growing where the object runs into its edge. Only the parts holding a positive click are
 * kept. (3) Outline pixels are settled at full resolution by colour when the mask goes back to the
 * original size (edges.ts).
 * Box: GrabCut over the box and a margin, outside the box definite background (the semantics of
 * GC_INIT_WITH_RECT), clicks as definite labels.
 *
 * Cost is bounded by the frame pixel budgets, not by the image or object size: ~130 ms CPU median
 * per click on the benchmark machine (bench/quality.ts); a frame-filling object costs a few more
 * coarse cuts (~0.3-0.5 s).
 */
import { coarsePass } from './coarse-pass.js';
import { cut } from './cut.js';
import { finePass } from './fine-pass.js';
import { frameOver, growRect, pointsRect, unionRect, type Rect } from './frame.js';
import type { FrameMask } from './frame-mask.js';
import { framePixels } from './frame-pixels.js';
import { labelsForBox } from './labels.js';
import { withMats } from './mat-scope.js';
import type { CV } from './opencv.js';
import type { WorkingPoint, WorkingPrompt } from './prompt.js';
import { DEFAULT_SEGMENT_OPTIONS, type SegmentOptions } from './segment-options.js';
import { workingSize, type WorkingImage } from './working-image.js';

export { DEFAULT_SEGMENT_OPTIONS, type SegmentOptions };
export type { FrameMask };

/** The box and a margin: outside the box definite background, inside probable object. */
function boxPass(
  cv: CV,
  image: WorkingImage,
  box: Rect,
  points: WorkingPoint[],
  options: SegmentOptions,
): FrameMask {
  const margin = Math.max(8, 0.1 * Math.max(box.x1 - box.x0, box.y1 - box.y0));
  const area = growRect(points.length > 0 ? unionRect(box, pointsRect(points)) : box, margin);
  const frame = frameOver(area, workingSize(image), options.finePixels);
  return withMats((scope) => {
    const pixels = framePixels(cv, scope, image.lab, frame);
    const labels = labelsForBox(frame, box);
    return cut(cv, pixels, frame, labels, points, options, options.boxIterations);
  });
}

/**
 * Segments the object the prompt points at, on the working picture; candidates best first.
 * With a box: one GrabCut over the box and a margin. With clicks only: coarse hypotheses over
 * the whole picture, the best redrawn at finer resolution and returned first, the others after
 * it as alternatives.
 */
export function segment(
  cv: CV,
  image: WorkingImage,
  prompt: WorkingPrompt,
  options: SegmentOptions = DEFAULT_SEGMENT_OPTIONS,
): FrameMask[] {
  if (prompt.box) return [boxPass(cv, image, prompt.box, prompt.points, options)];
  const [best, ...others] = coarsePass(cv, image, prompt.points, options);
  return [finePass({ cv, image, coarse: best!, points: prompt.points, options }), ...others];
}
