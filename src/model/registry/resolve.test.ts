import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ModelIntegrityError, ModelNotInstalledError, ModelResolveError } from './errors.js';
import { fakeOnnx, startTestServer, type TestServer } from './http-test-support.js';
import type { ModelEntry } from './known-models.js';
import { serveZipModel, type ServedModel } from './model-test-support.js';
import { pull } from './pull.js';
import { resolveModel } from './resolve.js';

let server: TestServer;
let tmp: string;
let modelsDir: string;
let served: ServedModel;
let registry: ModelEntry[];

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});
beforeEach(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'sam-resolve-'));
  modelsDir = path.join(tmp, 'models');
  served = serveZipModel(server, 'pulled_sam');
  const notPulled = { ...served.entry, name: 'not_pulled_sam', aliases: ['later'] };
  registry = [{ ...served.entry, aliases: ['ps'] }, notPulled];
  await pull(served.entry, { dir: modelsDir, baseUrl: server.baseUrl });
});
afterEach(() => {
  rmSync(tmp, { recursive: true, force: true });
});

/** A folder of loose files, as a user would unzip or export them. */
function folderWith(name: string, files: string[]): string {
  const dir = path.join(tmp, name);
  mkdirSync(dir, { recursive: true });
  for (const file of files) writeFileSync(path.join(dir, file), fakeOnnx(64));
  return dir;
}

describe('resolveModel by name', () => {
  it('gives the installed pair and manifest of a known name or alias', async () => {
    const dir = path.join(modelsDir, 'pulled_sam');
    for (const spec of ['pulled_sam', 'ps', 'PULLED_SAM']) {
      const model = await resolveModel(spec, { modelsDir, registry, cwd: tmp });
      expect(model).toMatchObject({
        kind: 'name',
        name: 'pulled_sam',
        dir,
        encoderPath: path.join(dir, 'pulled_sam.encoder.onnx'),
        decoderPath: path.join(dir, 'pulled_sam.decoder.onnx'),
        manifestPath: path.join(dir, 'model.json'),
      });
      expect(model.manifest?.contract).toBe('A1-C1');
    }
  });

  it('tells the user to pull a known model that is not installed', async () => {
    const pending = resolveModel('later', { modelsDir, registry, cwd: tmp });
    await expect(pending).rejects.toThrow(ModelNotInstalledError);
    await expect(pending).rejects.toThrow(
      `Model "not_pulled_sam" is not installed in ${modelsDir}. Run \`sam-annotator models pull not_pulled_sam\``,
    );
  });

  it('names the path and the known models for anything else', async () => {
    const pending = resolveModel('sam_vit_z', { modelsDir, registry, cwd: tmp });
    await expect(pending).rejects.toThrow(ModelResolveError);
    await expect(pending).rejects.toThrow(
      `there is no file or folder at ${path.join(tmp, 'sam_vit_z')}, and "sam_vit_z" is neither a known model`,
    );
    await expect(pending).rejects.toThrow('Known models: pulled_sam, not_pulled_sam.');
    await expect(resolveModel('missing/dir', { modelsDir, registry, cwd: tmp })).rejects.toThrow(
      `there is no file or folder at ${path.join(tmp, 'missing', 'dir')}.`,
    );
  });

  it('refuses an installed model whose files changed since the pull', async () => {
    const encoder = path.join(modelsDir, 'pulled_sam', 'pulled_sam.encoder.onnx');
    // Same size, new content: only the quick check's re-hash (the mtime moved) can see it.
    writeFileSync(encoder, fakeOnnx(served.encoder.length));
    const future = new Date(Date.now() + 60_000);
    utimesSync(encoder, future, future);
    const pending = resolveModel('pulled_sam', { modelsDir, registry });
    await expect(pending).rejects.toThrow(ModelIntegrityError);
    await expect(pending).rejects.toThrow(
      /pulled_sam.encoder.onnx: content changed .* Run `sam-annotator models pull pulled_sam --force`/,
    );
    const unchecked = await resolveModel('pulled_sam', { modelsDir, registry, check: 'none' });
    expect(unchecked.encoderPath).toBe(encoder);
  });
});

