import {
  EMBED_CHANNELS,
  EMBED_SIZE,
  MODEL_SIZE,
  PACKED_BLOCK,
  PACKED_CHANNELS,
  SAM1_PIXEL_MEAN,
  SAM1_PIXEL_STD,
  SAM2_FEATURES,
} from './model-frame.js';
import { GraphBuilder } from './onnx-graph.js';
import { seededNormals } from './seeded-random.js';

const EMBEDDING_DIMS = [1, EMBED_CHANNELS, EMBED_SIZE, EMBED_SIZE];

/**
 * 1x1 conv weights [out, in]: identity on the first `in` outputs (the decoders read those back),
 * fixed pseudo-random mixtures of the inputs on the rest.
 */
export function identityThenMixtures(outChannels: number, inChannels: number, seed: number) {
  const weights = seededNormals(seed, outChannels * inChannels, 1 / Math.sqrt(inChannels));
  for (let o = 0; o < Math.min(outChannels, inChannels); o += 1) {
    for (let i = 0; i < inChannels; i += 1) weights[o * inChannels + i] = o === i ? 1 : 0;
  }
  return weights;
}

/**
 * Padding is exactly 0 in all three normalised channels, which no 0-255 integer pixel produces
 * (the means are not integers), so "any channel non-zero" marks the image area of an A2 input.
 */
function validityFromPadding(g: GraphBuilder, image: string): string {
  return g.compare('Greater', g.reduceSum(g.abs(image), [1]), g.scalar(0));
}

/** Normalised, padded [1,3,1024,1024] + validity [1,1,1024,1024] -> `image_embeddings` layout. */
function packedEmbedding(g: GraphBuilder, image: string, valid: string): string {
  const blocks = g.averagePool(g.concat([image, valid], 1), PACKED_BLOCK);
  const packed = g.node('SpaceToDepth', [blocks], { blocksize: PACKED_BLOCK });
  const weights = identityThenMixtures(EMBED_CHANNELS, PACKED_CHANNELS, 101);
  return g.conv(packed, weights, [EMBED_CHANNELS, PACKED_CHANNELS, 1, 1]);
}

export type A2InputName = 'input_image' | 'image';

/** Contract A2 up to its embedding, so the heavy encoder can add its branch before the output. */
export function encoderA2Body(
  g: GraphBuilder,
  inputName: A2InputName = 'input_image',
): { image: string; embedding: string } {
  const image = g.input(inputName, 'float32', [1, 3, MODEL_SIZE, MODEL_SIZE]);
  return { image, embedding: packedEmbedding(g, image, validityFromPadding(g, image)) };
}

export function declareEmbedding(g: GraphBuilder, embedding: string): void {
  g.output('image_embeddings', embedding, 'float32', EMBEDDING_DIMS);
}

/** Contract A2 graph: input [1,3,1024,1024] normalised and padded by the caller. */
export function encoderA2Graph(inputName: A2InputName = 'input_image'): GraphBuilder {
  const g = new GraphBuilder('test_encoder_a2');
  declareEmbedding(g, encoderA2Body(g, inputName).embedding);
  return g;
}

/** Contract A2 encoder: `input_image` (or `image`) [1,3,1024,1024] -> `image_embeddings`. */
export function buildEncoderA2(inputName: A2InputName = 'input_image'): Uint8Array {
  return encoderA2Graph(inputName).toBytes();
}

/**
 * Contract A1 encoder: `input_image` [h, w, 3] raw 0-255 RGB (longest side 1024) -> normalise
 * and zero-pad right/bottom to 1024 inside the graph -> `image_embeddings`.
 */
export function buildEncoderA1(inputType: 'float32' | 'uint8' = 'float32'): Uint8Array {
  const g = new GraphBuilder('test_encoder_a1');
  const raw = g.input('input_image', inputType, ['image_height', 'image_width', 3]);
  const pixels = inputType === 'float32' ? raw : g.cast(raw, 'float32');
  const normalised = g.div(
    g.sub(pixels, g.constFloat(SAM1_PIXEL_MEAN, [3])),
    g.constFloat(SAM1_PIXEL_STD, [3]),
  );
  const nchw = g.unsqueeze(g.transpose(normalised, [2, 0, 1]), [0]);
  const ones = g.add(g.mul(g.slice(nchw, [0], [1], [1]), g.scalar(0)), g.scalar(1));

  const heightWidth = g.slice(g.shape(raw), [0], [2], [0]);
  const padBottomRight = g.sub(g.constInt64([MODEL_SIZE, MODEL_SIZE]), heightWidth);
  const pads = g.concat([g.constInt64([0, 0, 0, 0, 0, 0]), padBottomRight], 0);
  const pad = (x: string): string => g.node('Pad', [x, pads, g.scalar(0)], { mode: 'constant' });

  declareEmbedding(g, packedEmbedding(g, pad(nchw), pad(ones)));
  return g.toBytes();
}

/**
 * Contract B encoder: `image` [1,3,1024,1024] (squashed, ImageNet-normalised) -> three feature
 * maps, each the RGB averaged to its grid in channels 0..2 plus fixed mixtures.
 */
export function buildEncoderSam2(): Uint8Array {
  const g = new GraphBuilder('test_encoder_sam2');
  const image = g.input('image', 'float32', [1, 3, MODEL_SIZE, MODEL_SIZE]);
  SAM2_FEATURES.forEach((feature, index) => {
    const pooled = g.averagePool(image, MODEL_SIZE / feature.size);
    const weights = identityThenMixtures(feature.channels, 3, 201 + index);
    const map = g.conv(pooled, weights, [feature.channels, 3, 1, 1]);
    g.output(feature.name, map, 'float32', [1, feature.channels, feature.size, feature.size]);
  });
  return g.toBytes();
}
