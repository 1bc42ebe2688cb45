import { ModelContractError } from './errors.js';
import type { DeclaredTensors, TensorInfo } from './tensor-info.js';
import { describeTensor } from './tensor-info.js';

/**
 * Which SAM contract of MODELS.md an ONNX file follows, read from the inputs and outputs it
 * declares (names, types, dims) and never from its file name.
 */

/** Expected dims: a number must match a fixed declared dim; null accepts anything. */
type DimsPattern = readonly (number | null)[];

export const EMBEDDING_DIMS = [1, 256, 64, 64] as const;
export const SAM2_FEATURE_DIMS = {
  high_res_feats_0: [1, 32, 256, 256],
  high_res_feats_1: [1, 64, 128, 128],
  image_embed: [1, 256, 64, 64],
} as const;
export const LOW_RES_SIDE = 256;
const IMAGE_NCHW: DimsPattern = [1, 3, 1024, 1024];

export type EncoderContract =
  /** HWC raw RGB resized to longest side 1024; normalise and pad in the graph. */
  | { kind: 'A1'; input: string; inputType: 'float32' | 'uint8' }
  /** NCHW [1,3,1024,1024], normalised and zero-padded by the caller. */
  | { kind: 'A2'; input: string }
  /** SAM 2: NCHW squashed, ImageNet-normalised; three feature maps out. */
  | { kind: 'B'; input: string };

export type DecoderContract =
  /**
   * SamOnnxModel. `candidates` is C from the declared output dims, null while it is symbolic
   * (read from the first run's output).
   */
  | { kind: 'A'; candidates: number | null; lowRes: boolean }
  /** Three inputs; low-res `masks` and a score output (`scores` or `iou_predictions`). */
  | { kind: 'edgesam'; candidates: number | null; scores: string }
  | { kind: 'B'; candidates: number | null };

export type ModelFamily = 'sam1' | 'sam2';

export function familyOf(encoder: EncoderContract): ModelFamily {
  return encoder.kind === 'B' ? 'sam2' : 'sam1';
}

function find(list: readonly TensorInfo[], name: string): TensorInfo | undefined {
  return list.find((t) => t.name === name);
}

function isDynamic(dim: number | string): boolean {
  return typeof dim === 'string' || dim < 0;
}

function patternText(pattern: DimsPattern): string {
  return `[${pattern.map((d) => (d === null ? '?' : d)).join(',')}]`;
}

/** Why `t` does not fit (type and dims), or null when it does. Unknown rank is accepted. */
function mismatch(
  t: TensorInfo,
  types: readonly string[],
  pattern: DimsPattern | null,
): string | null {
  if (!types.includes(t.type)) {
    return `${t.name} is ${t.type}, expected ${types.join(' or ')}`;
  }
  if (!pattern || t.dims.length === 0) return null;
  const fits =
    t.dims.length === pattern.length &&
    pattern.every((want, i) => want === null || isDynamic(t.dims[i]!) || t.dims[i] === want);
  return fits ? null : `${t.name} is [${t.dims.join(',')}], expected ${patternText(pattern)}`;
}

/** The fixed C of a [B,C,...] output, null when symbolic or unknown. */
function candidateCount(t: TensorInfo | undefined): number | null {
  const c = t?.dims[1];
  return typeof c === 'number' && c > 0 ? c : null;
}

const ENCODER_CONTRACTS =
  'A1: input_image float32|uint8 [h,w,3] -> image_embeddings [1,256,64,64]; ' +
  'A2: input_image|image float32 [1,3,1024,1024] -> image_embeddings [1,256,64,64]; ' +
  'B: image float32 [1,3,1024,1024] -> high_res_feats_0, high_res_feats_1, image_embed';

