import type * as Ort from 'onnxruntime-node';

/** A tensor as it crosses threads: structured-clonable, its buffer transferable. */
export interface TensorValue {
  type: Ort.Tensor.Type;
  data: Ort.Tensor.DataType;
  dims: readonly number[];
}

/** What the worker is started with (its workerData). */
export interface SessionWorkerData {
  file: string;
  options: Ort.InferenceSession.SessionOptions;
}

export type ToWorker =
  | {
      kind: 'run';
      id: number;
      feeds: Record<string, TensorValue>;
      fetches: readonly string[];
      /** Send the feeds' buffers back with the outputs, for the next inputs to reuse. */
      returnFeeds: boolean;
    }
  | { kind: 'release' };

export type FromWorker =
  | {
      kind: 'opened';
      inputMetadata: readonly Ort.InferenceSession.ValueMetadata[];
      outputMetadata: readonly Ort.InferenceSession.ValueMetadata[];
    }
  | { kind: 'open-failed'; message: string }
  | { kind: 'ran'; id: number; outputs: Record<string, TensorValue>; feedBuffers: ArrayBuffer[] }
  | { kind: 'run-failed'; id: number; name: string; message: string }
  | { kind: 'released' };

/** The distinct buffers behind `tensors` (a buffer can back several views). */
export function buffersOf(tensors: Record<string, TensorValue>): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  for (const { data } of Object.values(tensors)) {
    if (ArrayBuffer.isView(data) && data.buffer instanceof ArrayBuffer) buffers.add(data.buffer);
  }
  return [...buffers];
}
