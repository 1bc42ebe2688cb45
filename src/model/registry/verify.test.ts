import { mkdtempSync, rmSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ModelNotInstalledError, ModelResolveError, UnknownModelError } from './errors.js';
import { startTestServer, type TestServer } from './http-test-support.js';
import { readManifest } from './manifest.js';
import { serveZipModel, type ServedModel } from './model-test-support.js';
import { pull } from './pull.js';
import { describeProblems, verifyAllInstalled, verifyModel } from './verify.js';

let server: TestServer;
let tmp: string;
let modelsDir: string;
let served: ServedModel;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});
beforeEach(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'sam-verify-'));
  modelsDir = path.join(tmp, 'models');
  served = serveZipModel(server, 'checked');
  await pull(served.entry, { dir: modelsDir, baseUrl: server.baseUrl });
});
afterEach(() => {
  rmSync(tmp, { recursive: true, force: true });
});

const registryOf = (): (typeof served.entry)[] => [served.entry];
const encoderFile = (): string => path.join(modelsDir, 'checked', 'checked.encoder.onnx');

/** Flips one byte in place: same size, different content. */
async function flipByte(file: string, position: number): Promise<void> {
  const handle = await open(file, 'r+');
  const byte = Buffer.alloc(1);
  await handle.read(byte, 0, 1, position);
  byte[0] = byte[0]! ^ 0xff;
  await handle.write(byte, 0, 1, position);
  await handle.close();
}

describe('verifyModel', () => {
  it('passes a freshly pulled model, by name and by folder', async () => {
    const byName = await verifyModel('checked', { modelsDir, registry: registryOf() });
    expect(byName.ok).toBe(true);
    expect(byName.files.map((f) => f.status)).toEqual(['ok', 'ok', 'ok']);
    expect(byName.files.every((f) => f.actualSha256 === f.expectedSha256)).toBe(true);
    const byDir = await verifyModel(path.join(modelsDir, 'checked'), { modelsDir });
    expect(byDir).toEqual(byName);
  });

  it('finds a byte changed in place, a resized file and a missing file', async () => {
    await flipByte(encoderFile(), 5000);
    writeFileSync(path.join(modelsDir, 'checked', 'config.yaml'), 'edited by hand\n');
    unlinkSync(path.join(modelsDir, 'checked', 'checked.decoder.onnx'));
    const report = await verifyModel('checked', { modelsDir, registry: registryOf() });
    expect(report.ok).toBe(false);
    const byPath = Object.fromEntries(report.files.map((f) => [f.path, f]));
    expect(byPath['checked.encoder.onnx']).toMatchObject({
      status: 'hash-changed',
      actualBytes: served.encoder.length,
    });
    expect(byPath['checked.encoder.onnx']!.actualSha256).not.toBe(
      byPath['checked.encoder.onnx']!.expectedSha256,
    );
    expect(byPath['config.yaml']).toMatchObject({ status: 'size-changed', actualBytes: 15 });
    expect(byPath['checked.decoder.onnx']!.status).toBe('missing');
    const lines = describeProblems(report.files);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(
      /^checked.encoder.onnx: content changed \(expected sha256 [0-9a-f]{64}, found [0-9a-f]{64}\)$/,
    );
    expect(lines).toContain('checked.decoder.onnx: missing');
  });

  it('refreshes the time stamps of touched but unchanged files', async () => {
    const future = new Date(Date.now() + 3_600_000);
    utimesSync(encoderFile(), future, future);
    const before = await readManifest(path.join(modelsDir, 'checked'));
    expect((await verifyModel('checked', { modelsDir, registry: registryOf() })).ok).toBe(true);
    const after = await readManifest(path.join(modelsDir, 'checked'));
    const stamp = (m: typeof before): number | undefined =>
      m.files.find((f) => f.path === 'checked.encoder.onnx')!.mtimeMs;
    expect(stamp(after)).not.toBe(stamp(before));
    expect(stamp(after)).toBeCloseTo(future.getTime(), -3);
  });

  it('tells apart unknown, not installed and manifest-less targets', async () => {
    await expect(verifyModel('nope', { modelsDir, registry: registryOf() })).rejects.toThrow(
      UnknownModelError,
    );
    const other = { ...served.entry, name: 'other' };
    await expect(
      verifyModel('other', { modelsDir, registry: [served.entry, other] }),
    ).rejects.toThrow(ModelNotInstalledError);
    await expect(verifyModel(tmp, { modelsDir })).rejects.toThrow(ModelResolveError);
    await expect(verifyModel(tmp, { modelsDir })).rejects.toThrow(`${tmp} holds no model.json`);
  });
});

describe('verifyAllInstalled', () => {
  it('checks every installed model and reports unreadable manifests', async () => {
    const second = serveZipModel(server, 'second');
    await pull(second.entry, { dir: modelsDir, baseUrl: server.baseUrl });
    await flipByte(path.join(modelsDir, 'second', 'second.decoder.onnx'), 10);
    const broken = path.join(modelsDir, 'broken');
    await pull({ ...second.entry, name: 'broken' }, { dir: modelsDir, baseUrl: server.baseUrl });
    writeFileSync(path.join(broken, 'model.json'), '{"formatVersion": 1, "name": "broken"}');

    const { reports, problems } = await verifyAllInstalled({ modelsDir });
    expect(reports.map((r) => [r.name, r.ok])).toEqual([
      ['checked', true],
      ['second', false],
    ]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/broken[/\\]model.json: field "family" is invalid/);
  });
});
