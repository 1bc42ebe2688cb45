import { checkSize } from '../../geometry/index.js';
import type { Embedding } from '../segmenter.js';
import { EMBEDDING_DIMS, SAM2_FEATURE_DIMS, type EncoderContract } from './contract.js';
import { EmbeddingError } from './errors.js';

/** The tensors an encoder of this contract gives its decoder, with their dims. */
export function embeddingLayout(encoder: EncoderContract): Record<string, readonly number[]> {
  return encoder.kind === 'B' ? SAM2_FEATURE_DIMS : { image_embeddings: EMBEDDING_DIMS };
}

function sameDims(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Throws an EmbeddingError naming the field unless `embedding` is one this model computed. */
export function checkEmbedding(
  embedding: Embedding,
  modelId: string,
  encoder: EncoderContract,
): void {
  if (embedding?.modelId !== modelId) {
    throw new EmbeddingError(
      `the embedding was computed by model "${embedding?.modelId}", not by "${modelId}": encode the image with this model`,
      'modelId',
    );
  }
  try {
    checkSize(embedding.original, 'original');
  } catch (err) {
    throw new EmbeddingError(`embedding.${(err as Error).message}`, 'original');
  }
  for (const [name, dims] of Object.entries(embeddingLayout(encoder))) {
    const tensor = embedding.tensors?.[name];
    const field = `tensors.${name}`;
    if (!tensor) throw new EmbeddingError(`the embedding has no ${name} tensor`, field);
    const count = dims.reduce((a, b) => a * b, 1);
    if (
      !sameDims(tensor.dims, dims) ||
      !(tensor.data instanceof Float32Array) ||
      tensor.data.length !== count
    ) {
      throw new EmbeddingError(
        `embedding ${name} must be float32 [${dims.join(',')}], got ${
          tensor.data instanceof Float32Array ? 'float32' : tensor.data?.constructor?.name
        } [${tensor.dims?.join(',')}] with ${tensor.data?.length} values`,
        field,
      );
    }
  }
}