export function detectEncoder(file: string, declared: DeclaredTensors): EncoderContract {
  const fail = (reason: string): never => {
    throw new ModelContractError(file, 'encoder', reason, declared);
  };
  const problems = (list: (string | null)[]): void => {
    const found = list.filter((p): p is string => p !== null);
    if (found.length) fail(`not a SAM encoder: ${found.join('; ')}`);
  };
  const { inputs, outputs } = declared;
  const embeddings = find(outputs, 'image_embeddings');
  const sam2Outputs = Object.keys(SAM2_FEATURE_DIMS).map((name) => find(outputs, name));

  if (inputs.length !== 1) {
    fail(`a SAM encoder has exactly one input, this has ${inputs.length} (${ENCODER_CONTRACTS})`);
  }
  const input = inputs[0]!;

  if (embeddings) {
    problems([mismatch(embeddings, ['float32'], EMBEDDING_DIMS)]);
    if (input.name === 'input_image' && input.dims.length === 3) {
      problems([mismatch(input, ['float32', 'uint8'], [null, null, 3])]);
      return { kind: 'A1', input: input.name, inputType: input.type as 'float32' | 'uint8' };
    }
    if (input.name === 'input_image' || input.name === 'image') {
      problems([mismatch(input, ['float32'], IMAGE_NCHW)]);
      return { kind: 'A2', input: input.name };
    }
    fail(`its input ${describeTensor(input)} is neither A1 nor A2 (${ENCODER_CONTRACTS})`);
  }
  if (sam2Outputs.every((t) => t !== undefined)) {
    if (input.name !== 'image') fail(`a SAM 2 encoder's input is "image", not "${input.name}"`);
    problems([
      mismatch(input, ['float32'], IMAGE_NCHW),
      ...Object.entries(SAM2_FEATURE_DIMS).map(([name, dims]) =>
        mismatch(find(outputs, name)!, ['float32'], dims),
      ),
    ]);
    return { kind: 'B', input: input.name };
  }
  return fail(`fits no SAM encoder contract (${ENCODER_CONTRACTS})`);
}

interface InputSpec {
  name: string;
  types: readonly string[];
  dims: DimsPattern | null;
}

const F32 = ['float32'];
const POINT_INPUTS: InputSpec[] = [
  { name: 'point_coords', types: F32, dims: [null, null, 2] },
  { name: 'point_labels', types: F32, dims: [null, null] },
];
const SAM1_DECODER_INPUTS: InputSpec[] = [
  { name: 'image_embeddings', types: F32, dims: EMBEDDING_DIMS },
  ...POINT_INPUTS,
];
const MASK_INPUTS: InputSpec[] = [
  { name: 'mask_input', types: F32, dims: [null, 1, LOW_RES_SIDE, LOW_RES_SIDE] },
  { name: 'has_mask_input', types: F32, dims: [null] },
];
const DECODER_A_INPUTS: InputSpec[] = [
  ...SAM1_DECODER_INPUTS,
  ...MASK_INPUTS,
  { name: 'orig_im_size', types: F32, dims: [2] },
];
const DECODER_B_INPUTS: InputSpec[] = [
  ...Object.entries(SAM2_FEATURE_DIMS).map(([name, dims]) => ({ name, types: F32, dims })),
  ...POINT_INPUTS,
  ...MASK_INPUTS,
];

/** Problems of `declared.inputs` against exactly `specs` (missing, extra, wrong type/dims). */
function inputProblems(declared: DeclaredTensors, specs: InputSpec[]): string[] {
  const problems: string[] = [];
  for (const spec of specs) {
    const t = find(declared.inputs, spec.name);
    if (!t) problems.push(`input ${spec.name} is missing`);
    else {
      const wrong = mismatch(t, spec.types, spec.dims);
      if (wrong) problems.push(wrong);
    }
  }
  for (const t of declared.inputs) {
    if (!specs.some((s) => s.name === t.name)) problems.push(`input ${t.name} is not expected`);
  }
  return problems;
}

function outputProblems(
  declared: DeclaredTensors,
  names: string[],
  dims: Record<string, DimsPattern>,
): string[] {
  const problems: string[] = [];
  for (const name of names) {
    const t = find(declared.outputs, name);
    if (!t) problems.push(`output ${name} is missing`);
    else {
      const wrong = mismatch(t, F32, dims[name] ?? null);
      if (wrong) problems.push(wrong);
    }
  }
  return problems;
}

const DECODER_CONTRACTS =
  'A: image_embeddings, point_coords, point_labels, mask_input, has_mask_input, orig_im_size -> ' +
  'masks, iou_predictions[, low_res_masks]; EdgeSAM: image_embeddings, point_coords, ' +
  'point_labels -> scores, masks [1,C,256,256]; B: image_embed, high_res_feats_0, ' +
  'high_res_feats_1, point_coords, point_labels, mask_input, has_mask_input -> masks, iou_predictions';

