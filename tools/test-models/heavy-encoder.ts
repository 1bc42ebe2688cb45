import { declareEmbedding, encoderA2Body } from './encoders.js';
import { EMBED_CHANNELS, EMBED_SIZE, MODEL_SIZE } from './model-frame.js';
import { GraphBuilder } from './onnx-graph.js';
import { seededNormals } from './seeded-random.js';

/** MobileSAM's image encoder is about 40 GFLOPs (multiply-add counted as 2). */
export const DEFAULT_HEAVY_GFLOPS = 40;

/** The branch works at a quarter of the input side after a 4x4 stride-4 patch stem. */
const STEM = 4;
const BRANCH_SIZE = MODEL_SIZE / STEM;
const LAYERS = 8;

export interface HeavyEncoderPlan {
  /** Channels of every 3x3 conv of the branch. */
  channels: number;
  layers: number;
  /** Actual cost of one run (branch + light path), 2 FLOPs per multiply-add. */
  gflops: number;
}

function branchFlops(channels: number): number {
  const stem = 2 * BRANCH_SIZE ** 2 * 3 * STEM * STEM * channels;
  const convs = LAYERS * 2 * BRANCH_SIZE ** 2 * 9 * channels * channels;
  const head = 2 * EMBED_SIZE ** 2 * channels * EMBED_CHANNELS;
  return stem + convs + head;
}

/** The light A2 path: 4x4 average pool of 4 planes + a 64->256 1x1 conv. */
const LIGHT_FLOPS = 4 * MODEL_SIZE ** 2 + 2 * EMBED_SIZE ** 2 * 64 * EMBED_CHANNELS;

/** Channel count whose conv stack costs closest to `targetGflops`. */
export function heavyEncoderPlan(targetGflops: number): HeavyEncoderPlan {
  if (!Number.isFinite(targetGflops) || targetGflops <= 0) {
    throw new RangeError(`heavy encoder gflops must be a positive number, got ${targetGflops}`);
  }
  const perChannelSquared = LAYERS * 2 * BRANCH_SIZE ** 2 * 9;
  let channels = Math.max(1, Math.round(Math.sqrt((targetGflops * 1e9) / perChannelSquared)));
  // The rounding above ignores the linear terms; step to the closest total.
  const cost = (c: number): number => Math.abs(branchFlops(c) + LIGHT_FLOPS - targetGflops * 1e9);
  while (channels > 1 && cost(channels - 1) < cost(channels)) channels -= 1;
  while (cost(channels + 1) < cost(channels)) channels += 1;
  return { channels, layers: LAYERS, gflops: (branchFlops(channels) + LIGHT_FLOPS) / 1e9 };
}

/**
 * Contract A2 encoder that costs about `targetGflops`: the light encoder's embedding plus a stack
 * of 3x3 convs whose result enters through an all-zero 1x1 conv. The branch runs in full (ONNX
 * Runtime does not prune on weight values) yet the output equals the light encoder's exactly
 * (its input is a bounded sigmoid, so 0 * x is exactly 0), so decoders keep working on it.
 */
export function buildHeavyEncoderA2(targetGflops = DEFAULT_HEAVY_GFLOPS): Uint8Array {
  const { channels } = heavyEncoderPlan(targetGflops);
  const g = new GraphBuilder('test_encoder_a2_heavy');
  const { image, embedding } = encoderA2Body(g);

  let x = g.relu(
    g.conv(
      image,
      seededNormals(301, channels * 3 * STEM * STEM, Math.sqrt(2 / (3 * STEM ** 2))),
      [channels, 3, STEM, STEM],
      { stride: STEM },
    ),
  );
  for (let layer = 0; layer < LAYERS; layer += 1) {
    const weights = seededNormals(
      302 + layer,
      channels * channels * 9,
      Math.sqrt(2 / (channels * 9)),
    );
    x = g.relu(g.conv(x, weights, [channels, channels, 3, 3], { pad: 1 }));
  }
  const bounded = g.sigmoid(g.averagePool(x, BRANCH_SIZE / EMBED_SIZE));
  const silent = g.conv(bounded, new Float32Array(EMBED_CHANNELS * channels), [
    EMBED_CHANNELS,
    channels,
    1,
    1,
  ]);
  declareEmbedding(g, g.add(embedding, silent));
  return g.toBytes();
}
