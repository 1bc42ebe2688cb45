import { encoderA2Graph } from './encoders.js';
import { EMBED_CHANNELS, MODEL_SIZE } from './model-frame.js';
import { GraphBuilder } from './onnx-graph.js';

/** Files that must fail contract detection or loading, each in its own way. */

/** A valid graph whose tensors match no contract: `x` [1,3,1024,1024] -> `y`. */
export function buildUnrelatedNames(): Uint8Array {
  const g = new GraphBuilder('test_unrelated_names');
  const dims = [1, 3, MODEL_SIZE, MODEL_SIZE];
  g.output('y', g.relu(g.input('x', 'float32', dims)), 'float32', dims);
  return g.toBytes();
}

/** An A2-looking encoder whose `image_embeddings` is [1,256,32,32] instead of [1,256,64,64]. */
export function buildWrongEmbeddingEncoder(): Uint8Array {
  const side = 32;
  const g = new GraphBuilder('test_wrong_embedding');
  const image = g.input('input_image', 'float32', [1, 3, MODEL_SIZE, MODEL_SIZE]);
  const pooled = g.averagePool(image, MODEL_SIZE / side);
  const weights = new Float32Array(EMBED_CHANNELS * 3).fill(1 / 3);
  const embedding = g.conv(pooled, weights, [EMBED_CHANNELS, 3, 1, 1]);
  g.output('image_embeddings', embedding, 'float32', [1, EMBED_CHANNELS, side, side]);
  return g.toBytes();
}

/** The first half of a valid file, as a download cut short leaves it. */
export function truncatedBytes(bytes: Uint8Array): Uint8Array {
  return bytes.slice(0, Math.floor(bytes.byteLength / 2));
}

/**
 * The A2 test encoder with its weights in an external file named `dataFileName` (the
 * `.onnx.data` next to the `.onnx`): loads from its path only, as large real exports do.
 */
export function buildExternalDataEncoder(dataFileName: string): {
  model: Uint8Array;
  data: Uint8Array;
} {
  return encoderA2Graph().toBytesWithExternalData(dataFileName);
}
