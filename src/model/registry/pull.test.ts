import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ArchiveError,
  ChecksumMismatchError,
  DownloadAbortedError,
  HttpStatusError,
  ModelRegistryError,
  TruncatedDownloadError,
  UnknownModelError,
} from './errors.js';
import {
  fakeOnnx,
  redirectTo,
  serveBytes,
  serveStalled,
  serveStatus,
  serveTruncated,
  sha256Of,
  startTestServer,
  type TestServer,
} from './http-test-support.js';
import type { ModelEntry } from './known-models.js';
import { readManifest } from './manifest.js';
import { serveZipModel } from './model-test-support.js';
import { pull, type PullProgress } from './pull.js';
import { buildZip } from './zip-test-support.js';

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
  tmp = mkdtempSync(path.join(os.tmpdir(), 'sam-pull-'));
  modelsDir = path.join(tmp, 'models');
});
afterEach(() => {
  rmSync(tmp, { recursive: true, force: true });
});

/** What the models folder holds, staging folders included. */
function contents(): string[] {
  return existsSync(modelsDir) ? readdirSync(modelsDir).sort() : [];
}

describe('pull', () => {
  it('downloads, checks and installs an archive with a manifest, reporting progress', async () => {
    const served = serveZipModel(server, 'tiny_sam');
    const events: PullProgress[] = [];
    const result = await pull(served.entry, {
      dir: modelsDir,
      baseUrl: server.baseUrl,
      onProgress: (e) => events.push(e),
    });

    const target = path.join(modelsDir, 'tiny_sam');
    expect(result).toMatchObject({ name: 'tiny_sam', dir: target, status: 'installed' });
    expect(result.downloadedBytes).toBe(served.archive.length);
    expect(contents()).toEqual(['tiny_sam']);
    expect(readdirSync(target).sort()).toEqual([
      'config.yaml',
      'model.json',
      'tiny_sam.decoder.onnx',
      'tiny_sam.encoder.onnx',
    ]);
    expect(readFileSync(path.join(target, 'tiny_sam.encoder.onnx')).equals(served.encoder)).toBe(
      true,
    );

    const manifest = await readManifest(target);
    expect(manifest).toEqual(result.manifest);
    expect(manifest).toMatchObject({
      name: 'tiny_sam',
      family: 'sam1',
      contract: 'A1-C1',
      encoder: 'tiny_sam.encoder.onnx',
      decoder: 'tiny_sam.decoder.onnx',
      sources: [
        {
          fileName: 'tiny_sam.zip',
          url: `${server.baseUrl}/tiny_sam.zip`,
          bytes: served.archive.length,
          sha256: sha256Of(served.archive),
          sha256Published: true,
        },
      ],
    });
    expect(manifest.files.find((f) => f.path === 'tiny_sam.encoder.onnx')).toMatchObject({
      bytes: served.encoder.length,
      sha256: sha256Of(served.encoder),
      hashSource: 'archive',
    });
    expect(manifest.files.every((f) => typeof f.mtimeMs === 'number')).toBe(true);
    expect(Date.parse(manifest.installedAt)).toBeGreaterThan(Date.now() - 60_000);

    const downloads = events.filter((e) => e.phase === 'download');
    expect(downloads[0]).toMatchObject({ receivedBytes: 0, totalBytes: served.archive.length });
    expect(downloads.at(-1)).toMatchObject({
      receivedBytes: served.archive.length,
      totalBytes: served.archive.length,
    });
    expect(events.filter((e) => e.phase === 'extract').at(-1)).toMatchObject({
      doneEntries: 3,
      totalEntries: 3,
    });
    expect(events.at(-1)).toEqual({ phase: 'installed', dir: target });
  });

  it('finds the pair inside a folder of the archive', async () => {
    const served = serveZipModel(server, 'nested_sam', { folder: 'nested_sam' });
    const result = await pull(served.entry, { dir: modelsDir, baseUrl: server.baseUrl });
    expect(result.manifest.encoder).toBe('nested_sam/nested_sam.encoder.onnx');
    expect(result.manifest.decoder).toBe('nested_sam/nested_sam.decoder.onnx');
  });

  it('does nothing when the model is installed, and downloads again with force', async () => {
    const served = serveZipModel(server, 'twice_sam');
    const options = { dir: modelsDir, baseUrl: server.baseUrl };
    const first = await pull(served.entry, options);
    const second = await pull(served.entry, options);
    expect(second.status).toBe('already-installed');
    expect(second.downloadedBytes).toBe(0);
    expect(second.manifest).toEqual(first.manifest);
    expect(server.hits.get('/twice_sam.zip')).toBe(1);

    const forced = await pull(served.entry, { ...options, force: true });
    expect(forced.status).toBe('installed');
    expect(server.hits.get('/twice_sam.zip')).toBe(2);
    expect(contents()).toEqual(['twice_sam']);
    expect(Date.parse(forced.manifest.installedAt)).toBeGreaterThanOrEqual(
      Date.parse(first.manifest.installedAt),
    );
  });

  it('looks names and aliases up in the registry, and refuses unknown names', async () => {
    const served = serveZipModel(server, 'alias_sam');
    const registry: ModelEntry[] = [{ ...served.entry, aliases: ['short'] }];
    const result = await pull('SHORT', { dir: modelsDir, baseUrl: server.baseUrl, registry });
    expect(result.name).toBe('alias_sam');
    const unknown = pull('nope', { dir: modelsDir, registry });
    await expect(unknown).rejects.toThrow(UnknownModelError);
    await expect(unknown).rejects.toThrow('Unknown model "nope". Known models: alias_sam.');
  });

  it('removes everything when the checksum does not match', async () => {
    const served = serveZipModel(server, 'bad_hash');
    const entry: ModelEntry = {
      ...served.entry,
      downloads: [{ ...served.entry.downloads[0]!, sha256: 'ab'.repeat(32) }],
    };
    const error = await pull(entry, { dir: modelsDir, baseUrl: server.baseUrl }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ChecksumMismatchError);
    expect((error as Error).message).toContain(
      `Checksum mismatch for bad_hash.zip from ${server.baseUrl}/bad_hash.zip: ` +
        `expected sha256 ${'ab'.repeat(32)}, got ${sha256Of(served.archive)}`,
    );
    expect(contents()).toEqual([]);
  });

  it('leaves nothing behind on 404, 500 and a truncated body', async () => {
    const served = serveZipModel(server, 'flaky');
    const options = { dir: modelsDir, baseUrl: server.baseUrl };
    server.route('/flaky.zip', serveStatus(404));
    await expect(pull(served.entry, options)).rejects.toThrow(HttpStatusError);
    server.route('/flaky.zip', serveStatus(500));
    await expect(pull(served.entry, options)).rejects.toThrow(/HTTP 500/);
    server.route('/flaky.zip', serveTruncated(served.archive, 1000));
    await expect(pull(served.entry, options)).rejects.toThrow(TruncatedDownloadError);
    expect(contents()).toEqual([]);
  });

  it('follows the redirect of the host to its CDN', async () => {
    const served = serveZipModel(server, 'moved');
    server.route('/moved.zip', redirectTo('/cdn/abc123/moved.zip'));
    server.route('/cdn/abc123/moved.zip', serveBytes(served.archive));
    const result = await pull(served.entry, { dir: modelsDir, baseUrl: server.baseUrl });
    expect(result.status).toBe('installed');
    expect(result.manifest.sources[0]!.sha256).toBe(sha256Of(served.archive));
  });

  it('refuses a zip-slip archive and writes nothing outside (or inside) the models folder', async () => {
    const archive = buildZip([
      { name: 'slip.encoder.onnx', data: fakeOnnx(100) },
      { name: 'slip.decoder.onnx', data: fakeOnnx(100) },
      { name: '../../escaped.onnx', data: 'evil' },
    ]);
    const entry: ModelEntry = {
      ...serveZipModel(server, 'slip').entry,
      downloads: [
        {
          fileName: 'slip.zip',
          kind: 'zip',
          url: 'https://models.invalid/slip.zip',
          sha256: sha256Of(archive),
          approxBytes: archive.length,
        },
      ],
    };
    server.route('/slip.zip', serveBytes(archive));
    await expect(pull(entry, { dir: modelsDir, baseUrl: server.baseUrl })).rejects.toThrow(
      /unsafe entry "..\/..\/escaped.onnx"/,
    );
    expect(contents()).toEqual([]);
    expect(existsSync(path.join(tmp, 'escaped.onnx'))).toBe(false);
    expect(existsSync(path.join(modelsDir, '..', '..', 'escaped.onnx'))).toBe(false);
  });

  it('fails clearly when the archive lacks the encoder', async () => {
    const archive = buildZip([{ name: 'only.decoder.onnx', data: fakeOnnx(100) }]);
    server.route('/only.zip', serveBytes(archive));
    const entry: ModelEntry = {
      name: 'only',
      family: 'sam1',
      contract: 'A1-C1',
      description: 'half a pair',
      downloads: [
        {
          fileName: 'only.zip',
          kind: 'zip',
          url: 'https://models.invalid/only.zip',
          sha256: sha256Of(archive),
          approxBytes: 1,
        },
      ],
      encoder: 'only.encoder.onnx',
      decoder: 'only.decoder.onnx',
    };
    const pending = pull(entry, { dir: modelsDir, baseUrl: server.baseUrl });
    await expect(pending).rejects.toThrow(ArchiveError);
    await expect(pending).rejects.toThrow(
      'The encoder file "only.encoder.onnx" of model only is not in only.zip; it holds: only.decoder.onnx.',
    );
    expect(contents()).toEqual([]);
  });

  it('stops on abort and removes the partial download', async () => {
    const served = serveZipModel(server, 'aborted', { encoderBytes: 400_000 });
    const stalled = serveStalled(served.archive, 100_000);
    server.route('/aborted.zip', stalled);
    const controller = new AbortController();
    const pending = pull(served.entry, {
      dir: modelsDir,
      baseUrl: server.baseUrl,
      signal: controller.signal,
      onProgress: (e) => {
        if (e.phase === 'download' && e.receivedBytes > 0) controller.abort();
      },
    });
    await expect(pending).rejects.toThrow(DownloadAbortedError);
    stalled.release();
    expect(contents()).toEqual([]);
  });

  it('records size and hash of loose files without a published hash at the first download', async () => {
    const encoder = fakeOnnx(50_000);
    const decoder = fakeOnnx(10_000);
    server.route('/loose.encoder.onnx', serveBytes(encoder));
    server.route('/loose.decoder.onnx', serveBytes(decoder, { chunked: true }));
    const entry: ModelEntry = {
      name: 'loose',
      family: 'sam2',
      contract: 'B',
      description: 'loose release files',
      downloads: [
        {
          fileName: 'loose.encoder.onnx',
          kind: 'file',
          url: 'https://x.invalid/a',
          approxBytes: 1,
        },
        {
          fileName: 'loose.decoder.onnx',
          kind: 'file',
          url: 'https://x.invalid/b',
          approxBytes: 1,
        },
      ],
      encoder: 'loose.encoder.onnx',
      decoder: 'loose.decoder.onnx',
    };
    const result = await pull(entry, { dir: modelsDir, baseUrl: server.baseUrl });
    expect(result.manifest.files).toEqual([
      expect.objectContaining({
        path: 'loose.encoder.onnx',
        bytes: encoder.length,
        sha256: sha256Of(encoder),
        hashSource: 'first-download',
      }),
      expect.objectContaining({
        path: 'loose.decoder.onnx',
        bytes: decoder.length,
        sha256: sha256Of(decoder),
        hashSource: 'first-download',
      }),
    ]);
    expect(result.manifest.sources.map((s) => s.sha256Published)).toEqual([false, false]);
    expect(result.downloadedBytes).toBe(encoder.length + decoder.length);
  });

  it('refuses to replace a folder it did not install, unless forced', async () => {
    const served = serveZipModel(server, 'user_folder');
    mkdirSync(path.join(modelsDir, 'user_folder'), { recursive: true });
    await expect(pull(served.entry, { dir: modelsDir, baseUrl: server.baseUrl })).rejects.toThrow(
      /user_folder exists but holds no model.json/,
    );
    const forced = await pull(served.entry, {
      dir: modelsDir,
      baseUrl: server.baseUrl,
      force: true,
    });
    expect(forced.status).toBe('installed');
  });

  it('removes staging folders of dead processes, keeps those of live ones', async () => {
    mkdirSync(path.join(modelsDir, '.partial-999999999-old-abc123', 'model'), { recursive: true });
    const live = `.partial-${process.ppid}-running-abc123`;
    mkdirSync(path.join(modelsDir, live), { recursive: true });
    const served = serveZipModel(server, 'cleaner');
    await pull(served.entry, { dir: modelsDir, baseUrl: server.baseUrl });
    expect(contents()).toEqual([live, 'cleaner']);
  });

  it('rejects entries whose names are not plain file names', async () => {
    const served = serveZipModel(server, 'plain');
    const entry = { ...served.entry, name: '../outside' };
    await expect(pull(entry, { dir: modelsDir })).rejects.toThrow(ModelRegistryError);
    await expect(pull(entry, { dir: modelsDir })).rejects.toThrow(
      '"../outside" is not a plain file name',
    );
  });
});
