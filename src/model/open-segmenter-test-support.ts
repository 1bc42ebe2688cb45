/**
 * Test support: a folder holding one generated encoder/decoder pair, as a user's model folder
 * holds one (`--model DIR`). The generated models share one folder with several decoders, which
 * resolveModel rightly refuses to choose from; copies, not symbolic links, because a model
 * folder lists regular files only.
 */
import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import {
  ensureTestModels,
  type TestModelRole,
  type TestModelPaths,
} from '../../tools/test-models/index.js';

export interface TestPairFolder {
  dir: string;
  encoderPath: string;
  decoderPath: string;
  models: TestModelPaths;
}

/** Copies the generated `encoder` and `decoder` into `<parent>/<name>/`. */
export async function testPairFolder(
  parent: string,
  encoder: TestModelRole = 'encoderA2',
  decoder: TestModelRole = 'decoderMulti',
  name = 'test-pair',
): Promise<TestPairFolder> {
  const models = await ensureTestModels();
  const dir = path.join(parent, name);
  await mkdir(dir, { recursive: true });
  const encoderPath = path.join(dir, path.basename(models[encoder]));
  const decoderPath = path.join(dir, path.basename(models[decoder]));
  await copyFile(models[encoder], encoderPath);
  await copyFile(models[decoder], decoderPath);
  return { dir, encoderPath, decoderPath, models };
}
