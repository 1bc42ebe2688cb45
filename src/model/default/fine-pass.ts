import { frameOver, growRect, pointsRect, unionRect } from './frame.js';
import { countSet, maskExtent, type FrameMask } from './frame-mask.js';
import { framePixels } from './frame-pixels.js';
import { cut } from './cut.js';
import { GC } from './grabcut.js';
import { clickMarkers, labelsFromMask } from './labels.js';
import { withMats } from './mat-scope.js';
import { dilate } from './morphology.js';
import type { CV } from './opencv.js';
import type { WorkingPoint } from './prompt.js';
import { growWhereTouching, roiAround } from './roi.js';
import type { SegmentOptions } from './segment-options.js';
import { watershedRegion } from './watershed.js';
import { workingSize, type WorkingImage } from './working-image.js';

/** What a fine pass redraws: the best coarse hypothesis, for the prompt's clicks. */
export interface FineJob {
  cv: CV;
  image: WorkingImage;
  coarse: FrameMask;
  points: WorkingPoint[];
  options: SegmentOptions;
}

/**
 * The coarse object redrawn at finer resolution, over the whole of it: one graph cut with its
 * colour models, in which only a band of `bandCells` coarse pixels either side of the coarse
 * outline is open (deeper inside is object, further out background). The coarse pass saw the
 * whole picture, so the region never needs to grow (a region grown piecewise leaves straight
 * cuts where it stopped).
 */
function bandPass({ cv, image, coarse, points, options }: FineJob): FrameMask {
  const cell = coarse.frame.width / coarse.frame.cols;
  const grown = dilate(coarse.mask, coarse.frame, options.bandCells);
  const extent = unionRect(maskExtent(coarse.frame, grown)!, pointsRect(points));
  const frame = frameOver(growRect(extent, cell), workingSize(image), options.finePixels);
  return withMats((scope) => {
    const pixels = framePixels(cv, scope, image.lab, frame);
    const labels = labelsFromMask(coarse.frame, coarse.mask, frame, options.bandCells);
    return cut(cv, pixels, frame, labels, points, options, 1, coarse.models);
  });
}

/**
 * A small or thin object, which the coarse grid may have blurred away: GrabCut learns afresh
 * over its region of interest, from the coarse mask joined with a watershed region grown at
 * this resolution. Where the result runs into the region's edge (the coarse pass saw only part
 * of the object), the region grows that way and the cut is made again, up to roiGrowRounds
 * times.
 */
function smallObjectPass({ cv, image, coarse, points, options }: FineJob): FrameMask {
  const picture = workingSize(image);
  const clicks = pointsRect(points);
  let rect = roiAround(unionRect(maskExtent(coarse.frame, coarse.mask) ?? clicks, clicks), {
    margin: options.roiMargin,
    pad: options.roiPad,
    minSide: options.roiMinSide,
  });
  let from: FrameMask = coarse;
  for (let round = 0; ; round++) {
    const frame = frameOver(rect, picture, options.finePixels);
    const result = withMats((scope) => {
      const pixels = framePixels(cv, scope, image.lab, frame);
      const labels = labelsFromMask(from.frame, from.mask, frame);
      const markers = clickMarkers(frame, points, options.seedRadius);
      const region = watershedRegion(cv, pixels, frame, markers, options.watershedBlurs[0]!);
      for (let i = 0; i < region.length; i++) if (region[i]) labels[i] = GC.PR_FGD;
      return cut(cv, pixels, frame, labels, points, options, options.coarseIterations);
    });
    const grown =
      round < options.roiGrowRounds ? growWhereTouching(frame, result.mask, picture) : null;
    if (!grown) return result;
    rect = grown;
    from = result;
  }
}

/** The best coarse hypothesis redrawn at finer resolution (see bandPass, smallObjectPass). */
export function finePass(job: FineJob): FrameMask {
  return countSet(job.coarse.mask) >= job.options.minCoarseCells
    ? bandPass(job)
    : smallObjectPass(job);
}
