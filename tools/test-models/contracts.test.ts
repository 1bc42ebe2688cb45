import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { TEST_MODEL_FILES } from './catalog.js';
import type { TestModelPaths, TestModelRole } from './catalog.js';
import { ensureTestModels } from './ensure.js';

type Declared = [name: string, type: string, shape: (number | string)[]];

/**
 * What each file must declare, written out from MODELS.md (not derived from the generator), so a
 * generator change that breaks a contract fails here. Symbolic dims are matched as "any name".
 */
const DIM = 'symbolic';
const SAM1_DECODER_INPUTS: Declared[] = [
  ['image_embeddings', 'float32', [1, 256, 64, 64]],
  ['point_coords', 'float32', [1, DIM, 2]],
  ['point_labels', 'float32', [1, DIM]],
  ['mask_input', 'float32', [1, 1, 256, 256]],
  ['has_mask_input', 'float32', [1]],
  ['orig_im_size', 'float32', [2]],
];
const sam1DecoderOutputs = (c: number): Declared[] => [
  ['masks', 'float32', [1, c, DIM, DIM]],
  ['iou_predictions', 'float32', [1, c]],
  ['low_res_masks', 'float32', [1, c, 256, 256]],
];
const EMBEDDING: Declared = ['image_embeddings', 'float32', [1, 256, 64, 64]];

const CONTRACTS: Partial<Record<TestModelRole, { inputs: Declared[]; outputs: Declared[] }>> = {
  encoderA1: { inputs: [['input_image', 'float32', [DIM, DIM, 3]]], outputs: [EMBEDDING] },
  encoderA1Uint8: { inputs: [['input_image', 'uint8', [DIM, DIM, 3]]], outputs: [EMBEDDING] },
  encoderA2: { inputs: [['input_image', 'float32', [1, 3, 1024, 1024]]], outputs: [EMBEDDING] },
  encoderA2Image: { inputs: [['image', 'float32', [1, 3, 1024, 1024]]], outputs: [EMBEDDING] },
  encoderA2Heavy: {
    inputs: [['input_image', 'float32', [1, 3, 1024, 1024]]],
    outputs: [EMBEDDING],
  },
  externalData: { inputs: [['input_image', 'float32', [1, 3, 1024, 1024]]], outputs: [EMBEDDING] },
  decoderSingle: { inputs: SAM1_DECODER_INPUTS, outputs: sam1DecoderOutputs(1) },
  decoderMulti: { inputs: SAM1_DECODER_INPUTS, outputs: sam1DecoderOutputs(4) },
  decoderEdgeSam: {
    inputs: SAM1_DECODER_INPUTS.slice(0, 3),
    outputs: [
      ['scores', 'float32', [1, 4]],
      ['masks', 'float32', [1, 4, 256, 256]],
    ],
  },
  encoderSam2: {
    inputs: [['image', 'float32', [1, 3, 1024, 1024]]],
    outputs: [
      ['high_res_feats_0', 'float32', [1, 32, 256, 256]],
      ['high_res_feats_1', 'float32', [1, 64, 128, 128]],
      ['image_embed', 'float32', [1, 256, 64, 64]],
    ],
  },
  decoderSam2: {
    inputs: [
      ['image_embed', 'float32', [1, 256, 64, 64]],
      ['high_res_feats_0', 'float32', [1, 32, 256, 256]],
      ['high_res_feats_1', 'float32', [1, 64, 128, 128]],
      ['point_coords', 'float32', [DIM, DIM, 2]],
      ['point_labels', 'float32', [DIM, DIM]],
      ['mask_input', 'float32', [DIM, 1, 256, 256]],
      ['has_mask_input', 'float32', [DIM]],
    ],
    outputs: [
      ['masks', 'float32', [DIM, 3, 256, 256]],
      ['iou_predictions', 'float32', [DIM, 3]],
    ],
  },
  unrelatedNames: {
    inputs: [['x', 'float32', [1, 3, 1024, 1024]]],
    outputs: [['y', 'float32', [1, 3, 1024, 1024]]],
  },
  wrongEmbedding: {
    inputs: [['input_image', 'float32', [1, 3, 1024, 1024]]],
    outputs: [['image_embeddings', 'float32', [1, 256, 32, 32]]],
  },
  decoderOrigSize: {
    inputs: [...SAM1_DECODER_INPUTS.slice(0, 5), ['orig_size', 'float32', [2]]],
    outputs: sam1DecoderOutputs(1),
  },
};

function declared(metadata: readonly ort.InferenceSession.ValueMetadata[]): Declared[] {
  return metadata.map((entry) => {
    if (!entry.isTensor) throw new Error(`${entry.name} is not a tensor`);
    const shape = entry.shape.map((d) => (typeof d === 'number' ? d : DIM));
    return [entry.name, entry.type, shape];
  });
}

let models: TestModelPaths;
beforeAll(async () => {
  models = await ensureTestModels();
});

describe('generated files declare exactly their contract', () => {
  it.each(Object.entries(CONTRACTS))('%s', async (role, contract) => {
    const session = await ort.InferenceSession.create(models[role as TestModelRole]);
    try {
      expect(session.inputNames).toEqual(contract.inputs.map(([name]) => name));
      expect(session.outputNames).toEqual(contract.outputs.map(([name]) => name));
      expect(declared(session.inputMetadata)).toEqual(contract.inputs);
      expect(declared(session.outputMetadata)).toEqual(contract.outputs);
    } finally {
      await session.release();
    }
  });

  it('covers every generated model but the truncated one', () => {
    const loadable = Object.keys(TEST_MODEL_FILES).filter((role) => role !== 'truncated');
    expect(Object.keys(CONTRACTS).sort()).toEqual(loadable.sort());
  });
});

describe('files for the error paths', () => {
  it('truncated: half the bytes of the A2 encoder, and ONNX Runtime refuses it', async () => {
    const [whole, half] = await Promise.all([
      readFile(models.encoderA2),
      readFile(models.truncated),
    ]);
    expect(half.byteLength).toBe(Math.floor(whole.byteLength / 2));
    expect(whole.subarray(0, half.byteLength).equals(half)).toBe(true);
    await expect(ort.InferenceSession.create(models.truncated)).rejects.toThrow();
  });

  it('external data: weights sit next to the .onnx, which loads from its path but not from a buffer', async () => {
    expect(existsSync(models.externalDataWeights)).toBe(true);
    const onnxBytes = await readFile(models.externalData);
    expect(onnxBytes.byteLength).toBeLessThan(4096);
    expect((await readFile(models.externalDataWeights)).byteLength).toBe(256 * 64 * 4);
    const session = await ort.InferenceSession.create(models.externalData);
    await session.release();
    await expect(ort.InferenceSession.create(onnxBytes)).rejects.toThrow();
  });
});
