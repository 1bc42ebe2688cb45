import { modelResizeSize } from '../../geometry/index.js';
import type { RawImage } from '../../dataset/raw-image.js';
import type { Embedding, SegmenterImage } from '../segmenter.js';
import { withMats } from './mat-scope.js';
import { openCvError, type CV } from './opencv.js';
import {
  DEFAULT_SEGMENTER_ID,
  EmbeddingError,
  LAB_TENSOR,
  planeTensor,
  type Plane,
} from './working-image.js';

/** RGB -> CIE Lab, OpenCV's 8-bit scaling (~150 ms for 1024 x 683: done once per image). */
function toLab(cv: CV, rgb: RawImage): Plane {
  return withMats((scope) => {
    const src = scope.keep(new cv.Mat(rgb.height, rgb.width, cv.CV_8UC3));
    src.data.set(rgb.data);
    const dst = scope.keep(new cv.Mat());
    try {
      cv.cvtColor(src, dst, cv.COLOR_RGB2Lab);
    } catch (err) {
      throw openCvError(cv, err, 'cvtColor');
    }
    // A copy out of the wasm heap: the embedding is cached on its own.
    return { width: rgb.width, height: rgb.height, data: Uint8Array.from(dst.data) };
  });
}

/**
 * The default segmenter's "embedding": the 'longest-side' model input (the display-size
 * picture, longest side 1024) converted to Lab, the per-image work of a click.
 */
export async function encodeWorkingImage(
  cv: CV,
  image: SegmenterImage,
  signal?: AbortSignal,
): Promise<Embedding> {
  signal?.throwIfAborted();
  const input = await image.modelInput('longest-side');
  signal?.throwIfAborted();
  const expected = modelResizeSize(image.size, 'longest-side');
  if (
    input.width !== expected.width ||
    input.height !== expected.height ||
    input.data.length !== expected.width * expected.height * 3
  ) {
    throw new EmbeddingError(
      `model input of ${image.key} is ${input.width}x${input.height} (${input.data.length} bytes), expected RGB ${expected.width}x${expected.height} for a ${image.size.width}x${image.size.height} image`,
      'modelInput',
    );
  }
  return {
    modelId: DEFAULT_SEGMENTER_ID,
    imageKey: image.key,
    original: { width: image.size.width, height: image.size.height },
    tensors: { [LAB_TENSOR]: planeTensor(toLab(cv, input)) },
  };
}
