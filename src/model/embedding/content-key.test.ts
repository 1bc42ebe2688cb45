import { copyFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImageDecodeError, type ImageEntry } from '../../dataset/index.js';
import { ContentKeys } from './content-key.js';
import { makeDataset, openDataset, type Dataset } from './test-support.js';

let dataset: Dataset;
beforeAll(async () => {
  dataset = await makeDataset(2);
  copyFileSync(path.join(dataset.dir, 'img-00.jpg'), path.join(dataset.dir, 'copy-of-00.jpg'));
  dataset = openDataset(dataset.dir);
});
afterAll(() => dataset.remove());

const entry = (rel: string): ImageEntry => dataset.index.byRelPath(rel)!;

describe('ContentKeys', () => {
  it('stat mode: path, size and mtime, read from the file now, not from the scan', async () => {
    const keys = new ContentKeys('stat');
    const image = entry('img-01.jpg');
    const before = await keys.keyOf(image);
    const stampOf = (file: string): bigint => statSync(file, { bigint: true }).mtimeNs;
    expect(before).toBe(`stat:img-01.jpg:${image.bytes}:${stampOf(image.absPath)}`);
    const later = new Date(Date.now() + 60_000);
    utimesSync(image.absPath, later, later);
    const after = await keys.keyOf(image);
    expect(after).not.toBe(before);
    expect(after).toBe(`stat:img-01.jpg:${image.bytes}:${stampOf(image.absPath)}`);
    // utimes passes seconds as a float, so the stored stamp may sit a few ns off the millisecond.
    expect(Math.abs(Number(stampOf(image.absPath)) / 1e6 - later.getTime())).toBeLessThan(1);
    expect(await keys.keyOf(entry('copy-of-00.jpg'))).not.toBe(
      await keys.keyOf(entry('img-00.jpg')),
    );
    expect(keys.filesHashed).toBe(0);
  });

  it('sha256 mode: copies share a key; each file version is read once, concurrent calls share the read', async () => {
    const keys = new ContentKeys('sha256');
    const [a, b, c] = await Promise.all([
      keys.keyOf(entry('img-00.jpg')),
      keys.keyOf(entry('img-00.jpg')),
      keys.keyOf(entry('copy-of-00.jpg')),
    ]);
    expect(a).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect([b, c]).toEqual([a, a]);
    expect(keys.filesHashed).toBe(2);
    await keys.keyOf(entry('img-00.jpg'));
    expect(keys.filesHashed).toBe(2);

    writeFileSync(entry('copy-of-00.jpg').absPath, 'other bytes');
    expect(await keys.keyOf(entry('copy-of-00.jpg'))).not.toBe(a);
    expect(keys.filesHashed).toBe(3);
  });

  it('a file that is gone is an io ImageDecodeError naming it', async () => {
    const gone = entry('copy-of-00.jpg');
    rmSync(gone.absPath);
    for (const mode of ['stat', 'sha256'] as const) {
      const error = await new ContentKeys(mode).keyOf(gone).catch((err: unknown) => err);
      expect(error).toBeInstanceOf(ImageDecodeError);
      expect(error).toMatchObject({ reason: 'io', file: gone.absPath });
      expect((error as Error).message).toContain(gone.absPath);
    }
  });
});
