import { originalToSamPrompt, type Size } from '../../geometry/index.js';
import { PromptError, type Prompt } from '../segmenter.js';
import { LOW_RES_SIDE, type DecoderContract } from './contract.js';

/** More clicks than anyone gives by hand; a longer list is a bug upstream. */
export const MAX_PROMPT_POINTS = 64;

const LABEL_POSITIVE = 1;
const LABEL_NEGATIVE = 0;
const LABEL_BOX_TOP_LEFT = 2;
const LABEL_BOX_BOTTOM_RIGHT = 3;
const LABEL_PADDING = -1;

function describe(value: unknown): string {
  return typeof value === 'number' ? String(value) : (JSON.stringify(value) ?? String(value));
}

function checkCoordinate(value: unknown, field: string, limit: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > limit) {
    throw new PromptError(
      `${field} must be a finite number from 0 to ${limit} (the image side), got ${describe(value)}`,
      field,
    );
  }
}

/** Throws a PromptError naming the field unless this decoder can serve `prompt` on `original`. */
export function validatePrompt(prompt: Prompt, original: Size, decoder: DecoderContract): void {
  const points: unknown = prompt?.points;
  if (!Array.isArray(points)) {
    throw new PromptError(`points must be an array of clicks, got ${describe(points)}`, 'points');
  }
  if (points.length === 0 && !prompt.box) {
    throw new PromptError('the prompt has no points and no box: give a click or a box', 'points');
  }
  if (points.length > MAX_PROMPT_POINTS) {
    throw new PromptError(
      `points has ${points.length} clicks; at most ${MAX_PROMPT_POINTS} are accepted`,
      'points',
    );
  }
  points.forEach((point: Prompt['points'][number], i) => {
    checkCoordinate(point?.x, `points[${i}].x`, original.width);
    checkCoordinate(point?.y, `points[${i}].y`, original.height);
    if (point.label !== LABEL_POSITIVE && point.label !== LABEL_NEGATIVE) {
      throw new PromptError(
        `points[${i}].label must be 1 (positive) or 0 (negative), got ${describe(point.label)}`,
        `points[${i}].label`,
      );
    }
  });
  if (prompt.box !== undefined) {
    const box = prompt.box;
    for (const key of ['x0', 'x1'] as const)
      checkCoordinate(box?.[key], `box.${key}`, original.width);
    for (const key of ['y0', 'y1'] as const)
      checkCoordinate(box[key], `box.${key}`, original.height);
    if (box.x0 === box.x1 || box.y0 === box.y1) {
      throw new PromptError(
        `box must have a non-zero width and height, got (${box.x0}, ${box.y0})-(${box.x1}, ${box.y1})`,
        'box',
      );
    }
  }
  if (prompt.maskInput !== undefined) validateMaskInput(prompt.maskInput, decoder);
}

function validateMaskInput(mask: NonNullable<Prompt['maskInput']>, decoder: DecoderContract): void {
  if (decoder.kind === 'edgesam') {
    throw new PromptError(
      'maskInput cannot be used: this decoder (EdgeSAM-style) has no mask_input',
      'maskInput',
    );
  }
  const cells = LOW_RES_SIDE * LOW_RES_SIDE;
  if (
    mask?.width !== LOW_RES_SIDE ||
    mask.height !== LOW_RES_SIDE ||
    !(mask.data instanceof Float32Array) ||
    mask.data.length !== cells
  ) {
    throw new PromptError(
      `maskInput must be ${LOW_RES_SIDE}x${LOW_RES_SIDE} float32 logits (a candidate's lowRes), ` +
        `got ${describe(mask?.width)}x${describe(mask?.height)} with ${
          mask?.data instanceof Float32Array
            ? `${mask.data.length} float32 values`
            : 'no Float32Array'
        }`,
      'maskInput',
    );
  }
  const bad = mask.data.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) {
    throw new PromptError(
      `maskInput.data[${bad}] is ${mask.data[bad]}, not a finite logit`,
      'maskInput',
    );
  }
}

/**
 * SAM's "ambiguous" prompts (one click, or a lone box): the multimask candidates are the answer.
 * For anything more, the single-mask token is (SamOnnxModel.select_masks counts the points the
 * same way: one click plus its padding point, or the two box corners).
 */
export function isAmbiguous(prompt: Prompt): boolean {
  const clicks = prompt.points.length;
  return prompt.box ? clicks === 0 : clicks === 1;
}

/**
 * `mask_input` when the prompt has none: zeros, made once and shared by every prompt (256 KB that
 * a click would otherwise allocate and clear). Decoders only read their inputs: never write it.
 */
const NO_MASK_INPUT = new Float32Array(LOW_RES_SIDE * LOW_RES_SIDE);

/** Decoder `point_coords` [1,N,2], `point_labels` [1,N], `mask_input`, `has_mask_input`. */
export interface PromptTensors {
  count: number;
  coords: Float32Array;
  labels: Float32Array;
  maskInput: Float32Array;
  hasMaskInput: number;
}

/**
 * The prompt in the decoder's terms. Points go through originalToSamPrompt (the reference's
 * pixel-index convention; the decoder adds its own 0.5). Contract A and EdgeSAM: clicks, then
 * the box corners (labels 2, 3) or else one padding point (0, 0, -1), as SamOnnxModel expects.
 * Contract B: box corners first, no padding point (the SAM 2 graph appends it).
 */
export function promptTensors(
  prompt: Prompt,
  original: Size,
  decoder: DecoderContract,
): PromptTensors {
  const sam2 = decoder.kind === 'B';
  const transform = originalToSamPrompt(original, sam2 ? 'squash' : 'longest-side');
  const entries: [number, number, number][] = prompt.points.map((p, i) => {
    const q = transform.forwardPoint(p, `points[${i}]`);
    return [q.x, q.y, p.label];
  });
  if (prompt.box) {
    const b = transform.forwardBox(prompt.box, 'box');
    const corners: [number, number, number][] = [
      [b.x0, b.y0, LABEL_BOX_TOP_LEFT],
      [b.x1, b.y1, LABEL_BOX_BOTTOM_RIGHT],
    ];
    if (sam2) entries.unshift(...corners);
    else entries.push(...corners);
  } else if (!sam2) {
    entries.push([0, 0, LABEL_PADDING]);
  }
  const coords = new Float32Array(entries.length * 2);
  const labels = new Float32Array(entries.length);
  entries.forEach(([x, y, label], i) => {
    coords[2 * i] = x;
    coords[2 * i + 1] = y;
    labels[i] = label;
  });
  const mask = prompt.maskInput;
  return {
    count: entries.length,
    coords,
    labels,
    maskInput: mask ? mask.data : NO_MASK_INPUT,
    hasMaskInput: mask ? 1 : 0,
  };
}
