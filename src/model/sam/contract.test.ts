import { beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../log/logger.js';
import { ensureTestModels, type TestModelPaths } from '../../../tools/test-models/index.js';
import { checkPair, detectDecoder, detectEncoder } from './contract.js';
import { ModelContractError } from './errors.js';
import { SessionFactory } from './providers.js';
import { declaredTensors, type DeclaredTensors } from './tensor-info.js';

let models: TestModelPaths;
const factory = new SessionFactory(
  { providers: ['cpu'], intraOpThreads: 1, interOpThreads: 1 },
  silentLogger,
);

/** What a generated file really declares, read through ONNX Runtime. */
async function declared(file: string): Promise<DeclaredTensors> {
  const { session } = await factory.create(file, 'encoder');
  try {
    return declaredTensors(session);
  } finally {
    await session.release();
  }
}

function contractError(fn: () => unknown): ModelContractError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ModelContractError);
    return err as ModelContractError;
  }
  throw new Error('expected a ModelContractError');
}

beforeAll(async () => {
  models = await ensureTestModels();
});

describe('encoder contract detection from the declared tensors', () => {
  it.each([
    ['encoderA1', { kind: 'A1', input: 'input_image', inputType: 'float32' }],
    ['encoderA1Uint8', { kind: 'A1', input: 'input_image', inputType: 'uint8' }],
    ['encoderA2', { kind: 'A2', input: 'input_image' }],
    ['encoderA2Image', { kind: 'A2', input: 'image' }],
    ['externalData', { kind: 'A2', input: 'input_image' }],
    ['encoderSam2', { kind: 'B', input: 'image' }],
  ] as const)('%s', async (role, expected) => {
    expect(detectEncoder(models[role], await declared(models[role]))).toEqual(expected);
  });

  it('names every declared tensor when a file fits no contract', async () => {
    const unrelated = await declared(models.unrelatedNames);
    const error = contractError(() => detectEncoder(models.unrelatedNames, unrelated));
    expect(error.file).toBe(models.unrelatedNames);
    expect(error.message).toContain(models.unrelatedNames);
    expect(error.message).toContain('inputs: x float32 [1,3,1024,1024]');
    expect(error.message).toContain('outputs: y float32 [1,3,1024,1024]');
  });

  it('says which dims are wrong on an embedding of the wrong size', async () => {
    const wrong = await declared(models.wrongEmbedding);
    const message = contractError(() => detectEncoder(models.wrongEmbedding, wrong)).message;
    expect(message).toContain('image_embeddings is [1,256,32,32], expected [1,256,64,64]');
    expect(message).toContain('inputs: input_image float32 [1,3,1024,1024]');
  });

  it('refuses a decoder given as the encoder', async () => {
    const decoder = await declared(models.decoderMulti);
    const message = contractError(() => detectEncoder(models.decoderMulti, decoder)).message;
    expect(message).toMatch(/exactly one input, this has 6/);
    expect(message).toContain('orig_im_size float32 [2]');
  });
});

describe('decoder contract detection', () => {
  it.each([
    ['decoderSingle', { kind: 'A', candidates: 1, lowRes: true }],
    ['decoderMulti', { kind: 'A', candidates: 4, lowRes: true }],
    ['decoderEdgeSam', { kind: 'edgesam', candidates: 4, scores: 'scores' }],
    ['decoderSam2', { kind: 'B', candidates: 3 }],
  ] as const)('%s', async (role, expected) => {
    expect(detectDecoder(models[role], await declared(models[role]))).toEqual(expected);
  });

  it('lists the missing and the unexpected inputs of a near miss', async () => {
    const origSize = await declared(models.decoderOrigSize);
    const message = contractError(() => detectDecoder(models.decoderOrigSize, origSize)).message;
    expect(message).toContain('not a contract A decoder');
    expect(message).toContain('input orig_im_size is missing');
    expect(message).toContain('input orig_size is not expected');
    expect(message).toContain('point_coords float32 [1,num_points,2]');
  });

  it('leaves C open when the masks dims are symbolic, to be read from the first run', () => {
    const multi: DeclaredTensors = {
      inputs: [
        { name: 'image_embeddings', type: 'float32', dims: [1, 256, 64, 64] },
        { name: 'point_coords', type: 'float32', dims: [1, 'n', 2] },
        { name: 'point_labels', type: 'float32', dims: [1, 'n'] },
        { name: 'mask_input', type: 'float32', dims: [1, 1, 256, 256] },
        { name: 'has_mask_input', type: 'float32', dims: [1] },
        { name: 'orig_im_size', type: 'float32', dims: [2] },
      ],
      outputs: [
        { name: 'masks', type: 'float32', dims: ['b', 'c', 'h', 'w'] },
        { name: 'iou_predictions', type: 'float32', dims: ['b', 'c'] },
        { name: 'low_res_masks', type: 'float32', dims: ['b', 'c', 256, 256] },
        { name: 'stability_scores', type: 'float32', dims: ['b', 'c'] },
      ],
    };
    expect(detectDecoder('dynamic.onnx', multi)).toEqual({
      kind: 'A',
      candidates: null,
      lowRes: true,
    });
  });

  it('refuses an encoder given as the decoder', async () => {
    const encoder = await declared(models.encoderA2);
    const message = contractError(() => detectDecoder(models.encoderA2, encoder)).message;
    expect(message).toContain('fits no SAM decoder contract');
    expect(message).toContain('inputs: input_image float32 [1,3,1024,1024]');
  });
});

describe('encoder/decoder pairs', () => {
  async function pair(encoder: keyof TestModelPaths, decoder: keyof TestModelPaths) {
    const e = await declared(models[encoder] as string);
    const d = await declared(models[decoder] as string);
    return () =>
      checkPair(
        { encoder: models[encoder] as string, decoder: models[decoder] as string },
        { contract: detectEncoder('e', e), declared: e },
        { contract: detectDecoder('d', d), declared: d },
      );
  }

  it('accepts matching pairs', async () => {
    expect(await pair('encoderA1', 'decoderSingle')).not.toThrow();
    expect(await pair('encoderA2Image', 'decoderEdgeSam')).not.toThrow();
    expect(await pair('encoderSam2', 'decoderSam2')).not.toThrow();
  });

  it('refuses a SAM 1 encoder with a SAM 2 decoder, naming both files', async () => {
    const error = contractError(await pair('encoderA2', 'decoderSam2'));
    expect(error.role).toBe('pair');
    expect(error.message).toContain(models.encoderA2);
    expect(error.message).toContain(models.decoderSam2);
    expect(error.message).toMatch(/contract A2 \(sam1\).*contract B \(sam2\)/);
  });
});
