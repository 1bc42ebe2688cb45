import type { Frame } from './frame.js';
import { countSet, type FrameMask } from './frame-mask.js';
import { ColourModel, colourAgreement } from './gmm.js';
import { keepComponents } from './components.js';
import { GC, grabCut, isForeground, type GrabCutModels } from './grabcut.js';
import { ensureBackground, labelsFromRegion, paintClicks } from './labels.js';
import type { CV, Mat } from './opencv.js';
import type { WorkingPoint } from './prompt.js';
import type { SegmentOptions } from './segment-options.js';

/** A cut keeping no more than this many times the seed discs' pixels has collapsed onto them. */
const COLLAPSE_SEED_FACTOR = 2;
/** Start regions smaller than this (frame pixels) are too small to fall back on. */
export const MIN_COLLAPSE_START = 6;

/** A cut's mask; `fellBack` when the cut collapsed and the mask is its start region. */
export interface Cut extends FrameMask {
  fellBack: boolean;
}

/**
 * GrabCut from `labels` plus the clicks; keeps the parts that hold a positive click (all
 * sizeable parts when there is none) and scores the mask by its agreement with the colour
 * models. When the cut collapses onto the clicks, the start region stands instead (`fellBack`).
 */
export function cut(
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

/**
 * A cut collapsed when it kept hardly more than the clicks' own seed discs out of a start region
 * many times larger (a cut that shrinks a leaky start onto a small object keeps that object).
 */
function collapsed(mask: Uint8Array, start: Uint8Array, seeded: number): boolean {
  const before = countSet(start);
  const kept = countSet(mask);
  return before >= MIN_COLLAPSE_START && kept <= COLLAPSE_SEED_FACTOR * seeded && kept < before / 4;
}
