import { GeometryError, describeValue } from './errors.js';
import { checkSize } from './size.js';
import { ScaleTransform } from './transform.js';
import type { Size } from './types.js';

/** Longest side of the SAM encoder input. */
export const SAM_INPUT_LENGTH = 1024;

/**
 * How an image becomes the encoder input (MODELS.md):
 * - `longest-side` (contract A, SAM 1 family): scale so the longest side is `length` with the
 *   reference rounding, then pad bottom/right to length x length;
 * - `squash` (contract B, SAM 2): resize straight to length x length, aspect not kept.
 */
export type ResizeContract = 'longest-side' | 'squash';

function checkLength(value: number, field: string): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new GeometryError(
      `${field} must be a whole number >= 1, got ${describeValue(value)}`,
      field,
      value,
    );
  }
  return value;
}

/**
 * Size of the display picture: the original scaled down so its longest side is `maxSide`
 * (never scaled up). Callers that resize pixels must ask for exactly this width and height so
 * that the display transform matches the picture.
 */
export function displaySize(original: Size, maxSide: number): Size {
  checkSize(original, 'original size');
  checkLength(maxSide, 'maxSide');
  const longest = Math.max(original.width, original.height);
  if (longest <= maxSide) return { width: original.width, height: original.height };
  const scale = maxSide / longest;
  const side = (value: number): number =>
    value === longest ? maxSide : Math.max(1, Math.round(value * scale));
  return { width: side(original.width), height: side(original.height) };
}

/** original -> display, with the exact per-axis ratios of the two pixel grids. */
export function originalToDisplay(original: Size, maxSide: number): ScaleTransform {
  return ScaleTransform.between('original', 'display', original, displaySize(original, maxSide));
}

/**
 * The size the image is resized to before padding, as the reference computes it
 * (ResizeLongestSide.get_preprocess_shape: scale = length / max(h, w), side = int(side * scale
 * + 0.5)). A side the reference would round to 0 (e.g. 1 x 5000) is kept at 1 pixel.
 */
export function modelResizeSize(
  original: Size,
  contract: ResizeContract,
  length = SAM_INPUT_LENGTH,
): Size {
  checkSize(original, 'original size');
  checkLength(length, 'length');
  if (contract === 'squash') return { width: length, height: length };
  if (contract !== 'longest-side') {
    throw new GeometryError(
      `unknown resize contract ${describeValue(contract)} (expected "longest-side" or "squash")`,
      'contract',
      contract,
    );
  }
  const scale = length / Math.max(original.width, original.height);
  const side = (value: number): number => Math.max(1, Math.floor(value * scale + 0.5));
  return { width: side(original.width), height: side(original.height) };
}

export interface ModelInputGeometry {
  contract: ResizeContract;
  /** What the picture is resized to (newW x newH); the rest of the input is padding. */
  resizeSize: Size;
  /** The encoder input tensor's spatial size (length x length). */
  inputSize: Size;
  /**
   * original -> model: x' = x * newW / w, y' = y * newH / h with the rounded sizes, the
   * per-axis ratios the reference apply_coords uses (and 1024/w, 1024/h for `squash`).
   */
  transform: ScaleTransform;
}

export function modelInputGeometry(
  original: Size,
  contract: ResizeContract,
  length = SAM_INPUT_LENGTH,
): ModelInputGeometry {
  const resizeSize = modelResizeSize(original, contract, length);
  return {
    contract,
    resizeSize,
    inputSize: { width: length, height: length },
    transform: ScaleTransform.between('original', 'model', original, resizeSize),
  };
}

/** original -> model for prompts (points and box corners). */
export function originalToModel(
  original: Size,
  contract: ResizeContract,
  length = SAM_INPUT_LENGTH,
): ScaleTransform {
  return modelInputGeometry(original, contract, length).transform;
}
