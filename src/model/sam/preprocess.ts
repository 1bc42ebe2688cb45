import type { RawImage } from '../../dataset/raw-image.js';
import {
  SAM_INPUT_LENGTH,
  modelResizeSize,
  type ResizeContract,
  type Size,
} from '../../geometry/index.js';
import type { SegmenterImage } from '../segmenter.js';
import type { EncoderContract } from './contract.js';
import { EmbeddingError } from './errors.js';

/** Contract A normalisation, 0-255 scale (segment_anything/modeling/sam.py). */
export const SAM1_PIXEL_MEAN = [123.675, 116.28, 103.53] as const;
export const SAM1_PIXEL_STD = [58.395, 57.12, 57.375] as const;
/** Contract B normalisation, 0-1 scale (ImageNet, sam2/utils/transforms.py). */
export const SAM2_PIXEL_MEAN = [0.485, 0.456, 0.406] as const;
export const SAM2_PIXEL_STD = [0.229, 0.224, 0.225] as const;

/** An encoder input as plain data, ready to become an ORT tensor. */
export interface InputTensor {
  name: string;
  type: 'float32' | 'uint8';
  data: Float32Array | Uint8Array;
  dims: number[];
  /**
   * Whether `data` was made for this input alone, so that its buffer may be handed to another
   * thread; false when it is a view of the picture's pixels, which a cache may still hold.
   */
  owned: boolean;
}

export function resizeContractOf(encoder: EncoderContract): ResizeContract {
  return encoder.kind === 'B' ? 'squash' : 'longest-side';
}

/**
 * The encoder input of MODELS.md for one picture: the RGB comes from the dataset already resized
 * with the reference bilinear (longest side 1024 with the reference rounding, or the 1024x1024
 * squash); here it is only typed, normalised, padded and laid out.
 */
export async function encoderInput(
  encoder: EncoderContract,
  image: SegmenterImage,
  madeAhead?: WeakMap<RawImage, InputTensor>,
): Promise<InputTensor> {
  const contract = resizeContractOf(encoder);
  const rgb = await image.modelInput(contract);
  const expected = modelResizeSize(image.size, contract);
  if (rgb.width !== expected.width || rgb.height !== expected.height) {
    throw new EmbeddingError(
      `image ${image.key}: the ${contract} model input is ${rgb.width}x${rgb.height}, expected ` +
        `${expected.width}x${expected.height} for an original of ${image.size.width}x${image.size.height}`,
      'modelInput',
    );
  }
  const made = madeAhead?.get(rgb);
  if (made) {
    // Taken once: its buffer may be handed to the encoder's thread.
    madeAhead!.delete(rgb);
    return made;
  }
  return inputTensor(encoder, rgb);
}

/** The encoder input of a picture already resized for `encoder` (typed, normalised, padded). */
export function inputTensor(encoder: EncoderContract, rgb: RawImage): InputTensor {
  switch (encoder.kind) {
    case 'A1':
      return a1Input(encoder.input, encoder.inputType, rgb);
    case 'A2':
      return {
        name: encoder.input,
        type: 'float32',
        data: sam1Nchw(rgb),
        dims: nchwDims(),
        owned: true,
      };
    case 'B':
      return {
        name: encoder.input,
        type: 'float32',
        data: sam2Nchw(rgb),
        dims: nchwDims(),
        owned: true,
      };
  }
}

function nchwDims(): number[] {
  return [1, 3, SAM_INPUT_LENGTH, SAM_INPUT_LENGTH];
}

/** A1: raw 0-255 RGB, HWC, in the declared type; the graph normalises and pads. */
export function a1Input(name: string, type: 'float32' | 'uint8', rgb: RawImage): InputTensor {
  const pixels = new Uint8Array(rgb.data.buffer, rgb.data.byteOffset, rgb.width * rgb.height * 3);
  return {
    name,
    type,
    data: type === 'uint8' ? pixels : Float32Array.from(pixels),
    dims: [rgb.height, rgb.width, 3],
    owned: type !== 'uint8',
  };
}

/**
 * Per channel (value / divisor - mean) / std, written out as the references compute it, into a
 * zeroed [1,3,1024,1024] tensor with the picture in its top-left corner.
 */
function normalisedNchw(
  rgb: RawImage,
  divisor: number,
  mean: readonly number[],
  std: readonly number[],
): Float32Array {
  const side = SAM_INPUT_LENGTH;
  const out = new Float32Array(3 * side * side);
  const src = rgb.data;
  for (let c = 0; c < 3; c++) {
    const m = mean[c]!;
    const sd = std[c]!;
    const plane = c * side * side;
    for (let y = 0; y < rgb.height; y++) {
      let s = y * rgb.width * 3 + c;
      const row = plane + y * side;
      for (let x = 0; x < rgb.width; x++, s += 3) out[row + x] = (src[s]! / divisor - m) / sd;
    }
  }
  return out;
}

/** A2: normalised with the SAM mean/std on the 0-255 scale, zero-padded bottom/right. */
export function sam1Nchw(rgb: RawImage): Float32Array {
  return normalisedNchw(rgb, 1, SAM1_PIXEL_MEAN, SAM1_PIXEL_STD);
}

/** B: scaled to [0,1], ImageNet mean/std; the input is the whole 1024x1024 squash. */
export function sam2Nchw(rgb: RawImage): Float32Array {
  return normalisedNchw(rgb, 255, SAM2_PIXEL_MEAN, SAM2_PIXEL_STD);
}

/** The size of the image area inside the 1024 frame (the rest of a contract A input is padding). */
export function frameSize(original: Size, encoder: EncoderContract): Size {
  return modelResizeSize(original, resizeContractOf(encoder));
}
