import { GeometryError, describeValue } from './errors.js';
import { checkFinite, checkSize } from './size.js';
import { ScaleTransform } from './transform.js';
import type { BoxCorners, Point, Size } from './types.js';

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
   * per-axis ratios the reference apply_coords uses (and 1024/w, 1024/h for `squash`). This maps
   * pixel edges (image and mask grids); prompts for the decoder go through originalToSamPrompt.
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

/** original -> model for continuous positions; decoder prompts need originalToSamPrompt. */
export function originalToModel(
  original: Size,
  contract: ResizeContract,
  length = SAM_INPUT_LENGTH,
): ScaleTransform {
  return modelInputGeometry(original, contract, length).transform;
}

/**
 * original <-> the `point_coords` a SAM decoder takes (contract A and B alike).
 *
 * The reference works in pixel indices: SamPredictor takes points, and boxes as XYXY, in
 * coordinates where (i, j) names pixel (i, j); it scales them with apply_coords (x * newW / w,
 * or x * 1024 / w for SAM 2), and the prompt encoder then adds 0.5 to every point and box corner
 * ("Shift to center of pixel": _embed_points and _embed_boxes in
 * segment_anything/modeling/prompt_encoder.py, the same in sam2/modeling/sam/prompt_encoder.py
 * and in the ONNX SamOnnxModel). Our original space is continuous with pixel (i, j) centred on
 * (i + 0.5, j + 0.5), so a point first becomes the pixel-index position (x - 0.5, y - 0.5) and is
 * then scaled: a click on the centre of pixel (i, j) reaches the decoder as exactly what the
 * reference's click on (i, j) does, (i * newW / w, j * newH / h). (The reference adds its 0.5
 * after scaling, so the decoder sees pixel i at i * s + 0.5 rather than at (i + 0.5) * s; we keep
 * that offset of 0.5 * (1 - s) model pixels so that prompts match the reference exactly.)
 *
 * Boxes: a reference box holds the first and last pixel it covers, inclusive (what
 * utils/amg.py batched_mask_to_box returns), so its corners, shifted by 0.5, sit on the centres of
 * those pixels. Our box from (x0, y0) to (x1, y1) covers pixels x0 .. x1 - 1, whose centres are
 * x0 + 0.5 and x1 - 0.5; each goes through the point mapping, so the corners reach the decoder
 * as x0 * s and (x1 - 1) * s. Corners may come in any order. On an axis where the box is less
 * than a pixel across, both corners collapse to its middle instead of turning inside out; the
 * inverse widens such a box back to one pixel. Wider boxes round-trip to within rounding.
 */
export interface SamPromptTransform {
  /** The underlying scaling between the pixel-index frames. */
  readonly model: ScaleTransform;
  /** A point in original space -> decoder `point_coords`. */
  forwardPoint(p: Point, field?: string): Point;
  /** Decoder coordinates -> the original-space point (a pixel centre for whole indices). */
  inversePoint(q: Point, field?: string): Point;
  /** A box in original space -> its two corner points (labels 2 and 3), top-left first. */
  forwardBox(b: BoxCorners, field?: string): BoxCorners;
  /** Decoder box corners -> the original-space box over the pixels they name. */
  inverseBox(b: BoxCorners, field?: string): BoxCorners;
}

export function originalToSamPrompt(
  original: Size,
  contract: ResizeContract,
  length = SAM_INPUT_LENGTH,
): SamPromptTransform {
  const model = originalToModel(original, contract, length);
  const forwardPoint = (p: Point, field = 'point'): Point => {
    checkPoint(p, field);
    return model.forwardPoint({ x: p.x - 0.5, y: p.y - 0.5 });
  };
  const inversePoint = (q: Point, field = 'point'): Point => {
    checkPoint(q, field);
    const p = model.inversePoint(q);
    return { x: p.x + 0.5, y: p.y + 0.5 };
  };
  return {
    model,
    forwardPoint,
    inversePoint,
    forwardBox(b, field = 'box') {
      checkBox(b, field);
      const [cx0, cx1] = pixelCentres(b.x0, b.x1);
      const [cy0, cy1] = pixelCentres(b.y0, b.y1);
      const p0 = forwardPoint({ x: cx0, y: cy0 });
      const p1 = forwardPoint({ x: cx1, y: cy1 });
      return { x0: p0.x, y0: p0.y, x1: p1.x, y1: p1.y };
    },
    inverseBox(b, field = 'box') {
      checkBox(b, field);
      const p0 = inversePoint({ x: Math.min(b.x0, b.x1), y: Math.min(b.y0, b.y1) });
      const p1 = inversePoint({ x: Math.max(b.x0, b.x1), y: Math.max(b.y0, b.y1) });
      return { x0: p0.x - 0.5, y0: p0.y - 0.5, x1: p1.x + 0.5, y1: p1.y + 0.5 };
    },
  };
}

/** Centres of the first and last pixel an edge-to-edge span covers (see originalToSamPrompt). */
function pixelCentres(a: number, b: number): [number, number] {
  const lo = Math.min(a, b);
  const hi = Math.max(a, b);
  if (hi - lo < 1) return [(lo + hi) / 2, (lo + hi) / 2];
  return [lo + 0.5, hi - 0.5];
}

function checkPoint(p: Point, field: string): void {
  checkFinite(p?.x, `${field}.x`);
  checkFinite(p?.y, `${field}.y`);
}

function checkBox(b: BoxCorners, field: string): void {
  for (const key of ['x0', 'y0', 'x1', 'y1'] as const) checkFinite(b?.[key], `${field}.${key}`);
}
