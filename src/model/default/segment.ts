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
 * Clicks: (1) a coarse pass over the whole picture (~12k pixels): the watershed flood from the
 * positive clicks against the picture's border and the negative clicks, at two smoothings (one
 * keeps weak edges, one merges fine texture), each refined by GrabCut; the hypothesis whose mask
 * agrees best with its own colour models wins. Border pixels coloured like the click are left out
 * of the watershed's background (border-markers.ts): an object filling the picture runs off it.
 * When a cut collapses onto the clicks' seeds (the object's colours fill the background sample:
 * a textured object, or one filling the frame), its start region stands instead; when every
 * watershed start collapsed, a disc around the clicks is one more start, and masks of a few
 * pixels rank last. (2) A fine pass over the winner's region of interest (~40k pixels): one
 * graph cut with the coarse colour models frozen; for a small object (which the coarse grid
 * blurs) GrabCut learns afresh there from a watershed region at full resolution. Where the
 * result runs into the region's edge, the region grows and is cut again.
 * Only the parts holding a positive click are kept. (3) Outline pixels are settled at full
 * resolution by colour when the mask goes back to the original size (edges.ts).
 * Box: GrabCut over the box and a margin, outside the box definite background (the semantics of
 * GC_INIT_WITH_RECT), clicks as definite labels.
 *
 * Cost is bounded by the frame pixel budgets, not by the image or object size: ~125 ms median per
 * click on the benchmark machine (bench/quality.ts).
 */
import type { Size } from '../../geometry/index.js';
import { frameOver, growRect, unionRect, type Frame, type Rect } from './frame.js';
import { countSet, frameIou, maskExtent, type FrameMask } from './frame-mask.js';
import { ColourModel, colourAgreement } from './gmm.js';
import { keepComponents } from './components.js';
import { framePixels } from './frame-pixels.js';
import { releaseObjectColouredBorder } from './border-markers.js';
import { GC, grabCut, isForeground, type GrabCutModels } from './grabcut.js';
import {
  clickMarkers,
  ensureBackground,
  labelsForBox,
  labelsFromMask,
  labelsFromDiscs,
  labelsFromRegion,
  paintClicks,
} from './labels.js';
import { withMats } from './mat-scope.js';
import { growWhereTouching, roiAround } from './roi.js';
import type { CV, Mat } from './opencv.js';
import type { WorkingPoint, WorkingPrompt } from './prompt.js';
import { watershedRegion } from './watershed.js';
import type { WorkingImage } from './working-image.js';

export interface SegmentOptions {
  /** Frame pixels of the whole-picture pass that finds the object and its colour models. */
  coarsePixels: number;
  coarseIterations: number;
  /** Frame pixels of the pass that draws the outline over the region of interest. */
  finePixels: number;
  /** GrabCut rounds of a box prompt (the fine pass of clicks reuses the coarse models). */
  boxIterations: number;
  /** Radius of the definite label painted around each click, in working pixels. */
  seedRadius: number;
  /** Region of interest around the coarse extent: this share of its longest side, plus pad. */
  roiMargin: number;
  roiPad: number;
  /** Smallest side of the region of interest, in working pixels (context for small objects). */
  roiMinSide: number;
  /** How many times the region may grow where the object runs into its edge. */
  roiGrowRounds: number;
  /** Weight of colour against the sampled mask on the outline at full resolution (edges.ts). */
  edgeColourWeight: number;
  /** Coarse masks of fewer pixels than this do not give colour models to the fine pass. */
  minCoarseCells: number;
  /** Gaussian kernel sizes (odd) of the watershed starts: one hypothesis each. */
  watershedBlurs: number[];
}

export type { FrameMask };

/** Masks closer than this (IoU on the frame) are one hypothesis. */
const SAME_MASK_IOU = 0.95;

/** A cut keeping no more than this many times the seed discs' pixels has collapsed onto them. */
const COLLAPSE_SEED_FACTOR = 2;
/** Radius of the disc hypothesis: this share of the picture's shorter side. */
const DISC_SHARE = 0.2;
/** Start regions smaller than this (frame pixels) are too small to fall back on. */
const MIN_COLLAPSE_START = 6;
/** Masks of fewer frame pixels rank after larger ones (see sizeable). */
const MIN_SIZEABLE_CELLS = 50;

