import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ArchiveError } from './errors.js';
import { extractZip } from './extract-zip.js';
import { fakeOnnx, sha256Of } from './http-test-support.js';
import { buildZip, type ZipEntryInput } from './zip-test-support.js';

let tmp: string;
let dest: string;

beforeEach(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'sam-unzip-'));
  dest = path.join(tmp, 'out');
  mkdirSync(dest);
});
afterEach(() => {
  rmSync(tmp, { recursive: true, force: true });
});

function archive(entries: ZipEntryInput[]): string {
  const file = path.join(tmp, `a${readdirSync(tmp).length}.zip`);
  writeFileSync(file, buildZip(entries));
  return file;
}

describe('extractZip', () => {
  it('extracts deflated and stored entries, folders included, with sizes and hashes', async () => {
    const encoder = fakeOnnx(70_000);
    const decoder = fakeOnnx(20_000);
    const zip = archive([
      { name: 'pair/', data: '' },
      { name: 'pair/tiny.encoder.onnx', data: encoder, method: 8 },
      { name: 'pair/tiny.decoder.onnx', data: decoder, method: 0 },
      { name: 'config.yaml', data: 'type: segment_anything\n' },
      { name: '__MACOSX/pair/._tiny.encoder.onnx', data: 'resource fork' },
    ]);
    const entries: number[] = [];
    const files = await extractZip(zip, dest, { onEntry: (done) => entries.push(done) });
    expect(files).toEqual([
      { path: 'pair/tiny.encoder.onnx', bytes: encoder.length, sha256: sha256Of(encoder) },
      { path: 'pair/tiny.decoder.onnx', bytes: decoder.length, sha256: sha256Of(decoder) },
      { path: 'config.yaml', bytes: 23, sha256: sha256Of(Buffer.from('type: segment_anything\n')) },
    ]);
    expect(readFileSync(path.join(dest, 'pair', 'tiny.encoder.onnx')).equals(encoder)).toBe(true);
    expect(readFileSync(path.join(dest, 'pair', 'tiny.decoder.onnx')).equals(decoder)).toBe(true);
    expect(existsSync(path.join(dest, '__MACOSX'))).toBe(false);
    expect(entries).toEqual([1, 2, 3, 4]);
  });

  it.each([
    ['../escape.onnx', '".." leaves the destination folder'],
    ['pair/../../escape.onnx', '".." leaves the destination folder'],
    ['/tmp/escape.onnx', 'absolute path'],
    ['C:/escape.onnx', 'absolute path'],
    ['..\\escape.onnx', '".." leaves the destination folder'],
  ])('rejects the zip-slip entry %s before writing anything', async (name, why) => {
    const zip = archive([
      { name: 'good.onnx', data: 'fine' },
      { name, data: 'evil' },
    ]);
    const error = await extractZip(zip, dest).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ArchiveError);
    // Backslashes are read as separators (archives made on Windows) and reported as "/".
    const shown = name.replace(/\\/g, '/');
    expect((error as ArchiveError).entry).toBe(shown);
    expect((error as Error).message).toContain(`unsafe entry "${shown}": ${why}`);
    expect(readdirSync(dest)).toEqual([]);
    expect(existsSync(path.join(tmp, 'escape.onnx'))).toBe(false);
  });

  it('rejects symbolic links, duplicates and archives over the limits', async () => {
    const link = archive([{ name: 'model.onnx', data: '/etc/passwd', mode: 0o120777 }]);
    await expect(extractZip(link, dest)).rejects.toThrow(/"model.onnx" is a symbolic link/);

    const twice = archive([
      { name: 'a.onnx', data: '1' },
      { name: 'A.onnx', data: '2' },
    ]);
    await expect(extractZip(twice, dest)).rejects.toThrow(/entry "A.onnx" appears twice/);

    const many = archive(Array.from({ length: 5 }, (_, i) => ({ name: `f${i}`, data: 'x' })));
    await expect(extractZip(many, dest, { limits: { maxEntries: 4 } })).rejects.toThrow(
      /holds 5 entries, more than the limit of 4/,
    );

    const big = archive([
      { name: 'a.onnx', data: fakeOnnx(600) },
      { name: 'b.onnx', data: fakeOnnx(600) },
    ]);
    await expect(extractZip(big, dest, { limits: { maxTotalBytes: 1000 } })).rejects.toThrow(
      /expands to more than the limit of 1000 bytes \(reached at entry "b.onnx"\)/,
    );
    expect(readdirSync(dest)).toEqual([]);
  });

  it('refuses an entry that expands beyond its declared size (a zip bomb in disguise)', async () => {
    const zip = archive([{ name: 'liar.onnx', data: fakeOnnx(50_000), declaredSize: 10 }]);
    await expect(extractZip(zip, dest)).rejects.toThrow(/cannot extract entry "liar.onnx"/);
  });

  it('says so when the file is not a zip', async () => {
    const file = path.join(tmp, 'page.zip');
    writeFileSync(file, '<html>rate limited</html>');
    await expect(extractZip(file, dest)).rejects.toThrow(
      new RegExp(`${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} is not a readable zip archive`),
    );
  });
});
