import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImageDecodeError, type RawImage } from '../../dataset/index.js';
import type { ResizeContract } from '../../geometry/index.js';
import { segmenterImageOf } from '../segmenter-image.js';
import type { SegmenterImage } from '../segmenter.js';
import { InputContracts, PreparedInput } from './prepared-input.js';
import {
  ControlledSegmenter,
  makeDataset,
  openDataset,
  recordingImages,
  settle,
  type Dataset,
} from './test-support.js';

let dataset: Dataset;
beforeAll(async () => {
  dataset = await makeDataset(3);
});
afterAll(() => dataset.remove());

/** Image `n` of the dataset as the engine hands it over, its decodes noted in `requested`. */
async function imageOf(images: ReturnType<typeof recordingImages>, n: number, data = dataset) {
  const entry = data.index.require(data.ids[n]!);
  return segmenterImageOf(images, entry, `stat:${entry.relPath}`);
}

describe('PreparedInput', () => {
  it('prepares nothing until the segmenter has had its first picture, then decodes ahead the contract it asked for', async () => {
    const images = recordingImages(dataset);
    const segmenter = new ControlledSegmenter();
    let learnt = 0;
    const contracts = new InputContracts(() => learnt++);
    const first = new PreparedInput(await imageOf(images, 0), segmenter, contracts);
    const second = new PreparedInput(await imageOf(images, 1), segmenter, contracts);
    expect(second.start()).toBeNull();

    await segmenter.encode(first);
    await settle();
    expect(contracts.of(segmenter)).toBe('longest-side');
    expect(learnt).toBe(1);
    // Another segmenter has not told yet.
    expect(contracts.of(new ControlledSegmenter('other'))).toBeUndefined();

    const done = second.start();
    expect(done).not.toBeNull();
    expect(second.start()).toBeNull();
    await done;
    expect(images.requested).toEqual([0, 1]);
    const embedding = await segmenter.encode(second);
    // The encode took the picture decoded ahead instead of decoding it again.
    expect(images.requested).toEqual([0, 1]);
    const direct = await segmenter.encode(await imageOf(recordingImages(dataset), 1));
    expect(embedding.tensors).toEqual(direct.tensors);
  });

  it('hands the prepared picture over once; a dropped one is let go and never started again', async () => {
    const images = recordingImages(dataset);
    const segmenter = new ControlledSegmenter();
    const contracts = new InputContracts(() => {});
    contracts.learn(segmenter, 'longest-side');
    const taken = new PreparedInput(await imageOf(images, 2), segmenter, contracts);
    await taken.start();
    const pixels = await taken.modelInput('longest-side');
    expect(await taken.modelInput('longest-side')).toEqual(pixels);
    // The second request went to the dataset, not to a kept copy.
    expect(images.requested).toEqual([2, 2]);
    expect(taken.start()).toBeNull();

    const dropped = new PreparedInput(await imageOf(images, 0), segmenter, contracts);
    await dropped.start();
    dropped.drop();
    expect(dropped.start()).toBeNull();
    await dropped.modelInput('longest-side');
    expect(images.requested).toEqual([2, 2, 0, 0]);

    // Another contract than the one prepared is decoded for itself.
    const other = new PreparedInput(await imageOf(images, 1), segmenter, contracts);
    await other.start();
    const squashed = await other.modelInput('squash');
    expect([squashed.width, squashed.height]).toEqual([1024, 1024]);
    expect(images.requested).toEqual([2, 2, 0, 0, 1, 1]);
  });

  it('a picture that fails to decode teaches nothing, and decoded ahead fails the encode that takes it', async () => {
    const data = await makeDataset(1);
    try {
      const entry = data.index.require(data.ids[0]!);
      const image: SegmenterImage = await imageOf(recordingImages(data), 0, data);
      // The file is emptied after the image was sized: its decode fails.
      writeFileSync(entry.absPath, Buffer.alloc(0));
      const reopened = openDataset(data.dir);
      const broken: SegmenterImage = {
        ...image,
        modelInput: (contract) => reopened.images.getModelInput(entry.id, contract),
      };
      const segmenter = new ControlledSegmenter();
      const contracts = new InputContracts(() => {});
      // A first picture that cannot be decoded teaches nothing: nothing is decoded ahead.
      const first = new PreparedInput(broken, segmenter, contracts);
      expect(await segmenter.encode(first).catch((err: unknown) => err)).toBeInstanceOf(
        ImageDecodeError,
      );
      await settle();
      expect(contracts.of(segmenter)).toBeUndefined();

      contracts.learn(segmenter, 'longest-side');
      const input = new PreparedInput(broken, segmenter, contracts);
      await expect(input.start()).resolves.toBeUndefined();
      const failure = await segmenter.encode(input).catch((err: unknown) => err);
      expect(failure).toBeInstanceOf(ImageDecodeError);
      expect((failure as ImageDecodeError).message).toContain(path.basename(entry.absPath));
    } finally {
      data.remove();
    }
  });

  it('lets the segmenter make its input from a picture decoded ahead, but not once the encode took it', async () => {
    const images = recordingImages(dataset);
    const made: [RawImage, ResizeContract][] = [];
    const segmenter = Object.assign(new ControlledSegmenter(), {
      prepareInput: (pixels: RawImage, contract: ResizeContract) => made.push([pixels, contract]),
    });
    const contracts = new InputContracts(() => {});
    contracts.learn(segmenter, 'longest-side');
    const ahead = new PreparedInput(await imageOf(images, 0), segmenter, contracts);
    await ahead.start();
    expect(made).toHaveLength(1);
    expect(made[0]![1]).toBe('longest-side');
    // The encode is handed those very pixels: the segmenter finds what it made from them.
    expect(await ahead.modelInput('longest-side')).toBe(made[0]![0]);

    const taken = new PreparedInput(await imageOf(images, 1), segmenter, contracts);
    const decoding = taken.start();
    await taken.modelInput('longest-side');
    await decoding;
    expect(made).toHaveLength(1);
  });
});
