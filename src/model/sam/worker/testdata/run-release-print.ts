/**
 * `node run-release-print.js ENCODER.onnx`: one run, release, then a line on stdout. Nothing
 * else keeps this process alive, as in a CLI command whose last step is releasing its model.
 */
import { WorkerSession } from '../worker-session.js';

const session = await WorkerSession.create(process.argv[2]!, { executionProviders: ['cpu'] });
const data = new Float32Array(3 * 1024 * 1024);
const out = await session.run(
  { input_image: { type: 'float32', data, dims: [1, 3, 1024, 1024] } },
  ['image_embeddings'],
);
await session.release();
process.stdout.write(`released after a run giving [${out.image_embeddings!.dims.join(',')}]\n`);
