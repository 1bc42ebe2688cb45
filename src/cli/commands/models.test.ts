import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  fakeOnnx,
  serveBytes,
  serveStatus,
  sha256Of,
  startTestServer,
  type TestServer,
} from '../../model/registry/http-test-support.js';
import { KNOWN_MODELS } from '../../model/registry/index.js';
import { buildZip } from '../../model/registry/zip-test-support.js';
import { EXIT, type CliIO } from '../io.js';
import { main } from '../main.js';
import { pullProgressReporter } from './models.js';

let server: TestServer;
let tmp: string;
let modelsDir: string;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'sam-cli-models-'));
  modelsDir = path.join(tmp, 'models');
});
afterEach(() => {
  rmSync(tmp, { recursive: true, force: true });
});

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIO = { out: (t) => (out += t + '\n'), err: (t) => (err += t + '\n') };
  const code = await main(argv, io);
  return { code, out, err };
}

/** Every models command of these tests reads a temporary folder and the local server only. */
function mirror(): string[] {
  return ['--set', `models.baseUrl=${server.baseUrl}/Mirror`, '--set', `models.dir=${modelsDir}`];
}

/** The loose X-AnyLabeling MobileSAM files, served under the mirror path as fake bytes. */
function serveLooseMobileSam(): { encoder: Buffer; decoder: Buffer } {
  const encoder = fakeOnnx(90_000);
  const decoder = fakeOnnx(30_000);
  server.route('/Mirror/mobile_sam.encoder.onnx', serveBytes(encoder));
  server.route('/Mirror/sam_vit_h_4b8939.decoder.onnx', serveBytes(decoder));
  return { encoder, decoder };
}

describe('sam-annotator models list', () => {
  it('lists every known model with contract and size, none installed', async () => {
    const { code, out } = await run('models', 'list', '--json', ...mirror());
    expect(code).toBe(EXIT.ok);
    const result = JSON.parse(out);
    expect(result.modelsDir).toBe(modelsDir);
    expect(result.models.map((m: { name: string }) => m.name)).toEqual(
      KNOWN_MODELS.map((m) => m.name),
    );
    expect(result.models[0]).toMatchObject({
      name: 'mobile_sam_20230629',
      contract: 'A1-C1',
      downloadBytes: 36_655_105,
      installed: false,
      sha256Published: true,
    });
    expect(existsSync(modelsDir)).toBe(false);
  });

  it('prints a readable table naming the models folder', async () => {
    const { code, out } = await run('models', 'list', '--dir', modelsDir);
    expect(code).toBe(EXIT.ok);
    expect(out).toContain(`models folder: ${modelsDir}`);
    expect(out).toMatch(/sam2_hiera_tiny\s+B\s+147\.7 MiB\s+-\s+SAM 2 Hiera-Tiny/);
    // Sizes of files published without a size are estimates.
    expect(out).toMatch(/x-anylabeling-mobile_sam\s+A1-C1\s+~42\.6 MiB\s+-\s+MobileSAM/);
  });

  it('rejects a models.baseUrl that is not http(s), keeping the case of valid ones', async () => {
    const bad = await run('models', 'list', '--set', 'models.baseUrl=ftp://mirror/Models');
    expect(bad.code).toBe(EXIT.usage);
    expect(bad.err).toContain('models.baseUrl = "ftp://mirror/Models"');
  });
});