describe('resolveModel by folder', () => {
  it('uses the manifest of an installed model folder', async () => {
    const dir = path.join(modelsDir, 'pulled_sam');
    const model = await resolveModel(dir, { modelsDir });
    expect(model).toMatchObject({ kind: 'folder', name: 'pulled_sam', dir });
    expect(model.manifest).toBeDefined();
  });

  it('finds the one encoder/decoder pair of a folder without manifest, relative to cwd', async () => {
    const dir = folderWith('exported', ['vit_b.Encoder.onnx', 'vit_b.Decoder.onnx', 'notes.txt']);
    const model = await resolveModel('exported', { modelsDir, cwd: tmp });
    expect(model).toEqual({
      kind: 'folder',
      name: 'exported',
      dir,
      encoderPath: path.join(dir, 'vit_b.Encoder.onnx'),
      decoderPath: path.join(dir, 'vit_b.Decoder.onnx'),
    });
  });

  it('lists what a folder holds when the pair is missing or ambiguous', async () => {
    const empty = folderWith('empty', ['readme.md']);
    await expect(resolveModel(empty, { modelsDir })).rejects.toThrow(
      `${empty} has no model.json, so it must hold exactly one *encoder*.onnx and one *decoder*.onnx; it holds no .onnx file.`,
    );
    const two = folderWith('two', ['a.encoder.onnx', 'a.encoder.quant.onnx', 'a.decoder.onnx']);
    await expect(resolveModel(two, { modelsDir })).rejects.toThrow(
      'it holds: a.decoder.onnx, a.encoder.onnx, a.encoder.quant.onnx. Pass the encoder file itself to choose one.',
    );
  });
});

describe('resolveModel by encoder file', () => {
  it('pairs an encoder with its decoder twin, even among several decoders', async () => {
    const dir = folderWith('files', [
      'a.encoder.quant.onnx',
      'a.decoder.quant.onnx',
      'a.encoder.onnx',
      'a.decoder.onnx',
    ]);
    const model = await resolveModel(path.join(dir, 'a.encoder.quant.onnx'), { modelsDir });
    expect(model).toEqual({
      kind: 'file',
      name: 'a.encoder.quant',
      dir,
      encoderPath: path.join(dir, 'a.encoder.quant.onnx'),
      decoderPath: path.join(dir, 'a.decoder.quant.onnx'),
    });
  });

  it("takes the folder's only decoder when the names do not pair (MobileSAM + ViT-H decoder)", async () => {
    const dir = folderWith('mobile', ['mobile_sam.encoder.onnx', 'sam_vit_h_4b8939.decoder.onnx']);
    const model = await resolveModel(path.join(dir, 'mobile_sam.encoder.onnx'), { modelsDir });
    expect(model.decoderPath).toBe(path.join(dir, 'sam_vit_h_4b8939.decoder.onnx'));
  });

  it('uses the manifest when the file is the encoder of an installed model', async () => {
    const dir = path.join(modelsDir, 'pulled_sam');
    const model = await resolveModel(path.join(dir, 'pulled_sam.encoder.onnx'), { modelsDir });
    expect(model).toMatchObject({ kind: 'file', name: 'pulled_sam' });
    expect(model.manifest).toBeDefined();
  });

  it('refuses a decoder, a non-encoder and an encoder without decoder', async () => {
    const dir = folderWith('odd', [
      'x.decoder.onnx',
      'y.decoder.onnx',
      'model.onnx',
      'lone.encoder.onnx',
    ]);
    await expect(resolveModel(path.join(dir, 'x.decoder.onnx'), { modelsDir })).rejects.toThrow(
      `${path.join(dir, 'x.decoder.onnx')} is a decoder. Pass the encoder file or the folder holding the pair.`,
    );
    await expect(resolveModel(path.join(dir, 'model.onnx'), { modelsDir })).rejects.toThrow(
      'is not an encoder (*encoder*.onnx)',
    );
    await expect(resolveModel(path.join(dir, 'lone.encoder.onnx'), { modelsDir })).rejects.toThrow(
      `no decoder next to ${path.join(dir, 'lone.encoder.onnx')}: expected ${path.join(dir, 'lone.decoder.onnx')}, ` +
        `or a single *decoder*.onnx in ${dir} (found x.decoder.onnx, y.decoder.onnx).`,
    );
  });
});
