import { afterAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../config/index.js';
import { objectsScene } from '../../../tools/test-models/test-support.js';
import { DefaultSegmenter } from '../default/index.js';
import {
  openTestPair,
  sceneImage,
  type DecoderRole,
  type EncoderRole,
} from '../sam/sam-test-support.js';
import type { SamSegmenter } from '../sam/index.js';
import type { Segmenter } from '../segmenter.js';
import { PredictGridDecoder, type GridDecoder } from './grid-decoder.js';
import { openGridDecoder } from './open-grid-decoder.js';
import { SamGridDecoder } from './sam-grid-decoder.js';

const scene = objectsScene(400, 300);
/** Clicks on each object, the background, and near the picture's corners. */
const clicks = [
  ...Object.values(scene.inside).map(([x, y]) => ({ x, y })),
  { x: 3.5, y: 2.5 },
  { x: 396.5, y: 297.5 },
];
const opened: { release(): Promise<void> }[] = [];

afterAll(async () => {
  for (const thing of opened) await thing.release();
});

async function pair(
  encoder: EncoderRole,
  decoder: DecoderRole,
  maxDecodeSide = 1024,
): Promise<SamSegmenter> {
  const config = defaultConfig().with({ 'model.maxDecodeSide': maxDecodeSide });
  const sam = await openTestPair(encoder, decoder, { config });
  opened.push(sam);
  return sam;
}

async function grid(segmenter: Segmenter): Promise<GridDecoder> {
  const decoder = await openGridDecoder(segmenter);
  opened.push(decoder);
  return decoder;
}

describe('SamGridDecoder', () => {
  it.each([
    ['contract A, C = 4', 'encoderA2', 'decoderMulti', 1024],
    ['contract A, C = 1', 'encoderA1', 'decoderSingle', 1024],
    // 300 px is below the picture's 400: masks come at the 1024 frame and are resized.
    ['contract A decoded at the model frame', 'encoderA2', 'decoderMulti', 300],
    ['contract B (SAM 2)', 'encoderSam2', 'decoderSam2', 1024],
  ] as const)(
    "%s: scores, boxes and masks are predict()'s, best first",
    async (_, encoder, decoderRole, maxDecodeSide) => {
      const sam = await pair(encoder, decoderRole, maxDecodeSide);
      const decoder = await grid(sam);
      expect(decoder).toBeInstanceOf(SamGridDecoder);
      const embedding = await sam.encode(await sceneImage(scene));
      const clicksDecoder = await decoder.forEmbedding(embedding);
      for (const click of clicks) {
        const expected = await sam.predict(embedding, { points: [{ ...click, label: 1 }] });
        const candidates = await clicksDecoder.decode(click);
        expect(
          candidates.map((c) => ({
            predictedIou: c.predictedIou,
            stabilityScore: c.stabilityScore(),
            bbox: c.bbox(),
          })),
        ).toEqual(
          expected.map((c) => ({
            predictedIou: c.predictedIou,
            stabilityScore: c.stabilityScore,
            bbox: c.area === 0 ? null : c.bbox,
          })),
        );
        // Asked in another order, for candidates of several clicks at once.
        const refs = candidates.map((c) => c.ref).reverse();
        const masks = await clicksDecoder.masks(refs);
        expect(masks).toEqual(
          [...expected].reverse().map(({ rle, bbox, area, predictedIou, stabilityScore }) => ({
            rle,
            bbox,
            area,
            predictedIou,
            stabilityScore,
          })),
        );
      }
    },
  );

  it('is opened for SAM pairs with full logits; other backends go through predict()', async () => {
    expect(await grid(await pair('encoderA2', 'decoderEdgeSam'))).toBeInstanceOf(
      PredictGridDecoder,
    );
    expect(await grid(new DefaultSegmenter())).toBeInstanceOf(PredictGridDecoder);
  });

  it('refuses an embedding of another model, and use after release', async () => {
    const a = await pair('encoderA2', 'decoderMulti');
    const b = await pair('encoderA2', 'decoderSingle');
    const embeddingOfB = await b.encode(await sceneImage(scene));
    const decoder = await SamGridDecoder.open(a);
    await expect(decoder.forEmbedding(embeddingOfB)).rejects.toThrow(/computed by model/);
    await decoder.release();
    await decoder.release();
    await expect(decoder.forEmbedding(embeddingOfB)).rejects.toThrow(/after release/);
  });
});
