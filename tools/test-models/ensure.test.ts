import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MANIFEST_FILE, TEST_MODEL_FILES } from './catalog.js';
import { ensureTestModels, testModelVersion } from './ensure.js';
import { heavyEncoderPlan } from './heavy-encoder.js';
import { runMake } from './make.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'test-models-ensure-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('ensureTestModels', () => {
  it('generates once into <root>/<version> and reuses the folder afterwards', async () => {
    const first = await ensureTestModels(root, { heavyGflops: 1 });
    expect(path.dirname(first.dir)).toBe(root);
    expect(path.basename(first.dir)).toBe(await testModelVersion({ heavyGflops: 1 }));
    const manifestTime = (await stat(path.join(first.dir, MANIFEST_FILE))).mtimeMs;
    for (const file of Object.values(TEST_MODEL_FILES)) {
      expect((await stat(path.join(first.dir, file))).size).toBeGreaterThan(0);
    }
    const second = await ensureTestModels(root, { heavyGflops: 1 });
    expect(second).toEqual(first);
    expect((await stat(path.join(first.dir, MANIFEST_FILE))).mtimeMs).toBe(manifestTime);
  });

  it('survives concurrent callers and leaves no staging folders', async () => {
    const all = await Promise.all([1, 2, 3].map(() => ensureTestModels(root, { heavyGflops: 1 })));
    expect(new Set(all.map((paths) => paths.dir)).size).toBe(1);
    expect(await readdir(root)).toEqual([path.basename(all[0]?.dir ?? '')]);
  });

  it('keys the folder on the options, so a different heavy cost is another folder', async () => {
    expect(await testModelVersion({ heavyGflops: 1 })).not.toBe(
      await testModelVersion({ heavyGflops: 2 }),
    );
    expect(await testModelVersion()).toBe(await testModelVersion({ heavyGflops: 40 }));
  });
});

describe('make.ts', () => {
  it('writes every file and a manifest with the heavy plan into --out', async () => {
    const out = path.join(root, 'made');
    const { paths, heavyTiming } = await runMake(['--out', out, '--heavy-gflops', '2']);
    expect(heavyTiming).toBeUndefined();
    expect(paths.dir).toBe(out);
    const manifest = JSON.parse(await readFile(path.join(out, MANIFEST_FILE), 'utf8')) as {
      files: Record<string, number>;
      heavy: unknown;
    };
    expect(manifest.heavy).toEqual(heavyEncoderPlan(2));
    for (const [file, size] of Object.entries(manifest.files)) {
      expect((await stat(path.join(out, file))).size).toBe(size);
    }
    expect(Object.keys(manifest.files)).toContain('external/sam1-a2.encoder.onnx.data');
  });

  it('names the bad flag and value', async () => {
    await expect(runMake([])).rejects.toThrow(/--out is required/);
    await expect(runMake(['--out', root, '--heavy-gflops', 'lots'])).rejects.toThrow(
      /--heavy-gflops must be a positive number, got "lots"/,
    );
    await expect(runMake(['--out', root, '--bogus'])).rejects.toThrow(/bogus/);
  });
});
