import {
  EMBED_CHANNELS,
  EMBED_SIZE,
  LOW_RES_SIZE,
  MODEL_SIZE,
  PACKED_BLOCK,
  PACKED_CHANNELS,
  SAM2_FEATURES,
} from './model-frame.js';
import { GraphBuilder } from './onnx-graph.js';
import { promptLogits } from './prompt-logits.js';
import type { ColourMap } from './prompt-logits.js';

/** Index 0 is the single-mask answer, 1..3 the multimask candidates (tight, middle, loose). */
const SAM1_THRESHOLDS = [0.5, 0.25, 0.6, 1.2];
const SAM1_IOU_WEIGHTS = [1, 0.9, 1, 0.95];
const SAM2_THRESHOLDS = SAM1_THRESHOLDS.slice(1);
const SAM2_IOU_WEIGHTS = SAM1_IOU_WEIGHTS.slice(1);

/** SamOnnxModel.select_masks: weight of token 0 per extra point beyond 2.5. */
const SINGLE_MASK_REWEIGHT = 1000;

const LOW_RES = [LOW_RES_SIZE, LOW_RES_SIZE];

/** Unpacks contract A's 256x256 RGB + validity planes (see model-frame.ts) from the embedding. */
function colourMapFromEmbedding(g: GraphBuilder, embedding: string): ColourMap {
  const packed = g.slice(embedding, [0], [PACKED_CHANNELS], [1]);
  const planes = g.node('DepthToSpace', [packed], { blocksize: PACKED_BLOCK, mode: 'DCR' });
  const valid = g.slice(planes, [3], [4], [1]);
  // Blocks cut by the padding edge average in zeros: divide them back to the image colour.
  const colour = g.div(g.slice(planes, [0], [3], [1]), g.max(valid, g.scalar(1e-3)));
  return { colour, valid, size: LOW_RES_SIZE };
}

function sam1PromptInputs(g: GraphBuilder): { embedding: string; points: string; labels: string } {
  return {
    embedding: g.input('image_embeddings', 'float32', [1, EMBED_CHANNELS, EMBED_SIZE, EMBED_SIZE]),
    points: g.input('point_coords', 'float32', [1, 'num_points', 2]),
    labels: g.input('point_labels', 'float32', [1, 'num_points']),
  };
}

/**
 * SamOnnxModel.mask_postprocessing: upsample to 1024x1024, crop to the resized image size
 * floor(size * 1024 / max(size) + 0.5), resize to the original size; all bilinear.
 */
function toOriginalSize(g: GraphBuilder, lowRes: string, origSize: string, count: number): string {
  const full = g.resizeBilinear(lowRes, g.constInt64([1, count, MODEL_SIZE, MODEL_SIZE]));
  const scale = g.div(g.scalar(MODEL_SIZE), g.reduceMax(origSize, [0]));
  const resized = g.cast(g.floor(g.add(g.mul(origSize, scale), g.scalar(0.5))), 'int64');
  const cropped = g.node('Slice', [full, g.constInt64([0, 0]), resized, g.constInt64([2, 3])]);
  const sizes = g.concat([g.constInt64([1, count]), g.cast(origSize, 'int64')], 0);
  return g.resizeBilinear(cropped, sizes);
}

/**
 * SamOnnxModel.select_masks: best multimask candidate (1..3) for one click or a lone box (where
 * the point count is 2), token 0 when more points were given.
 */
function selectSingleMask(
  g: GraphBuilder,
  logits: string,
  iou: string,
  points: string,
): { logits: string; iou: string } {
  const pointCount = g.cast(g.gather(g.shape(points), g.constInt64([1], []), 0), 'float32');
  const reweight = g.constFloat([SINGLE_MASK_REWEIGHT, 0, 0, 0], [1, 4]);
  const score = g.add(iou, g.mul(g.sub(pointCount, g.scalar(2.5)), reweight));
  const best = g.node('ArgMax', [score], { axis: 1, keepdims: 0 });
  return { logits: g.gather(logits, best, 1), iou: g.gather(iou, best, 1) };
}

export interface DecoderAOptions {
  /** true: C = 4 (index 0 single answer, 1..3 candidates); false: C = 1 (--return-single-mask). */
  multimask: boolean;
  /** Name of the original-size input; only broken test files change it. */
  sizeInputName?: string;
}

