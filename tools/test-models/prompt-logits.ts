import { MODEL_SIZE } from './model-frame.js';
import {
  colourDistances,
  farUnless,
  gridAxes,
  insideBox,
  squaredDistances,
  weightedColours,
} from './grid-ops.js';
import type { Box, ColourMap } from './grid-ops.js';
import type { GraphBuilder } from './onnx-graph.js';

export type { ColourMap } from './grid-ops.js';

/**
 * The decoders' shared "mask head": colour matching against the prompt, computed with plain
 * elementwise ops on a regular grid in the 1024 model frame.
 *
 * - Each click samples the colour around it (Gaussian weights over the grid, sigma 1.5 cells).
 * - A box gives a virtual positive (its centre-weighted interior colour, refined once by keeping
 *   only cells closer to it than to the border colour) when no positive click exists, and always
 *   a virtual negative (the colour of a band just inside its edges).
 * - Per pixel: dPos / dNeg = smallest colour distance (normalised RGB units) to a positive /
 *   negative colour, plus a weak spatial term (LAMBDA per 1024 px from the click) that lets a
 *   negative click beat a positive one on the same colour near it.
 * - Candidate k: logit = K * min(T_k - dPos, dNeg - dPos) (+ mask_input when has_mask_input),
 *   -100 outside the box and in padding, clipped to +-32. Thresholds T_k make candidates nest.
 * - Predicted IoU: soft stability sum(sigmoid(4(L-1))) / (sum(sigmoid(4(L+1))) + 1), times a
 *   fixed per-candidate weight so ties break the same way every time.
 */

/** Logit slope per normalised colour unit. */
const LOGIT_SCALE = 8;
/** Spatial penalty, in colour units, per 1024 px of distance from a click. */
const LAMBDA = 0.3;
/** Gaussian radius of a click's colour sample, in grid cells. */
const SAMPLE_SIGMA_CELLS = 1.5;
/** Band inside the box edges that stands for the background: this share of the box side. */
const BAND_SHARE = 0.1;
/** Logit drop outside the box and in the padding. */
const OFF = 100;

export interface PromptLogitsSpec {
  /** Pixels to classify; the output logits live on this grid. */
  pixels: ColourMap;
  /** Where click colours are sampled. */
  clickSamples: ColourMap;
  /** Where box interior and border colours are sampled. */
  boxSamples: ColourMap;
  /** [B,N,2] x, y in the 1024 frame. */
  points: string;
  /** [B,N] 1 positive, 0 negative, 2/3 box corners, -1 padding (ignored). */
  labels: string;
  /** [B,1,G,G] logits and [B] flag, when the decoder has a mask input. */
  maskInput?: { logits: string; has: string };
  /** One colour threshold per candidate. */
  thresholds: readonly number[];
  /** One fixed weight per candidate applied to its predicted IoU. */
  iouWeights: readonly number[];
}

/** The prompt as [B,N,1,1] coordinates and 0/1 flags, plus its box ([B,1,1,1] edges). */
interface Prompt {
  px: string;
  py: string;
  positive: string;
  negative: string;
  hasBox: string;
  anyPositive: string;
  box: Box;
}

function readPrompt(g: GraphBuilder, points: string, labelsBN: string): Prompt {
  const px = g.unsqueeze(g.slice(points, [0], [1], [2]), [3]);
  const py = g.unsqueeze(g.slice(points, [1], [2], [2]), [3]);
  const labels = g.unsqueeze(labelsBN, [2, 3]);
  const isLabel = (value: number): string => g.compare('Equal', labels, g.scalar(value));
  const positive = isLabel(1);
  const topLeft = isLabel(2);
  const bottomRight = isLabel(3);
  const corner = (coord: string, flag: string): string => g.reduceSum(g.mul(coord, flag), [1]);
  const [x0, x1, y0, y1] = [
    corner(px, topLeft),
    corner(px, bottomRight),
    corner(py, topLeft),
    corner(py, bottomRight),
  ];
  return {
    px,
    py,
    positive,
    negative: isLabel(0),
    hasBox: g.reduceMax(topLeft, [1]),
    anyPositive: g.reduceMax(positive, [1]),
    box: { left: g.min(x0, x1), right: g.max(x0, x1), top: g.min(y0, y1), bottom: g.max(y0, y1) },
  };
}

