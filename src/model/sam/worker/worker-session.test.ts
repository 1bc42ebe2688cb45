import { execFile } from 'node:child_process';
import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTestModels, type TestModelPaths } from '../../../../tools/test-models/index.js';
import { objectsScene } from '../../../../tools/test-models/test-support.js';
import { openTestPair, sceneImage } from '../sam-test-support.js';
import { scriptCommand } from '../../../store/testdata/built-script.js';
import { WorkerSession } from './worker-session.js';
import { nextWorkerRun } from './worker-test-support.js';

const run = promisify(execFile);

let models: TestModelPaths;
let tmp: string;
const cpu = { executionProviders: ['cpu'] };

function nchwInput(seed: number): Float32Array {
  const data = new Float32Array(3 * 1024 * 1024);
  for (let i = 0; i < data.length; i++) data[i] = Math.sin(i * 0.001 + seed);
  return data;
}

/** Bit-for-bit equality (toEqual walks a million floats one by one, for seconds). */
function sameFloats(a: unknown, b: unknown): boolean {
  const bytes = (x: unknown) => {
    const view = x as Float32Array;
    return Buffer.from(view.buffer, view.byteOffset, view.byteLength);
  };
  return bytes(a).equals(bytes(b));
}

/** Private access for fault injection: the thread a WorkerSession runs on. */
function threadOf(session: WorkerSession): { terminate(): Promise<number> } {
  return (session as unknown as { worker: { terminate(): Promise<number> } }).worker;
}

beforeAll(async () => {
  models = await ensureTestModels();
  tmp = await mkdtemp(path.join(os.tmpdir(), 'sam-worker-session-'));
});

afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('WorkerSession', () => {
  it('declares what the file declares and computes what an in-thread session computes', async () => {
    const inThread = await ort.InferenceSession.create(models.encoderA2, cpu);
    const worker = await WorkerSession.create(models.encoderA2, cpu);
    try {
      expect(worker.inputMetadata).toEqual(inThread.inputMetadata);
      expect(worker.outputMetadata).toEqual(inThread.outputMetadata);
      const data = nchwInput(1);
      const dims = [1, 3, 1024, 1024];
      const expected = await inThread.run({ input_image: new ort.Tensor('float32', data, dims) });
      const got = await worker.run({ input_image: { type: 'float32', data, dims } }, [
        'image_embeddings',
      ]);
      const embedding = got.image_embeddings!;
      expect(embedding.dims).toEqual([1, 256, 64, 64]);
      expect(embedding.data).toBeInstanceOf(Float32Array);
      expect(sameFloats(embedding.data, expected.image_embeddings!.data)).toBe(true);
      // Without `transfer` the caller keeps its input.
      expect(data.byteLength).toBe(3 * 1024 * 1024 * 4);
    } finally {
      await inThread.release();
      await worker.release();
    }
  });

  it('hands input buffers over when asked, instead of copying them', async () => {
    const worker = await WorkerSession.create(models.encoderA2, cpu);
    try {
      const data = nchwInput(2);
      const dims = [1, 3, 1024, 1024];
      await worker.run(
        { input_image: { type: 'float32', data, dims } },
        ['image_embeddings'],
        true,
      );
      expect(data.byteLength).toBe(0);
    } finally {
      await worker.release();
    }
  });

  it('gives the input buffers back after the run when asked, for the next inputs', async () => {
    const worker = await WorkerSession.create(models.encoderA2, cpu);
    try {
      const dims = [1, 3, 1024, 1024];
      const first = nchwInput(5);
      const back: ArrayBuffer[] = [];
      const out = await worker.run(
        { input_image: { type: 'float32', data: first, dims } },
        ['image_embeddings'],
        true,
        (buffer) => back.push(buffer),
      );
      expect(back.map((b) => b.byteLength)).toEqual([3 * 1024 * 1024 * 4]);
      // The buffer came back with its input intact, and works as the next input.
      expect(sameFloats(new Float32Array(back[0]!), nchwInput(5))).toBe(true);
      const again = await worker.run(
        { input_image: { type: 'float32', data: new Float32Array(back[0]!), dims } },
        ['image_embeddings'],
        true,
      );
      expect(sameFloats(again.image_embeddings!.data, out.image_embeddings!.data)).toBe(true);
    } finally {
      await worker.release();
    }
  });

  it("rejects a bad run with ONNX Runtime's reason and keeps working", async () => {
    const worker = await WorkerSession.create(models.encoderA2, cpu);
    try {
      const wrong = { type: 'float32' as const, data: new Float32Array(12), dims: [1, 3, 2, 2] };
      await expect(worker.run({ nosuch: wrong }, ['image_embeddings'])).rejects.toThrow(
        /input_image.*missing/,
      );
      const data = nchwInput(3);
      const out = await worker.run(
        { input_image: { type: 'float32', data, dims: [1, 3, 1024, 1024] } },
        ['image_embeddings'],
      );
      expect(out.image_embeddings!.dims).toEqual([1, 256, 64, 64]);
    } finally {
      await worker.release();
    }
  });

  it('refuses a file ONNX Runtime cannot load, naming it', async () => {
    const broken = path.join(tmp, 'broken.onnx');
    await writeFile(broken, 'not an onnx file');
    await expect(WorkerSession.create(broken, cpu)).rejects.toThrow(/broken\.onnx/);
  });

  it('fails the runs in flight when its thread dies, and refuses new ones', async () => {
    const worker = await WorkerSession.create(models.encoderA2, cpu);
    const data = nchwInput(4);
    const run = worker.run({ input_image: { type: 'float32', data, dims: [1, 3, 1024, 1024] } }, [
      'image_embeddings',
    ]);
    await threadOf(worker).terminate();
    await expect(run).rejects.toThrow(/worker thread of .*stopped/);
    expect(worker.closed).toBe(true);
    await expect(worker.run({}, ['image_embeddings'])).rejects.toThrow(/stopped/);
    await worker.release();
  });

  it('keeps a process alive until release() is done, as a command ending with it needs', async () => {
    const script = fileURLToPath(new URL('./testdata/run-release-print.ts', import.meta.url));
    const srcRoot = fileURLToPath(new URL('../../../', import.meta.url));
    const distRoot = path.join(srcRoot, '..', 'dist');
    const { args } = scriptCommand(script, srcRoot, distRoot);
    const { stdout } = await run(process.execPath, [...args, models.encoderA2]);
    expect(stdout).toBe('released after a run giving [1,256,64,64]\n');
  });

  it('release() ends the thread; runs after it are refused', async () => {
    const worker = await WorkerSession.create(models.encoderA2, cpu);
    await worker.release();
    expect(worker.closed).toBe(true);
    await expect(worker.run({}, ['image_embeddings'])).rejects.toThrow(/released/);
  });
});

