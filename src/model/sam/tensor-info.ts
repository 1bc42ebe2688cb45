import type { InferenceSession } from 'onnxruntime-node';

/** What an ONNX file declares about one input or output. */
export interface TensorInfo {
  name: string;
  /** ONNX Runtime's type name (float32, uint8...), or "non-tensor". */
  type: string;
  /** Numbers for fixed dimensions, names for symbolic ones; empty when the rank is unknown. */
  dims: readonly (number | string)[];
}

export interface DeclaredTensors {
  inputs: readonly TensorInfo[];
  outputs: readonly TensorInfo[];
}

function infoOf(meta: InferenceSession.ValueMetadata): TensorInfo {
  if (!meta.isTensor) return { name: meta.name, type: 'non-tensor', dims: [] };
  return { name: meta.name, type: meta.type, dims: [...meta.shape] };
}

export function declaredTensors(
  session: Pick<InferenceSession, 'inputMetadata' | 'outputMetadata'>,
): DeclaredTensors {
  return {
    inputs: session.inputMetadata.map(infoOf),
    outputs: session.outputMetadata.map(infoOf),
  };
}

export function describeTensor(t: TensorInfo): string {
  return `${t.name} ${t.type} [${t.dims.join(',')}]`;
}

/** "inputs: a float32 [1,3]; outputs: b float32 [1]" */
export function describeTensors(declared: DeclaredTensors): string {
  const list = (tensors: readonly TensorInfo[]): string =>
    tensors.length ? tensors.map(describeTensor).join(', ') : 'none';
  return `inputs: ${list(declared.inputs)}; outputs: ${list(declared.outputs)}`;
}
