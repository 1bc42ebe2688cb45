import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  buildExternalDataEncoder,
  buildUnrelatedNames,
  buildWrongEmbeddingEncoder,
  truncatedBytes,
} from './broken-models.js';
import { buildDecoderA, buildDecoderEdgeSam, buildDecoderSam2 } from './decoders.js';
import { buildEncoderA1, buildEncoderA2, buildEncoderSam2 } from './encoders.js';
import { DEFAULT_HEAVY_GFLOPS, buildHeavyEncoderA2, heavyEncoderPlan } from './heavy-encoder.js';
import type { HeavyEncoderPlan } from './heavy-encoder.js';

/** Every generated file, by role, relative to the output folder. */
export const TEST_MODEL_FILES = {
  /** A1: `input_image` float32 [h, w, 3], raw RGB; normalise + pad in the graph. */
  encoderA1: 'sam1-a1.encoder.onnx',
  /** A1 declaring uint8 input. */
  encoderA1Uint8: 'sam1-a1-uint8.encoder.onnx',
  /** A2: `input_image` [1,3,1024,1024], normalised and padded by the caller. */
  encoderA2: 'sam1-a2.encoder.onnx',
  /** A2 whose input is named `image` (as EdgeSAM's): told from contract B by its outputs. */
  encoderA2Image: 'sam1-a2-image.encoder.onnx',
  /** A2 with a conv stack of the chosen cost; same embedding as encoderA2. */
  encoderA2Heavy: 'sam1-a2-heavy.encoder.onnx',
  /** Contract A decoder, C = 1 (--return-single-mask). */
  decoderSingle: 'sam1-single.decoder.onnx',
  /** Contract A decoder, C = 4. */
  decoderMulti: 'sam1-multi.decoder.onnx',
  /** EdgeSAM's decoder: three inputs, `scores` + low-res `masks`. */
  decoderEdgeSam: 'edgesam.decoder.onnx',
  /** Contract B encoder (three feature maps). */
  encoderSam2: 'sam2.encoder.onnx',
  /** Contract B decoder. */
  decoderSam2: 'sam2.decoder.onnx',
  /** `x` -> `y`: fits no contract. */
  unrelatedNames: 'broken/unrelated-names.onnx',
  /** Encoder with `image_embeddings` [1,256,32,32]. */
  wrongEmbedding: 'broken/wrong-embedding.encoder.onnx',
  /** Contract A decoder with `orig_size` instead of `orig_im_size`. */
  decoderOrigSize: 'broken/orig-size.decoder.onnx',
  /** The first half of encoderA2's bytes. */
  truncated: 'broken/truncated.encoder.onnx',
  /** encoderA2 with its weights in `external/sam1-a2.encoder.onnx.data`. */
  externalData: 'external/sam1-a2.encoder.onnx',
} as const;

export type TestModelRole = keyof typeof TEST_MODEL_FILES;

export interface TestModelOptions {
  /** Target cost of encoderA2Heavy; default 40 (about MobileSAM's encoder). */
  heavyGflops?: number;
}

export type TestModelPaths = Record<TestModelRole, string> & {
  dir: string;
  /** The weights file next to `externalData`. */
  externalDataWeights: string;
  heavy: HeavyEncoderPlan;
};

export const MANIFEST_FILE = 'manifest.json';

function externalDataFile(): string {
  return `${path.basename(TEST_MODEL_FILES.externalData)}.data`;
}

/** Every file's bytes, keyed by its path relative to the output folder. */
export function buildTestModelFiles(options: TestModelOptions = {}): Map<string, Uint8Array> {
  const encoderA2 = buildEncoderA2();
  const external = buildExternalDataEncoder(externalDataFile());
  const files: [string, Uint8Array][] = [
    [TEST_MODEL_FILES.encoderA1, buildEncoderA1('float32')],
    [TEST_MODEL_FILES.encoderA1Uint8, buildEncoderA1('uint8')],
    [TEST_MODEL_FILES.encoderA2, encoderA2],
    [TEST_MODEL_FILES.encoderA2Image, buildEncoderA2('image')],
    [
      TEST_MODEL_FILES.encoderA2Heavy,
      buildHeavyEncoderA2(options.heavyGflops ?? DEFAULT_HEAVY_GFLOPS),
    ],
    [TEST_MODEL_FILES.decoderSingle, buildDecoderA({ multimask: false })],
    [TEST_MODEL_FILES.decoderMulti, buildDecoderA({ multimask: true })],
    [TEST_MODEL_FILES.decoderEdgeSam, buildDecoderEdgeSam()],
    [TEST_MODEL_FILES.encoderSam2, buildEncoderSam2()],
    [TEST_MODEL_FILES.decoderSam2, buildDecoderSam2()],
    [TEST_MODEL_FILES.unrelatedNames, buildUnrelatedNames()],
    [TEST_MODEL_FILES.wrongEmbedding, buildWrongEmbeddingEncoder()],
    [
      TEST_MODEL_FILES.decoderOrigSize,
      buildDecoderA({ multimask: false, sizeInputName: 'orig_size' }),
    ],
    [TEST_MODEL_FILES.truncated, truncatedBytes(encoderA2)],
    [TEST_MODEL_FILES.externalData, external.model],
    [
      path.posix.join(path.posix.dirname(TEST_MODEL_FILES.externalData), externalDataFile()),
      external.data,
    ],
  ];
  return new Map(files);
}

/** Absolute paths of every role under `dir`. */
export function testModelPaths(dir: string, options: TestModelOptions = {}): TestModelPaths {
  const roles = Object.entries(TEST_MODEL_FILES).map(([role, file]) => [
    role,
    path.join(dir, file),
  ]);
  return {
    ...(Object.fromEntries(roles) as Record<TestModelRole, string>),
    dir,
    externalDataWeights: path.join(
      dir,
      path.dirname(TEST_MODEL_FILES.externalData),
      externalDataFile(),
    ),
    heavy: heavyEncoderPlan(options.heavyGflops ?? DEFAULT_HEAVY_GFLOPS),
  };
}

/**
 * Writes every file under `dir`, then `manifest.json` (file sizes and the heavy plan) last, so
 * a folder with a manifest is complete.
 */
export async function writeTestModels(
  dir: string,
  options: TestModelOptions = {},
): Promise<TestModelPaths> {
  const paths = testModelPaths(dir, options);
  const files = buildTestModelFiles(options);
  const sizes: Record<string, number> = {};
  for (const [relative, bytes] of files) {
    const target = path.join(dir, relative);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, bytes);
    sizes[relative] = bytes.byteLength;
  }
  const manifest = { files: sizes, heavy: paths.heavy };
  await writeFile(path.join(dir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  return paths;
}
