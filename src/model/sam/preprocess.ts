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
import type { InputBufferPool } from './input-buffer-pool.js';

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
  {
    madeAhead,
    spare,
  }: { madeAhead?: WeakMap<RawImage, InputTensor>; spare?: InputBufferPool } = {},
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
  return inputTensor(encoder, rgb, spare);
}

/**
 * The encoder input of a picture already resized for `encoder` (typed, normalised, padded);
 * an NCHW input is written into a buffer of `spare` when it has one.
 */
export function inputTensor(
  encoder: EncoderContract,
  rgb: RawImage,
  spare?: InputBufferPool,
): InputTensor {
  if (encoder.kind === 'A1') return a1Input(encoder.input, encoder.inputType, rgb);
  const reused = spare?.take();
  const target = reused ? new Float32Array(reused) : undefined;
  return {
    name: encoder.input,
    type: 'float32',
    data: encoder.kind === 'A2' ? sam1Nchw(rgb, target) : sam2Nchw(rgb, target),
    dims: nchwDims(),
    owned: true,
  };
}

/** Bytes of an NCHW encoder input (A2, B): the size InputBufferPool keeps. */
export const NCHW_INPUT_BYTES = 3 * SAM_INPUT_LENGTH * SAM_INPUT_LENGTH * 4;

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
 * Per channel (value / divisor - mean) / std, into a [1,3,1024,1024] tensor with the picture in
 * its top-left corner and zeros elsewhere. A channel has only 256 possible values, so each is
 * computed once, written out as the references compute it, into a table rounded to float32 as
 * the tensor stores it: the same numbers as per-pixel arithmetic, in one pass over the pixels.
 * `reuse` (a buffer an earlier input had, so not zeroed) gets its padding cleared.
 */
function normalisedNchw(
  rgb: RawImage,
  divisor: number,
  mean: readonly number[],
  std: readonly number[],
  reuse?: Float32Array,
): Float32Array {
  const side = SAM_INPUT_LENGTH;
  const planeSize = side * side;
  const out = reuse ?? new Float32Array(3 * planeSize);
  if (out.length !== 3 * planeSize) {
    throw new RangeError(`an NCHW encoder input holds ${3 * planeSize} values, not ${out.length}`);
  }
  if (reuse) clearPadding(out, rgb.width, rgb.height);
  const [red, green, blue] = [0, 1, 2].map((c) => channelTable(divisor, mean[c]!, std[c]!));
  const src = rgb.data;
  for (let y = 0; y < rgb.height; y++) {
    let s = y * rgb.width * 3;
    const rowStart = y * side;
    const rowEnd = rowStart + rgb.width;
    for (let o = rowStart; o < rowEnd; o++, s += 3) {
      out[o] = red![src[s]!]!;
      out[o + planeSize] = green![src[s + 1]!]!;
      out[o + 2 * planeSize] = blue![src[s + 2]!]!;
    }
  }
  return out;
}

/** Zeros every value of each plane outside the top-left width x height picture. */
function clearPadding(out: Float32Array, width: number, height: number): void {
  const side = SAM_INPUT_LENGTH;
  for (let plane = 0; plane < out.length; plane += side * side) {
    if (width < side) {
      for (let row = plane; row < plane + height * side; row += side) {
        out.fill(0, row + width, row + side);
      }
    }
    out.fill(0, plane + height * side, plane + side * side);
  }
}

/** (value / divisor - mean) / std for every 8-bit value. */
export function channelTable(divisor: number, mean: number, std: number): Float32Array {
  const table = new Float32Array(256);
  for (let v = 0; v < 256; v++) table[v] = (v / divisor - mean) / std;
  return table;
}

/** A2: normalised with the SAM mean/std on the 0-255 scale, zero-padded bottom/right. */
export function sam1Nchw(rgb: RawImage, reuse?: Float32Array): Float32Array {
  return normalisedNchw(rgb, 1, SAM1_PIXEL_MEAN, SAM1_PIXEL_STD, reuse);
}

/** B: scaled to [0,1], ImageNet mean/std; the input is the whole 1024x1024 squash. */
export function sam2Nchw(rgb: RawImage, reuse?: Float32Array): Float32Array {
  return normalisedNchw(rgb, 255, SAM2_PIXEL_MEAN, SAM2_PIXEL_STD, reuse);
}

/** The size of the image area inside the 1024 frame (the rest of a contract A input is padding). */
export function frameSize(original: Size, encoder: EncoderContract): Size {
  return modelResizeSize(original, resizeContractOf(encoder));
}