export const DEFAULT_SEGMENT_OPTIONS: SegmentOptions = {
  coarsePixels: 12_000,
  coarseIterations: 3,
  finePixels: 40_000,
  boxIterations: 3,
  seedRadius: 3,
  roiMargin: 0.25,
  roiPad: 16,
  roiMinSide: 160,
  roiGrowRounds: 2,
  minCoarseCells: 300,
  edgeColourWeight: 1,
  watershedBlurs: [5, 11],
};

/** A cut's mask; `fellBack` when the cut collapsed and the mask is its start region. */
interface Cut extends FrameMask {
  fellBack: boolean;
}

/**
 * GrabCut from `labels` plus the clicks; keeps the parts that hold a positive click (all
 * sizeable parts when there is none) and scores the mask by its agreement with the colour
 * models.
 */
function cut(
  cv: CV,
  pixels: Mat,
  frame: Frame,
  labels: Uint8Array,
  points: WorkingPoint[],
  options: SegmentOptions,
  iterations: number,
  models?: GrabCutModels,
): Cut {
  const anchors = paintClicks(labels, frame, points, options.seedRadius);
  ensureBackground(labels, frame);
  let result = grabCut(cv, pixels, frame, labels, iterations, models);
  let fellBack = false;
  let mask = keepComponents(
    cv,
    result.labels.map((l) => (isForeground(l) ? 1 : 0)),
    frame,
    anchors,
  );
  const started = keepComponents(
    cv,
    labels.map((l) => (isForeground(l) ? 1 : 0)),
    frame,
    anchors,
  );
  const seeded = countSet(labels.map((l) => (l === GC.FGD ? 1 : 0)));
  if (collapsed(mask, started, seeded)) {
    // The cut shrank onto the clicks: the object's colours are all over the background sample
    // (a textured object, or one that fills the frame). The start region is the better answer;
    // its colour models (learnt from it, no cut) go on to the finer passes.
    mask = started;
    fellBack = true;
    result = models ? result : grabCut(cv, pixels, frame, labelsFromRegion(started), 0);
  }
  const score = colourAgreement(
    pixels.data,
    mask,
    new ColourModel(result.models.object),
    new ColourModel(result.models.background),
  );
  return { frame, mask, score, models: result.models, fellBack };
}

/** A mask of a few frame pixels agrees well with its colour models yet is rarely what was asked. */
function sizeable(result: FrameMask): boolean {
  return countSet(result.mask) >= MIN_SIZEABLE_CELLS;
}

/**
 * A cut collapsed when it kept hardly more than the clicks' own seed discs out of a start region
 * many times larger (a cut that shrinks a leaky start onto a small object keeps that object).
 */
function collapsed(mask: Uint8Array, start: Uint8Array, seeded: number): boolean {
  const before = countSet(start);
  const kept = countSet(mask);
  return before >= MIN_COLLAPSE_START && kept <= COLLAPSE_SEED_FACTOR * seeded && kept < before / 4;
}

function pointsRect(points: WorkingPoint[]): Rect {
  return {
    x0: Math.min(...points.map((p) => p.x)),
    y0: Math.min(...points.map((p) => p.y)),
    x1: Math.max(...points.map((p) => p.x)),
    y1: Math.max(...points.map((p) => p.y)),
  };
}

function pictureSize(image: WorkingImage): Size {
  return { width: image.lab.width, height: image.lab.height };
}

/**
 * The whole picture at low resolution. Each hypothesis starts GrabCut from a watershed region
 * grown from the clicks against the picture's border (on the picture smoothed by one of the
 * blur sizes: light smoothing keeps weak edges, strong smoothing merges texture into one
 * region); distinct results come back best score first.
 */
