import * as ort from 'onnxruntime-node';
import { MODEL_SIZE } from './model-frame.js';

export interface EncoderTiming {
  createMs: number;
  /** Every timed run, in order; the first includes ONNX Runtime's warm-up. */
  runsMs: number[];
  medianMs: number;
}

/** Times a contract-A2 style encoder (one [1,3,1024,1024] float input) on the CPU provider. */
export async function timeA2Encoder(file: string, runs = 5): Promise<EncoderTiming> {
  const started = performance.now();
  const session = await ort.InferenceSession.create(file, { executionProviders: ['cpu'] });
  const createMs = performance.now() - started;
  try {
    const [inputName] = session.inputNames;
    if (inputName === undefined) throw new Error(`${file} declares no input`);
    const data = Float32Array.from(
      { length: 3 * MODEL_SIZE * MODEL_SIZE },
      (_, i) => ((i % 251) - 125) / 60,
    );
    const feeds = { [inputName]: new ort.Tensor('float32', data, [1, 3, MODEL_SIZE, MODEL_SIZE]) };
    const runsMs: number[] = [];
    for (let i = 0; i < runs; i += 1) {
      const t0 = performance.now();
      await session.run(feeds);
      runsMs.push(performance.now() - t0);
    }
    const sorted = [...runsMs].sort((a, b) => a - b);
    return { createMs, runsMs, medianMs: sorted[Math.floor(sorted.length / 2)] ?? NaN };
  } finally {
    await session.release();
  }
}
