import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../config/index.js';
import { DefaultSegmenter } from './default/index.js';
import { openSegmenter } from './open-segmenter.js';
import { testPairFolder, type TestPairFolder } from './open-segmenter-test-support.js';
import { ModelNotInstalledError, ModelResolveError } from './registry/index.js';
import { ModelContractError, SamSegmenter } from './sam/index.js';

let tmp: string;
let pair: TestPairFolder;
const config = defaultConfig();

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'sam-open-segmenter-'));
  pair = await testPairFolder(tmp, 'encoderA2', 'decoderMulti', 'my-pair');
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('openSegmenter', () => {
  it('gives the embedded default segmenter without --model, or for "default"', async () => {
    const none = await openSegmenter(undefined, { config, modelsDir: tmp });
    expect(none).toBeInstanceOf(DefaultSegmenter);
    expect(none.kind).toBe('default');
    expect((await openSegmenter('default', { config, modelsDir: tmp })).id).toBe(none.id);
  });

  it('opens the SAM pair of a folder, named after it, with its contracts detected', async () => {
    const segmenter = await openSegmenter(pair.dir, { config, modelsDir: tmp });
    try {
      expect(segmenter).toBeInstanceOf(SamSegmenter);
      expect(segmenter.id).toBe('my-pair');
      expect(segmenter.kind).toBe('sam1');
      const sam = segmenter as SamSegmenter;
      expect(sam.files.decoderPath).toBe(pair.decoderPath);
      expect(sam.decoderContract).toMatchObject({ kind: 'A', candidates: 4 });
    } finally {
      await segmenter.release();
    }
  });

  it('opens an encoder file given relative to cwd, finding its decoder beside it', async () => {
    const segmenter = await openSegmenter(path.join('my-pair', path.basename(pair.encoderPath)), {
      config,
      modelsDir: tmp,
      cwd: tmp,
    });
    try {
      expect((segmenter as SamSegmenter).files.encoderPath).toBe(pair.encoderPath);
      expect(segmenter.kind).toBe('sam1');
    } finally {
      await segmenter.release();
    }
  });

  it('fails with typed errors naming what is wrong', async () => {
    await expect(openSegmenter('no-such-model', { config, modelsDir: tmp })).rejects.toThrow(
      ModelResolveError,
    );
    await expect(openSegmenter('mobilesam', { config, modelsDir: tmp })).rejects.toThrow(
      ModelNotInstalledError,
    );
    const mismatched = await testPairFolder(tmp, 'encoderSam2', 'decoderSingle', 'mismatched');
    const failure = openSegmenter(mismatched.dir, { config, modelsDir: tmp });
    await expect(failure).rejects.toThrow(ModelContractError);
    await expect(failure).rejects.toThrow(/sam2\.encoder\.onnx|sam1-single\.decoder\.onnx/);
  });
});