function coarsePass(
  cv: CV,
  image: WorkingImage,
  points: WorkingPoint[],
  options: SegmentOptions,
): FrameMask[] {
  const picture = pictureSize(image);
  const frame = frameOver(
    { x0: 0, y0: 0, x1: picture.width, y1: picture.height },
    picture,
    options.coarsePixels,
  );
  return withMats((scope) => {
    const pixels = framePixels(cv, scope, image.lab, frame);
    const markers = clickMarkers(frame, points, options.seedRadius);
    releaseObjectColouredBorder(markers, pixels.data, frame, points);
    const hypotheses: (Cut & { start: Uint8Array })[] = [];
    for (const blur of options.watershedBlurs) {
      const region = watershedRegion(cv, pixels, frame, markers, blur);
      if (hypotheses.some((h) => frameIou(h.start, region) > SAME_MASK_IOU)) continue;
      const labels = labelsFromRegion(region);
      const hypothesis = cut(cv, pixels, frame, labels, points, options, options.coarseIterations);
      hypotheses.push({ ...hypothesis, start: region });
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
 * One cut of the region of interest, starting from the mask `from`. With `models` (a coarse
 * object large enough for its colour models to be sound) one graph cut with them draws the
 * outline. Without (a small or thin object, which the coarse grid may have blurred away),
 * GrabCut learns afresh from `from` joined with a watershed region grown at this resolution.
 */
function cutRegion(
  cv: CV,
  image: WorkingImage,
  frame: Frame,
  from: FrameMask,
  models: GrabCutModels | null,
  points: WorkingPoint[],
  options: SegmentOptions,
): FrameMask {
  return withMats((scope) => {
    const pixels = framePixels(cv, scope, image.lab, frame);
    const labels = labelsFromMask(from.frame, from.mask, frame);
    if (models) return cut(cv, pixels, frame, labels, points, options, 1, models);
    const markers = clickMarkers(frame, points, options.seedRadius);
    const region = watershedRegion(cv, pixels, frame, markers, options.watershedBlurs[0]!);
    for (let i = 0; i < region.length; i++) if (region[i]) labels[i] = GC.PR_FGD;
    return cut(cv, pixels, frame, labels, points, options, options.coarseIterations);
  });
}

/**
 * The best coarse hypothesis redrawn at finer resolution over its region of interest. Where
 * the result runs into the region's edge (the coarse pass saw only part of a thin or faint
 * object), the region grows that way and the cut is made again, up to roiGrowRounds times.
 */
function finePass(
  cv: CV,
  image: WorkingImage,
  coarse: FrameMask,
  points: WorkingPoint[],
  options: SegmentOptions,
): FrameMask {
  const picture = pictureSize(image);
  const clicks = pointsRect(points);
  let rect = roiAround(unionRect(maskExtent(coarse.frame, coarse.mask) ?? clicks, clicks), {
    margin: options.roiMargin,
    pad: options.roiPad,
    minSide: options.roiMinSide,
  });
  let from: FrameMask = coarse;
  const models = countSet(coarse.mask) >= options.minCoarseCells ? coarse.models : null;
  for (let round = 0; ; round++) {
    const frame = frameOver(rect, picture, options.finePixels);
    const result = cutRegion(cv, image, frame, from, models, points, options);
    const grown =
      round < options.roiGrowRounds ? growWhereTouching(frame, result.mask, picture) : null;
    if (!grown) return result;
    rect = grown;
    from = result;
  }
}

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
  const frame = frameOver(area, pictureSize(image), options.finePixels);
  return withMats((scope) => {
    const pixels = framePixels(cv, scope, image.lab, frame);
    const labels = labelsForBox(frame, box);
    return cut(cv, pixels, frame, labels, points, options, options.boxIterations);
  });
}

/**
 * Segments the object the prompt points at, on the working picture; candidates best first.
 * With a box: one GrabCut over the box and a margin. With clicks only: coarse hypotheses over
 * the whole picture, the best refined over its region of interest and returned first, the
 * others after it as alternatives.
 */
export function segment(
  cv: CV,
  image: WorkingImage,
  prompt: WorkingPrompt,
  options: SegmentOptions = DEFAULT_SEGMENT_OPTIONS,
): FrameMask[] {
  if (prompt.box) return [boxPass(cv, image, prompt.box, prompt.points, options)];
  const [best, ...others] = coarsePass(cv, image, prompt.points, options);
  return [finePass(cv, image, best!, prompt.points, options), ...others];
}