/** [B,1,3] colours of a box: its centre-weighted interior and the band inside its edges. */
function boxColours(
  g: GraphBuilder,
  box: Box,
  map: ColourMap,
): { interior: string; border: string } {
  const cell = g.scalar(MODEL_SIZE / map.size);
  const half = (lo: string, hi: string): string => g.add(g.mul(g.sub(hi, lo), g.scalar(0.5)), cell);
  const halfWidth = half(box.left, box.right);
  const halfHeight = half(box.top, box.bottom);
  const inBox = insideBox(g, map.size, box);

  const { x, y } = gridAxes(g, map.size);
  const offCentre = (v: string, lo: string, hi: string, h: string): string =>
    g.square(g.div(g.sub(v, g.mul(g.add(lo, hi), g.scalar(0.5))), h));
  const centreEnergy = g.add(
    g.mul(
      g.add(
        offCentre(x, box.left, box.right, halfWidth),
        offCentre(y, box.top, box.bottom, halfHeight),
      ),
      g.scalar(4),
    ),
    farUnless(g, inBox),
  );

  const bandWidth = (h: string): string => g.max(g.mul(h, g.scalar(2 * BAND_SHARE)), cell);
  const core = insideBox(g, map.size, box, { x: bandWidth(halfWidth), y: bandWidth(halfHeight) });
  const band = g.mul(inBox, g.sub(g.scalar(1), core));
  const border = weightedColours(g, farUnless(g, band), map);

  // The plain centre-weighted mean mixes in background; keep only cells closer to it than to
  // the border colour and average again.
  const rough = weightedColours(g, centreEnergy, map);
  const objectLike = g.compare(
    'Greater',
    colourDistances(g, border, map),
    colourDistances(g, rough, map),
  );
  const interior = weightedColours(g, g.add(centreEnergy, farUnless(g, objectLike)), map);
  return { interior, border };
}

/** Returns `logits` [B,C,G,G] on the pixel grid and `iou` [B,C]. */
export function promptLogits(
  g: GraphBuilder,
  spec: PromptLogitsSpec,
): { logits: string; iou: string } {
  const { pixels, clickSamples } = spec;
  const prompt = readPrompt(g, spec.points, spec.labels);

  const sigma = (SAMPLE_SIGMA_CELLS * MODEL_SIZE) / clickSamples.size;
  const clickEnergy = g.div(
    squaredDistances(g, prompt.px, prompt.py, clickSamples.size),
    g.scalar(2 * sigma * sigma),
  );
  const clickColours = weightedColours(g, clickEnergy, clickSamples);
  const box = boxColours(g, prompt.box, spec.boxSamples);

  // Every colour the pixels are compared with: the clicks, then the box interior and border.
  const colours = g.concat([clickColours, box.interior, box.border], 1);
  const none = g.mul(prompt.hasBox, g.scalar(0));
  const boxOnly = g.mul(prompt.hasBox, g.sub(g.scalar(1), prompt.anyPositive));
  const positive = g.concat([prompt.positive, boxOnly, none], 1);
  const negative = g.concat([prompt.negative, none, prompt.hasBox], 1);

  const clickDistance = g.mul(
    g.sqrt(g.add(squaredDistances(g, prompt.px, prompt.py, pixels.size), g.scalar(1e-6))),
    g.scalar(LAMBDA / MODEL_SIZE),
  );
  // The two box colours have no position: zero spatial term.
  const spatial = g.node(
    'Pad',
    [clickDistance, g.constInt64([0, 0, 0, 0, 0, 2, 0, 0]), g.scalar(0)],
    { mode: 'constant' },
  );
  const distance = g.add(colourDistances(g, colours, pixels), spatial);
  const nearest = (flags: string): string => g.reduceMin(g.add(distance, farUnless(g, flags)), [1]);
  const dPositive = nearest(positive);
  const dNegative = nearest(negative);

  const count = spec.thresholds.length;
  const thresholds = g.constFloat(spec.thresholds, [1, count, 1, 1]);
  let absolute = g.mul(g.sub(thresholds, dPositive), g.scalar(LOGIT_SCALE));
  if (spec.maskInput) {
    const has = g.reshape(spec.maskInput.has, [-1, 1, 1, 1]);
    absolute = g.add(absolute, g.mul(has, spec.maskInput.logits));
  }
  const relative = g.mul(g.sub(dNegative, dPositive), g.scalar(LOGIT_SCALE));
  let logits = g.min(absolute, relative);
  const outsideBox = g.mul(
    prompt.hasBox,
    g.sub(g.scalar(1), insideBox(g, pixels.size, prompt.box)),
  );
  logits = g.sub(logits, g.mul(outsideBox, g.scalar(OFF)));
  if (pixels.valid) {
    const padding = g.sub(g.scalar(1), g.compare('Greater', pixels.valid, g.scalar(0)));
    logits = g.sub(logits, g.mul(padding, g.scalar(OFF)));
  }
  logits = g.clip(logits, -32, 32);

  const softCount = (shift: number): string =>
    g.reduceSum(g.sigmoid(g.mul(g.add(logits, g.scalar(shift)), g.scalar(4))), [2, 3], false);
  const stability = g.div(softCount(-1), g.add(softCount(1), g.scalar(1)));
  const iou = g.mul(stability, g.constFloat(spec.iouWeights, [1, count]));
  return { logits, iou };
}