/** Contract A decoder (SamOnnxModel signature) with the in-graph upsample and crop. */
export function buildDecoderA(options: DecoderAOptions): Uint8Array {
  const g = new GraphBuilder(options.multimask ? 'test_decoder_a_multi' : 'test_decoder_a_single');
  const { embedding, points, labels } = sam1PromptInputs(g);
  const maskLogits = g.input('mask_input', 'float32', [1, 1, ...LOW_RES]);
  const hasMask = g.input('has_mask_input', 'float32', [1]);
  const origSize = g.input(options.sizeInputName ?? 'orig_im_size', 'float32', [2]);

  const map = colourMapFromEmbedding(g, embedding);
  let answer = promptLogits(g, {
    pixels: map,
    clickSamples: map,
    boxSamples: map,
    points,
    labels,
    maskInput: { logits: maskLogits, has: hasMask },
    thresholds: SAM1_THRESHOLDS,
    iouWeights: SAM1_IOU_WEIGHTS,
  });
  if (!options.multimask) answer = selectSingleMask(g, answer.logits, answer.iou, points);
  const count = options.multimask ? SAM1_THRESHOLDS.length : 1;

  const masks = toOriginalSize(g, answer.logits, origSize, count);
  g.output('masks', masks, 'float32', [1, count, 'orig_height', 'orig_width']);
  g.output('iou_predictions', answer.iou, 'float32', [1, count]);
  g.output('low_res_masks', answer.logits, 'float32', [1, count, ...LOW_RES]);
  return g.toBytes();
}

/** EdgeSAM's own decoder: no mask input, no resize; `scores` [1,4] and low-res `masks`. */
export function buildDecoderEdgeSam(): Uint8Array {
  const g = new GraphBuilder('test_decoder_edgesam');
  const { embedding, points, labels } = sam1PromptInputs(g);
  const map = colourMapFromEmbedding(g, embedding);
  const answer = promptLogits(g, {
    pixels: map,
    clickSamples: map,
    boxSamples: map,
    points,
    labels,
    thresholds: SAM1_THRESHOLDS,
    iouWeights: SAM1_IOU_WEIGHTS,
  });
  const count = SAM1_THRESHOLDS.length;
  g.output('scores', answer.iou, 'float32', [1, count]);
  g.output('masks', answer.logits, 'float32', [1, count, ...LOW_RES]);
  return g.toBytes();
}

/**
 * Contract B decoder: pixels are classified on high_res_feats_0 (256), clicks sampled on
 * high_res_feats_1 (128), box colours on image_embed (64), so each map changes the answer.
 */
export function buildDecoderSam2(): Uint8Array {
  const g = new GraphBuilder('test_decoder_sam2');
  const featureInput = (feature: (typeof SAM2_FEATURES)[number]): ColourMap => {
    const dims = [1, feature.channels, feature.size, feature.size];
    const input = g.input(feature.name, 'float32', dims);
    return { colour: g.slice(input, [0], [3], [1]), valid: null, size: feature.size };
  };
  const [fine, middle, coarse] = SAM2_FEATURES;
  // Declared in the export's order: image_embed, high_res_feats_0, high_res_feats_1.
  const embed = featureInput(coarse);
  const highRes0 = featureInput(fine);
  const highRes1 = featureInput(middle);
  const points = g.input('point_coords', 'float32', ['num_labels', 'num_points', 2]);
  const labels = g.input('point_labels', 'float32', ['num_labels', 'num_points']);
  const maskLogits = g.input('mask_input', 'float32', ['num_labels', 1, ...LOW_RES]);
  const hasMask = g.input('has_mask_input', 'float32', ['num_labels']);

  const answer = promptLogits(g, {
    pixels: highRes0,
    clickSamples: highRes1,
    boxSamples: embed,
    points,
    labels,
    maskInput: { logits: maskLogits, has: hasMask },
    thresholds: SAM2_THRESHOLDS,
    iouWeights: SAM2_IOU_WEIGHTS,
  });
  const count = SAM2_THRESHOLDS.length;
  g.output('masks', answer.logits, 'float32', ['num_labels', count, ...LOW_RES]);
  g.output('iou_predictions', answer.iou, 'float32', ['num_labels', count]);
  return g.toBytes();
}
