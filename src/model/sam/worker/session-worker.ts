/**
 * Worker-thread entry of WorkerSession: one ONNX Runtime session, opened from workerData, that
 * runs what the main thread sends. onnxruntime-node's run() holds the thread it is called on
 * for the whole inference (microsoft/onnxruntime#19611), so a session run here leaves the main
 * thread free to answer requests and prepare the next input meanwhile.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type * as Ort from 'onnxruntime-node';
import { loadOrt } from '../ort-module.js';
import {
  buffersOf,
  type FromWorker,
  type SessionWorkerData,
  type ToWorker,
  type TensorValue,
} from './protocol.js';

const port = parentPort!;
const { file, options } = workerData as SessionWorkerData;

function post(message: FromWorker, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}

function errorParts(err: unknown): { name: string; message: string } {
  return err instanceof Error
    ? { name: err.name, message: err.message }
    : { name: 'Error', message: String(err) };
}

async function run(
  ort: typeof Ort,
  session: Ort.InferenceSession,
  id: number,
  feeds: Record<string, TensorValue>,
  fetches: readonly string[],
  returnFeeds: boolean,
): Promise<void> {
  try {
    const tensors: Record<string, Ort.Tensor> = {};
    for (const [name, { type, data, dims }] of Object.entries(feeds)) {
      tensors[name] = new ort.Tensor(type, data, dims);
    }
    const results = await session.run(tensors, [...fetches]);
    const outputs: Record<string, TensorValue> = {};
    for (const [name, { type, data, dims }] of Object.entries(results)) {
      outputs[name] = { type, data, dims: [...dims] };
    }
    // ONNX Runtime is done with the inputs once run() resolves.
    const feedBuffers = returnFeeds ? buffersOf(feeds) : [];
    post({ kind: 'ran', id, outputs, feedBuffers }, [...buffersOf(outputs), ...feedBuffers]);
  } catch (err) {
    post({ kind: 'run-failed', id, ...errorParts(err) });
  }
}

async function main(): Promise<void> {
  const ort = await loadOrt();
  let session: Ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(file, options);
  } catch (err) {
    post({ kind: 'open-failed', message: errorParts(err).message });
    return;
  }
  port.on('message', (message: ToWorker) => {
    if (message.kind === 'run') {
      void run(ort, session, message.id, message.feeds, message.fetches, message.returnFeeds);
    } else {
      void session.release().finally(() => post({ kind: 'released' }));
    }
  });
  post({
    kind: 'opened',
    inputMetadata: session.inputMetadata,
    outputMetadata: session.outputMetadata,
  });
}

void main();
