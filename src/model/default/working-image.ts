import { checkSize, modelResizeSize, type Size } from '../../geometry/index.js';
import { EmbeddingError, type Embedding, type StoredTensor } from '../segmenter.js';

/** The id of the weight-free segmenter, in embeddings and cache keys. */
export const DEFAULT_SEGMENTER_ID = 'default';

/** The embedding's one tensor: the working picture in CIE Lab, uint8 [height, width, 3]. */
export const LAB_TENSOR = 'lab';

/** An 8-bit 3-channel HWC picture. */
export interface Plane {
  width: number;
  height: number;
  data: Uint8Array;
}

/**
 * What predict() reads from an embedding: the working picture (the display-size 'longest-side'
 * model input, longest side 1024) in CIE Lab with OpenCV's 8-bit scaling (L * 255/100, a + 128,
 * b + 128), where colour distances are close to perceived ones.
 */
export interface WorkingImage {
  original: Size;
  lab: Plane;
}

/** The working picture's size. */
export function workingSize(image: WorkingImage): Size {
  return { width: image.lab.width, height: image.lab.height };
}

export function planeTensor(plane: Plane): StoredTensor {
  return { dims: [plane.height, plane.width, 3], data: plane.data };
}

export { EmbeddingError };

/**
 * The embedding's working picture, checked: made by this segmenter, one uint8 (or float, as a
 * cache may hand bytes back) tensor whose size is what the original size resizes to.
 */
export function workingImageOf(embedding: Embedding): WorkingImage {
  const where = `embedding of ${embedding.imageKey}`;
  if (embedding.modelId !== DEFAULT_SEGMENTER_ID) {
    throw new EmbeddingError(
      `${where} was made by model "${embedding.modelId}", not "${DEFAULT_SEGMENTER_ID}"`,
      'modelId',
    );
  }
  try {
    checkSize(embedding.original, 'original');
  } catch (err) {
    throw new EmbeddingError(`${where}: ${(err as Error).message}`, 'original');
  }
  const field = `tensors.${LAB_TENSOR}`;
  const tensor = embedding.tensors[LAB_TENSOR];
  if (!tensor) throw new EmbeddingError(`${where} has no ${field}`, field);
  const expected = modelResizeSize(embedding.original, 'longest-side');
  const dims = [expected.height, expected.width, 3];
  if (tensor.dims.length !== 3 || tensor.dims.some((d, i) => d !== dims[i])) {
    throw new EmbeddingError(
      `${where}: ${field} must have dims [${dims.join(', ')}] for a ${embedding.original.width}x${embedding.original.height} image, got [${tensor.dims.join(', ')}]`,
      `${field}.dims`,
    );
  }
  if (tensor.data.length !== expected.width * expected.height * 3) {
    throw new EmbeddingError(
      `${where}: ${field} holds ${tensor.data.length} values, expected ${dims.join('x')}`,
      `${field}.data`,
    );
  }
  const data = tensor.data instanceof Uint8Array ? tensor.data : Uint8Array.from(tensor.data);
  return { original: embedding.original, lab: { ...expected, data } };
}
