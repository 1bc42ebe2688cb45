/**
 * Test and measurement support: generated pictures as SegmenterImages decoded by sharp, pairs of
 * the generated test models, and a logger whose lines can be read back.
 */
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import sharp from 'sharp';
import type { Config } from '../../config/index.js';
import type { RawImage } from '../../dataset/raw-image.js';
import { resampleBilinear } from '../../dataset/resample-bilinear.js';
import { modelResizeSize } from '../../geometry/index.js';
import { ensureTestModels, type TestModelPaths } from '../../../tools/test-models/index.js';
import type { Scene } from '../../../tools/test-models/test-support.js';
import type { SegmenterImage } from '../segmenter.js';
import { openSamSegmenter, type SamSegmenter } from './sam-segmenter.js';
import type { SessionSettings } from './providers.js';

/**
 * A scene as the application sees a picture: PNG-encoded, decoded by sharp, and resized for the
 * model with the reference bilinear (the dataset's resampleBilinear) to modelResizeSize.
 */
export async function sceneImage(scene: Scene, key = `scene-${scene.width}x${scene.height}`) {
  const raw = { width: scene.width, height: scene.height, channels: 3 as const };
  const png = await sharp(Buffer.from(scene.rgb.buffer, scene.rgb.byteOffset, scene.rgb.length), {
    raw,
  })
    .png()
    .toBuffer();
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  const decoded: RawImage = { width: info.width, height: info.height, data };
  const image: SegmenterImage = {
    key,
    size: { width: info.width, height: info.height },
    async modelInput(contract) {
      const size = modelResizeSize(image.size, contract);
      return resampleBilinear(decoded, size.width, size.height);
    },
  };
  return image;
}

export type EncoderRole =
  | 'encoderA1'
  | 'encoderA1Uint8'
  | 'encoderA2'
  | 'encoderA2Image'
  | 'encoderA2Heavy'
  | 'encoderSam2';
export type DecoderRole = 'decoderSingle' | 'decoderMulti' | 'decoderEdgeSam' | 'decoderSam2';

export async function openTestPair(
  encoder: EncoderRole,
  decoder: DecoderRole,
  options: {
    config?: Config;
    settings?: Partial<SessionSettings>;
    logger?: Logger;
    models?: TestModelPaths;
  } = {},
): Promise<SamSegmenter> {
  const models = options.models ?? (await ensureTestModels());
  return openSamSegmenter(
    { encoderPath: models[encoder], decoderPath: models[decoder], name: `${encoder}+${decoder}` },
    options,
  );
}

/** A real pino logger that keeps every line it writes. */
export function recordingLogger(): { logger: Logger; lines: { level: number; msg: string }[] } {
  const lines: { level: number; msg: string }[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const text of chunk.toString('utf8').split('\n'))
        if (text.trim()) lines.push(JSON.parse(text));
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, sink), lines };
}
