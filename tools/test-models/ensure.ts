import { createHash, randomUUID } from 'node:crypto';
import { access, readFile, readdir, rename, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_HEAVY_GFLOPS } from './heavy-encoder.js';
import { MANIFEST_FILE, testModelPaths, writeTestModels } from './catalog.js';
import type { TestModelOptions, TestModelPaths } from './catalog.js';

export const DEFAULT_TEST_MODEL_ROOT = path.join(os.tmpdir(), 'sam-annotator-test-models');

const GENERATOR_DIR = path.dirname(fileURLToPath(import.meta.url));

/**
 * Hash of the generator's own sources and the options: any change to how the models are built
 * yields a new folder, so a stale cache is never served.
 */
export async function testModelVersion(options: TestModelOptions = {}): Promise<string> {
  const hash = createHash('sha256');
  const sources = (await readdir(GENERATOR_DIR))
    .filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts'))
    .sort();
  for (const name of sources) {
    hash.update(name);
    hash.update(await readFile(path.join(GENERATOR_DIR, name)));
  }
  hash.update(JSON.stringify({ heavyGflops: options.heavyGflops ?? DEFAULT_HEAVY_GFLOPS }));
  return hash.digest('hex').slice(0, 16);
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}

/**
 * The test models under `<root>/<version>/`, generated on first use. Safe when several test
 * workers ask at once: each writes into its own temporary folder and renames it into place;
 * a loser of that race drops its copy and uses the winner's.
 */
export async function ensureTestModels(
  root: string = DEFAULT_TEST_MODEL_ROOT,
  options: TestModelOptions = {},
): Promise<TestModelPaths> {
  const dir = path.join(root, await testModelVersion(options));
  if (await exists(path.join(dir, MANIFEST_FILE))) return testModelPaths(dir, options);

  const staging = `${dir}.tmp-${process.pid}-${randomUUID().slice(0, 8)}`;
  try {
    await writeTestModels(staging, options);
    await rename(staging, dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const lostRace =
      (code === 'ENOTEMPTY' || code === 'EEXIST') && (await exists(path.join(dir, MANIFEST_FILE)));
    if (!lostRace) throw error;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return testModelPaths(dir, options);
}
