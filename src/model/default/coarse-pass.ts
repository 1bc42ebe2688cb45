import { frameOver, type Frame } from './frame.js';
import { countSet, frameIou, type FrameMask } from './frame-mask.js';
import { framePixels } from './frame-pixels.js';
import {
  borderUnlikeClicks,
  CLICK_SAMPLE_REACH,
  releaseObjectColouredBorder,
} from './border-markers.js';
import { cut, MIN_COLLAPSE_START, type Cut } from './cut.js';
import { isForeground } from './grabcut.js';
import { clickMarkers, labelsForFrameFill, labelsFromDiscs, labelsFromRegion } from './labels.js';
import { withMats } from './mat-scope.js';
import type { CV, Mat } from './opencv.js';
import type { WorkingPoint } from './prompt.js';
import type { SegmentOptions } from './segment-options.js';
import { watershedRegion } from './watershed.js';
import { workingSize, type WorkingImage } from './working-image.js';

/** Masks closer than this (IoU on the frame) are one hypothesis. */
const SAME_MASK_IOU = 0.95;
/** Radius of the disc hypothesis: this share of the picture's shorter side. */
const DISC_SHARE = 0.2;
/** Masks of fewer frame pixels rank after larger ones (see sizeable). */
const MIN_SIZEABLE_CELLS = 50;

/** A hypothesis: its cut and the region the cut started from. */
type Hypothesis = Cut & { start: Uint8Array };

/** A mask of a few frame pixels agrees well with its colour models yet is rarely what was asked. */
function sizeable(result: FrameMask): boolean {
  return countSet(result.mask) >= MIN_SIZEABLE_CELLS;
}

/**
 * The whole picture at low resolution. Each hypothesis starts GrabCut from a watershed region
 * grown from the clicks against the picture's border (on the picture smoothed by one of the
 * blur sizes: light smoothing keeps weak edges, strong smoothing merges texture into one
 * region); distinct results come back best score first.
 */
export function coarsePass(
  cv: CV,
  image: WorkingImage,
  points: WorkingPoint[],
  options: SegmentOptions,
): FrameMask[] {
  const picture = workingSize(image);
  const frame = frameOver(
    { x0: 0, y0: 0, x1: picture.width, y1: picture.height },
    picture,
    options.coarsePixels,
  );
  return withMats((scope) => {
    const pixels = framePixels(cv, scope, image.lab, frame);
    const markers = clickMarkers(frame, points, options.seedRadius);
    releaseObjectColouredBorder(markers, pixels.data, frame, points);
    const hypotheses: Hypothesis[] = [];
    for (const blur of options.watershedBlurs) {
      const region = watershedRegion(cv, pixels, frame, markers, blur);
      if (hypotheses.some((h) => frameIou(h.start, region) > SAME_MASK_IOU)) continue;
      const labels = labelsFromRegion(region);
      const hypothesis = cut(cv, pixels, frame, labels, points, options, options.coarseIterations);
      hypotheses.push({ ...hypothesis, start: region });
    }
    // A cut that kept its start region, however small, found the object; one from a start of a
    // few pixels (the flood shut in at the click) found nothing.
    const found = (h: Hypothesis) => !h.fellBack && countSet(h.start) >= MIN_COLLAPSE_START;
    if (!hypotheses.some(found)) {
      const filling = frameFillHypothesis(cv, pixels, frame, points, options);
      if (filling) hypotheses.push(filling);
    }
    if (hypotheses.every((h) => h.fellBack)) {
      const radius = DISC_SHARE * Math.min(picture.width, picture.height);
      const labels = labelsFromDiscs(frame, points, radius);
      const start = labels.map((l) => (isForeground(l) ? 1 : 0));
      const hypothesis = cut(cv, pixels, frame, labels, points, options, options.coarseIterations);
      hypotheses.push({ ...hypothesis, start });
    }
    return hypotheses
      .filter(
        (h, i) => !hypotheses.slice(0, i).some((o) => frameIou(o.mask, h.mask) > SAME_MASK_IOU),
      )
      .sort((a, b) => Number(sizeable(b)) - Number(sizeable(a)) || b.score - a.score);
  });
}

/**
 * An object filling the picture (no watershed start found it: the object's colours are all over
 * the border): GrabCut over the whole frame, as from a rectangle around it, with the border
 * pixels unlike the click as background. Where that border sample still holds too much of the
 * object the cut collapses; more of the border is then taken for object, up to the loosest of
 * the frameFillDistances. Null when every cut collapsed.
 */
function frameFillHypothesis(
  cv: CV,
  pixels: Mat,
  frame: Frame,
  points: WorkingPoint[],
  options: SegmentOptions,
): Hypothesis | null {
  for (const objectDistance of options.frameFillDistances) {
    const background = borderUnlikeClicks(pixels.data, frame, points, {
      inset: 0,
      objectDistance,
      sampleReach: CLICK_SAMPLE_REACH,
    });
    const labels = labelsForFrameFill(frame, background);
    const start = labels.map((l) => (isForeground(l) ? 1 : 0));
    const iterations = options.coarseIterations;
    const hypothesis = cut(cv, pixels, frame, labels, points, options, iterations);
    if (!hypothesis.fellBack) return { ...hypothesis, start };
  }
  return null;
}