export function detectDecoder(file: string, declared: DeclaredTensors): DecoderContract {
  const fail = (reason: string): never => {
    throw new ModelContractError(file, 'decoder', reason, declared);
  };
  const check = (contract: string, problems: string[]): void => {
    if (problems.length) fail(`not a contract ${contract} decoder: ${problems.join('; ')}`);
  };
  const has = (name: string): boolean => find(declared.inputs, name) !== undefined;
  const lowRes: DimsPattern = [null, null, LOW_RES_SIDE, LOW_RES_SIDE];
  const masks = find(declared.outputs, 'masks');

  if (has('image_embed')) {
    check('B', [
      ...inputProblems(declared, DECODER_B_INPUTS),
      ...outputProblems(declared, ['masks', 'iou_predictions'], { masks: lowRes }),
    ]);
    return { kind: 'B', candidates: candidateCount(masks) };
  }
  if (!has('image_embeddings')) return fail(`fits no SAM decoder contract (${DECODER_CONTRACTS})`);

  const threeInputs = declared.inputs.length === SAM1_DECODER_INPUTS.length;
  if (threeInputs && !has('mask_input')) {
    const scores = find(declared.outputs, 'scores') ? 'scores' : 'iou_predictions';
    check('EdgeSAM', [
      ...inputProblems(declared, SAM1_DECODER_INPUTS),
      ...outputProblems(declared, ['masks', scores], { masks: lowRes }),
    ]);
    return { kind: 'edgesam', candidates: candidateCount(masks), scores };
  }
  const lowResOutput = find(declared.outputs, 'low_res_masks') !== undefined;
  check('A', [
    ...inputProblems(declared, DECODER_A_INPUTS),
    ...outputProblems(
      declared,
      ['masks', 'iou_predictions', ...(lowResOutput ? ['low_res_masks'] : [])],
      { masks: [1, null, null, null], low_res_masks: lowRes },
    ),
  ]);
  return {
    kind: 'A',
    candidates: candidateCount(masks) ?? candidateCount(find(declared.outputs, 'iou_predictions')),
    lowRes: lowResOutput,
  };
}

/** The tensors an encoder hands to its decoder, by name. */
function handedOver(encoder: EncoderContract): string[] {
  return encoder.kind === 'B' ? Object.keys(SAM2_FEATURE_DIMS) : ['image_embeddings'];
}

/** Throws unless the decoder takes what the encoder gives (family and fixed dims). */
export function checkPair(
  files: { encoder: string; decoder: string },
  encoder: { contract: EncoderContract; declared: DeclaredTensors },
  decoder: { contract: DecoderContract; declared: DeclaredTensors },
): void {
  const pairName = `${files.encoder} + ${files.decoder}`;
  const encoderFamily = familyOf(encoder.contract);
  const decoderFamily = decoder.contract.kind === 'B' ? 'sam2' : 'sam1';
  if (encoderFamily !== decoderFamily) {
    throw new ModelContractError(
      pairName,
      'pair',
      `the encoder follows contract ${encoder.contract.kind} (${encoderFamily}) but the decoder ` +
        `follows contract ${decoder.contract.kind} (${decoderFamily}); they do not belong together`,
    );
  }
  for (const name of handedOver(encoder.contract)) {
    const out = find(encoder.declared.outputs, name)!;
    const into = find(decoder.declared.inputs, name)!;
    const clash = out.dims.some(
      (d, i) => typeof d === 'number' && typeof into.dims[i] === 'number' && d !== into.dims[i],
    );
    if (clash || (out.dims.length && into.dims.length && out.dims.length !== into.dims.length)) {
      throw new ModelContractError(
        pairName,
        'pair',
        `the encoder gives ${describeTensor(out)} but the decoder takes ${describeTensor(into)}`,
      );
    }
  }
}

/** Contract details must not change when a released session is loaded again (file replaced). */
export function sameContract<T extends EncoderContract | DecoderContract>(a: T, b: T): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