describe('sam-annotator models pull / verify', () => {
  it('pulls loose files, lists them installed, is a no-op the second time and verifies', async () => {
    const { encoder } = serveLooseMobileSam();
    const pulled = await run('models', 'pull', 'x-anylabeling-mobile_sam', ...mirror());
    expect(pulled.code).toBe(EXIT.ok);
    const target = path.join(modelsDir, 'x-anylabeling-mobile_sam');
    expect(pulled.out).toBe(
      `installed x-anylabeling-mobile_sam in ${target} (117.2 KiB downloaded)\n` +
        `  encoder ${path.join(target, 'mobile_sam.encoder.onnx')}\n` +
        `  decoder ${path.join(target, 'sam_vit_h_4b8939.decoder.onnx')}\n`,
    );
    // Progress goes to stderr as plain lines (no terminal here), naming each URL.
    expect(pulled.err).toContain(
      `downloading mobile_sam.encoder.onnx (87.9 KiB) from ${server.baseUrl}/Mirror/mobile_sam.encoder.onnx`,
    );
    expect(pulled.err).toContain('mobile_sam.encoder.onnx: 87.9 KiB received');
    expect(readdirSync(modelsDir)).toEqual(['x-anylabeling-mobile_sam']);

    const listed = JSON.parse((await run('models', 'list', '--json', ...mirror())).out);
    const row = listed.models.find((m: { name: string }) => m.name === 'x-anylabeling-mobile_sam');
    expect(row).toMatchObject({ installed: true, dir: target, sha256Published: false });

    const again = await run('models', 'pull', 'x-anylabeling-mobile_sam', ...mirror());
    expect(again.code).toBe(EXIT.ok);
    expect(again.out).toContain('is already installed');
    expect(server.hits.get('/Mirror/mobile_sam.encoder.onnx')).toBe(1);

    const verified = await run('models', 'verify', '--json', ...mirror());
    expect(verified.code).toBe(EXIT.ok);
    const report = JSON.parse(verified.out);
    expect(report.ok).toBe(true);
    expect(report.models[0].files[0]).toMatchObject({
      path: 'mobile_sam.encoder.onnx',
      status: 'ok',
      actualSha256: sha256Of(encoder),
      hashSource: 'first-download',
    });
  });

  it('exits with 3 when verify finds a changed file, and names it', async () => {
    serveLooseMobileSam();
    expect((await run('models', 'pull', 'x-anylabeling-mobile_sam', ...mirror())).code).toBe(0);
    const decoder = path.join(
      modelsDir,
      'x-anylabeling-mobile_sam',
      'sam_vit_h_4b8939.decoder.onnx',
    );
    writeFileSync(decoder, 'truncated by a crashed copy');
    const { code, out } = await run('models', 'verify', 'x-anylabeling-mobile_sam', ...mirror());
    expect(code).toBe(EXIT.problemsFound);
    expect(out).toContain('x-anylabeling-mobile_sam: FAILED');
    expect(out).toContain(
      'sam_vit_h_4b8939.decoder.onnx: size changed (expected 30000 bytes, found 27)',
    );
  });

  it('reports a checksum mismatch of a published archive and installs nothing', async () => {
    const impostor = buildZip([{ name: 'mobile_sam.encoder.onnx', data: fakeOnnx(1000) }]);
    server.route('/Mirror/mobile_sam_20230629.zip', serveBytes(impostor));
    const { code, out, err } = await run('models', 'pull', 'mobilesam', '--json', ...mirror());
    expect(code).toBe(EXIT.error);
    expect(out).toBe('');
    expect(err).toContain(
      'error: Checksum mismatch for mobile_sam_20230629.zip from ' +
        `${server.baseUrl}/Mirror/mobile_sam_20230629.zip: expected sha256 ` +
        `41aff2660b7531becfee21fb257c49933ddc892c554507bdb775bf504d443942, got ${sha256Of(impostor)}`,
    );
    expect(readdirSync(modelsDir)).toEqual([]);
  });

  it('reports HTTP errors with the URL, and unknown names as usage errors', async () => {
    server.route('/Mirror/sam2_hiera_small.zip', serveStatus(404));
    const missing = await run(
      'models',
      'pull',
      'sam2_hiera_small',
      '--dir',
      modelsDir,
      ...mirror(),
    );
    expect(missing.code).toBe(EXIT.error);
    expect(missing.err).toContain(
      `error: HTTP 404 Not Found from ${server.baseUrl}/Mirror/sam2_hiera_small.zip`,
    );
    const unknown = await run('models', 'pull', 'sam_vit_z', ...mirror());
    expect(unknown.code).toBe(EXIT.usage);
    expect(unknown.err).toContain('Unknown model "sam_vit_z". Known models: mobile_sam_20230629');
  });

  it('says when nothing is installed, and fails verify of a model that is not', async () => {
    const none = await run('models', 'verify', ...mirror());
    expect(none.code).toBe(EXIT.ok);
    expect(none.out).toBe(`no models installed in ${modelsDir}\n`);
    const notInstalled = await run('models', 'verify', 'sam2_hiera_tiny', ...mirror());
    expect(notInstalled.code).toBe(EXIT.error);
    expect(notInstalled.err).toContain('models pull sam2_hiera_tiny');
  });
});

describe('pullProgressReporter', () => {
  it('draws a cli-progress bar on a terminal', () => {
    const stream = Object.assign(new PassThrough(), { isTTY: true, columns: 120 });
    let drawn = '';
    stream.on('data', (chunk: Buffer) => (drawn += chunk.toString()));
    const reporter = pullProgressReporter({ out: () => {}, err: () => {} }, stream);
    const base = { phase: 'download' as const, fileName: 'm.zip', url: 'http://x/m.zip' };
    reporter.update({ ...base, receivedBytes: 0, totalBytes: 4 * 1024 ** 2 });
    reporter.update({ ...base, receivedBytes: 2 * 1024 ** 2, totalBytes: 4 * 1024 ** 2 });
    reporter.update({ phase: 'extract', fileName: 'm.zip', doneEntries: 1, totalEntries: 3 });
    reporter.stop();
    expect(drawn).toContain('m.zip [');
    expect(drawn).toContain('50% 2.0 MiB/4.0 MiB');
    expect(drawn).toContain('extracting m.zip');
  });
});
