import { describeTensors, type TensorInfo } from './tensor-info.js';

export type ModelRole = 'encoder' | 'decoder';

/**
 * An ONNX file whose declared inputs/outputs fit no SAM contract of MODELS.md, or an
 * encoder/decoder pair that does not fit together. The message lists what the file declares.
 */
export class ModelContractError extends Error {
  constructor(
    readonly file: string,
    readonly role: ModelRole | 'pair',
    reason: string,
    declared?: { inputs: readonly TensorInfo[]; outputs: readonly TensorInfo[] },
  ) {
    super(`${file}: ${reason}${declared ? `. It declares ${describeTensors(declared)}` : ''}`);
    this.name = 'ModelContractError';
  }
}

/** An ONNX file ONNX Runtime could not load (missing, truncated, missing external weights...). */
export class ModelLoadError extends Error {
  constructor(
    readonly file: string,
    readonly role: ModelRole,
    reason: string,
  ) {
    super(`Cannot load the ${role} ${file}: ${reason}`);
    this.name = 'ModelLoadError';
  }
}

export { EmbeddingError } from '../segmenter.js';