describe('SamSegmenter with its encoder in a worker thread', () => {
  it('answers a click on one picture while another picture is encoding', async () => {
    const segmenter = await openTestPair('encoderA2Heavy', 'decoderSingle');
    try {
      const scene = objectsScene(640, 480);
      const image = await sceneImage(scene);
      const embedding = await segmenter.encode(image);
      const [x, y] = scene.inside.blue;
      const other = await sceneImage(objectsScene(800, 600), 'other');
      const order: string[] = [];
      // The click is made once the encoder run has been handed to the worker.
      const started = nextWorkerRun();
      const encoding = segmenter.encode(other).then(() => order.push('encode'));
      await started;
      const clicked = segmenter
        .predict(embedding, { points: [{ x, y, label: 1 }] })
        .then(() => order.push('click'));
      await Promise.all([encoding, clicked]);
      expect(order).toEqual(['click', 'encode']);
    } finally {
      await segmenter.release();
    }
  });

  it('opens a new thread when the old one died, and encodes the same as before', async () => {
    const segmenter = await openTestPair('encoderA2', 'decoderSingle');
    try {
      const image = await sceneImage(objectsScene(320, 240));
      const before = await segmenter.encode(image);
      const encoder = (
        segmenter as unknown as { encoder: { use<T>(w: (s: WorkerSession) => T): Promise<T> } }
      ).encoder;
      await encoder.use((session) => threadOf(session).terminate());
      const after = await segmenter.encode(image);
      expect(
        sameFloats(after.tensors.image_embeddings!.data, before.tensors.image_embeddings!.data),
      ).toBe(true);
    } finally {
      await segmenter.release();
    }
  });

  it('keeps the picture of a uint8 A1 encoder intact (its input is a view, not handed over)', async () => {
    const segmenter = await openTestPair('encoderA1Uint8', 'decoderSingle');
    try {
      const image = await sceneImage(objectsScene(320, 240));
      const picture = await image.modelInput('longest-side');
      const cached = { ...image, modelInput: async () => picture };
      const first = await segmenter.encode(cached);
      expect(picture.data.byteLength).toBeGreaterThan(0);
      const second = await segmenter.encode(cached);
      expect(
        sameFloats(second.tensors.image_embeddings!.data, first.tensors.image_embeddings!.data),
      ).toBe(true);
    } finally {
      await segmenter.release();
    }
  });
});
