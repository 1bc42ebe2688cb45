import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatasetError, UnknownImageError, type ImageDecodeError } from './errors.js';
import { imageIdOf } from './image-id.js';
import { ImageIndex } from './image-index.js';
import {
  bombPngHeader,
  gradientImage,
  halvesJpeg,
  put,
  sample,
  tempDir,
  bmpFile,
  decodeFailure,
} from './test-fixtures.js';

const cleanups: Array<() => void> = [];
afterAll(() => cleanups.forEach((remove) => remove()));

function newDataset(prefix: string): string {
  const { dir, remove } = tempDir(prefix);
  cleanups.push(remove);
  return dir;
}

describe('ImageIndex scan', () => {
  let root: string;
  beforeAll(() => {
    // Contents do not matter to the scan: it never reads them.
    root = newDataset('scan');
    for (const rel of [
      'img10.jpg',
      'img2.JPG',
      'img1.png',
      'Img3.jpeg',
      'b/z.webp',
      'a/pic.TIF',
      'a/pic2.tiff',
      'a/sub/deep.gif',
      'a/sub/x.bmp',
      'notes.txt',
      'img4.jpg.bak',
      '.hidden.jpg',
      '._img5.jpg',
      '.cache/c.jpg',
      '.sam-annotator/cache/e.png',
      'nested/.sam-annotator/f.png',
      'exports/out.png',
      'keep/exports/in.png',
      'raw/skip-me/r.png',
    ]) {
      put(root, rel, 'not really an image');
    }
  });

  it('lists image files in natural order, folder by folder', () => {
    const index = ImageIndex.open(root, { extraSkip: ['raw/skip-me'] });
    expect(index.entries().map((e) => e.relPath)).toEqual([
      'a/pic.TIF',
      'a/pic2.tiff',
      'a/sub/deep.gif',
      'a/sub/x.bmp',
      'b/z.webp',
      'exports/out.png',
      'img1.png',
      'img2.JPG',
      'Img3.jpeg',
      'img10.jpg',
      'keep/exports/in.png',
    ]);
  });

  it('skips hidden entries, the project folder at any depth, and extra folders', () => {
    const index = ImageIndex.open(root, { extraSkip: ['exports', 'raw/skip-me'] });
    const rels = index.entries().map((e) => e.relPath);
    expect(rels).not.toContain('exports/out.png');
    expect(rels).not.toContain('keep/exports/in.png');
    expect(rels.some((r) => r.includes('.') && r.split('/').some((p) => p.startsWith('.')))).toBe(
      false,
    );
    expect(rels.some((r) => r.includes('sam-annotator') || r.includes('skip-me'))).toBe(false);
    const custom = ImageIndex.open(root, { projectDirName: 'keep' });
    expect(custom.byRelPath('keep/exports/in.png')).toBeUndefined();
    expect(custom.byRelPath('raw/skip-me/r.png')).toBeDefined();
    const byAbsolutePath = ImageIndex.open(root, { extraSkip: [path.join(root, 'raw/skip-me')] });
    expect(byAbsolutePath.byRelPath('raw/skip-me/r.png')).toBeUndefined();
  });

  it('records format by extension, sizes and modification times from stat', () => {
    const index = ImageIndex.open(root);
    const entry = index.byRelPath('a/pic.TIF')!;
    expect(entry).toMatchObject({
      relPath: 'a/pic.TIF',
      absPath: path.join(root, 'a/pic.TIF'),
      bytes: 'not really an image'.length,
      format: 'tiff',
    });
    expect(entry.mtimeMs).toBeGreaterThan(0);
    expect(index.countByFormat()).toEqual({ jpeg: 3, png: 4, webp: 1, tiff: 2, bmp: 1, gif: 1 });
    expect(index.totalBytes).toBe(index.size * 'not really an image'.length);
  });

  it('keeps ids across re-scans and when files are added', () => {
    const dir = newDataset('stable');
    put(dir, 'b.jpg', 'x');
    put(dir, 'd/e.jpg', 'x');
    const first = ImageIndex.open(dir);
    put(dir, 'a.jpg', 'x');
    put(dir, 'c.jpg', 'x');
    const second = ImageIndex.open(dir);
    for (const entry of first.entries()) {
      expect(second.byRelPath(entry.relPath)!.id).toBe(entry.id);
      expect(entry.id).toBe(imageIdOf(entry.relPath));
    }
    expect(second.positionOf(first.entries()[0]!.id)).toBe(1);
  });

  it('looks up by id, path and position, and steps through the order', () => {
    const index = ImageIndex.open(root);
    const all = index.entries();
    const middle = all[3]!;
    expect(index.get(middle.id)).toBe(middle);
    expect(index.require(middle.id)).toBe(middle);
    expect(index.byRelPath(middle.relPath)).toBe(middle);
    expect(index.positionOf(middle.id)).toBe(3);
    expect(index.at(3)).toBe(middle);
    expect(index.next(middle.id)).toBe(all[4]);
    expect(index.previous(middle.id)).toBe(all[2]);
    expect(index.previous(all[0]!.id)).toBeUndefined();
    expect(index.next(all[all.length - 1]!.id)).toBeUndefined();
    expect(index.get('0000000000000000')).toBeUndefined();
    expect(index.positionOf('0000000000000000')).toBe(-1);
    expect(() => index.require('0000000000000000')).toThrow(UnknownImageError);
    expect(() => index.require('0000000000000000')).toThrow(/0000000000000000.*in the dataset at/);
  });

  it('lists symlinked files but never follows symlinked folders', () => {
    const dir = newDataset('links');
    const outside = newDataset('outside');
    put(outside, 'far.jpg', 'x');
    put(dir, 'real/one.jpg', 'x');
    symlinkSync(path.join(outside, 'far.jpg'), path.join(dir, 'linked.jpg'));
    symlinkSync(outside, path.join(dir, 'outside-folder'));
    symlinkSync(dir, path.join(dir, 'real/loop')); // a cycle back to the root
    symlinkSync(path.join(dir, 'missing.jpg'), path.join(dir, 'dangling.jpg'));
    const index = ImageIndex.open(dir);
    expect(index.entries().map((e) => e.relPath)).toEqual(['linked.jpg', 'real/one.jpg']);
    expect(index.byRelPath('linked.jpg')!.bytes).toBe(1);
  });

  it('refuses a missing root or a file as root with the path in the message', () => {
    const dir = newDataset('roots');
    expect(() => ImageIndex.open(path.join(dir, 'nope'))).toThrow(DatasetError);
    expect(() => ImageIndex.open(path.join(dir, 'nope'))).toThrow(/nope/);
    const file = put(dir, 'file.jpg', 'x');
    expect(() => ImageIndex.open(file)).toThrow(/is not a folder/);
  });
});

describe('ImageIndex metadata', () => {
  let dir: string;
  let index: ImageIndex;
  const id = (rel: string) => index.byRelPath(rel)!.id;

  beforeAll(async () => {
    dir = newDataset('meta');
    put(dir, 'rotated.jpg', await halvesJpeg(40, 20, { orientation: 6 }));
    put(dir, 'png-named.jpg', await gradientImage(30, 10, 'png'));
    put(dir, 'text.png', 'these bytes are text, not a picture');
    put(dir, 'empty.jpg', Buffer.alloc(0));
    put(dir, 'bomb.png', bombPngHeader(100_000, 100_000));
    // RLE8-compressed, 2 x 1: a real BMP variant the decoder does not read.
    put(
      dir,
      'old.bmp',
      bmpFile({
        width: 2,
        height: 1,
        bitsPerPixel: 8,
        compression: 1,
        palette: [[0, 0, 0]],
        rows: [2, 0, 0, 1],
      }),
    );
    put(dir, 'gone.webp', await gradientImage(8, 8, 'webp'));
    copyFileSync(sample('truncated.jpg'), path.join(dir, 'truncated.jpg'));
    index = ImageIndex.open(dir);
  });

  it('opens over files that are not images without reading them; metadata() then fails', async () => {
    expect(index.byRelPath('text.png')).toBeDefined();
    expect(index.broken()).toEqual([]);
    const err = await decodeFailure(index.metadata(id('text.png')));
    expect(err.reason).toBe('not-an-image');
    expect(err.message).toBe(
      `Cannot decode ${path.join(dir, 'text.png')}: the file is not an image ` +
        '(Input file contains unsupported image format)',
    );
    expect(index.isBroken(id('text.png'))).toBe(true);
  });

  it('swaps width and height for EXIF orientations 5-8', async () => {
    const meta = await index.metadata(id('rotated.jpg'));
    expect(meta).toMatchObject({
      width: 20,
      height: 40,
      storedWidth: 40,
      storedHeight: 20,
      orientation: 6,
      format: 'jpeg',
      channels: 3,
      hasAlpha: false,
    });
  });

  it('reads the format from the header, not the extension', async () => {
    const entry = index.byRelPath('png-named.jpg')!;
    expect(entry.format).toBe('jpeg');
    expect(await index.metadata(entry.id)).toMatchObject({
      format: 'png',
      width: 30,
      height: 10,
      orientation: 1,
    });
  });

  it('shares one header read between concurrent callers and keeps the result', async () => {
    const first = index.metadata(id('png-named.jpg'));
    const again = await first;
    expect(index.cachedMetadata(id('png-named.jpg'))).toBe(again);
    const fresh = ImageIndex.open(dir);
    const freshId = fresh.byRelPath('rotated.jpg')!.id;
    const a = fresh.metadata(freshId);
    const b = fresh.metadata(freshId);
    expect(b).toBe(a);
    expect(await b).toBe(await fresh.metadata(freshId));
  });

  it('reads every header on request, counting the broken ones without rejecting', async () => {
    const fresh = ImageIndex.open(dir);
    const progress: Array<[number, number]> = [];
    const result = await fresh.readAllHeaders({
      concurrency: 3,
      onProgress: (done, total) => progress.push([done, total]),
    });
    // Three real images (gone.webp is deleted by a later test); five files broken five ways.
    expect(result).toEqual({ ok: 3, broken: 5 });
    expect(fresh.broken().map((b) => (b.error as ImageDecodeError).reason)).toEqual([
      'too-many-pixels',
      'empty',
      'unsupported',
      'not-an-image',
      'truncated',
    ]);
    expect(progress).toHaveLength(8);
    expect(progress[7]).toEqual([8, 8]);
    expect(fresh.cachedMetadata(fresh.byRelPath('rotated.jpg')!.id)?.width).toBe(20);
  });

  it('reports a zero-byte file as empty', async () => {
    const err = await decodeFailure(index.metadata(id('empty.jpg')));
    expect(err.reason).toBe('empty');
    expect(err.message).toBe(
      `Cannot decode ${path.join(dir, 'empty.jpg')}: the file is empty (0 bytes)`,
    );
  });

  it('reports the truncated sample as truncated', async () => {
    const err = await decodeFailure(index.metadata(id('truncated.jpg')));
    expect(err.reason).toBe('truncated');
    expect(err.message).toMatch(/^Cannot decode .*truncated\.jpg: the file is truncated \(/);
    expect(err.file).toBe(path.join(dir, 'truncated.jpg'));
  });

  it('refuses a decompression bomb from its header', async () => {
    const err = await decodeFailure(index.metadata(id('bomb.png')));
    expect(err.reason).toBe('too-many-pixels');
    expect(err.message).toContain('100000 x 100000 = 10000000000 pixels');
    expect(err.message).toContain('dataset.decodePixelLimit');
  });

  it('follows the configured pixel limit', async () => {
    const strict = ImageIndex.open(dir, { pixelLimit: 799 });
    const err = await decodeFailure(strict.metadata(strict.byRelPath('rotated.jpg')!.id));
    expect(err.reason).toBe('too-many-pixels');
    const meta = await ImageIndex.open(dir, { pixelLimit: 800 }).metadata(id('rotated.jpg'));
    expect(meta.width * meta.height).toBe(800);
  });

  it('calls a real image in a variant the decoder lacks unsupported', async () => {
    const err = await decodeFailure(index.metadata(id('old.bmp')));
    expect(err.reason).toBe('unsupported');
    expect(err.message).toBe(
      `Cannot decode ${path.join(dir, 'old.bmp')}: the image format is not supported ` +
        '(a BMP with RLE8 compression)',
    );
  });

  it('reports a file deleted after the scan as unreadable', async () => {
    rmSync(path.join(dir, 'gone.webp'));
    const err = await decodeFailure(index.metadata(id('gone.webp')));
    expect(err.reason).toBe('io');
  });

  it('lists broken images in index order, answers them from the list, and carries on', async () => {
    for (const rel of ['empty.jpg', 'truncated.jpg', 'bomb.png', 'text.png']) {
      await index.metadata(id(rel)).catch(() => undefined);
    }
    const broken = index.broken().map((b) => b.entry.relPath);
    expect(broken).toEqual([
      'bomb.png',
      'empty.jpg',
      'gone.webp',
      'old.bmp',
      'text.png',
      'truncated.jpg',
    ]);
    const listed = index.broken().find((b) => b.entry.relPath === 'text.png')!.error;
    // Rewriting the file does not matter any more: the broken verdict stands until a re-scan.
    writeFileSync(path.join(dir, 'text.png'), readFileSync(path.join(dir, 'png-named.jpg')));
    await expect(index.metadata(id('text.png'))).rejects.toBe(listed);
    expect((await index.metadata(id('rotated.jpg'))).width).toBe(20);
    index.markBroken(id('rotated.jpg'), new Error('found bad by a caller'));
    await expect(index.metadata(id('rotated.jpg'))).rejects.toThrow('found bad by a caller');
    expect(ImageIndex.open(dir).broken()).toEqual([]);
  });
});

describe('ImageIndex on the shared samples', () => {
  it('indexes the sample photos and reads their headers', async () => {
    const index = ImageIndex.open(sample(''));
    expect(index.entries().map((e) => e.relPath)).toEqual([
      'astronaut.png',
      'chelsea.png',
      'coffee.png',
      'coins.png',
      'horse.png',
      'hubble_deep_field.jpg',
      'retina.jpg',
      'rocket.jpg',
      'truncated.jpg',
    ]);
    const sizes = await Promise.all(
      index
        .entries()
        .filter((e) => e.relPath !== 'truncated.jpg')
        .map(async (e) => {
          const m = await index.metadata(e.id);
          return `${e.relPath} ${m.width}x${m.height}/${m.channels}`;
        }),
    );
    // Sizes and channels as listed in shared/samples/LICENSES.md.
    expect(sizes).toEqual([
      'astronaut.png 512x512/3',
      'chelsea.png 451x300/3',
      'coffee.png 600x400/3',
      'coins.png 384x303/1',
      'horse.png 400x328/4',
      'hubble_deep_field.jpg 1000x872/3',
      'retina.jpg 1411x1411/3',
      'rocket.jpg 640x427/3',
    ]);
  });
});

describe('ImageIndex with unreadable folders', () => {
  // root reads every folder, so this can only be checked as an ordinary user (CI).
  it.skipIf(process.getuid?.() === 0)('skips them, notes the problem and indexes the rest', () => {
    const dir = newDataset('perm');
    put(dir, 'ok.jpg', 'x');
    mkdirSync(path.join(dir, 'locked'));
    put(dir, 'locked/hidden.jpg', 'x');
    chmodSync(path.join(dir, 'locked'), 0o000);
    try {
      const index = ImageIndex.open(dir);
      expect(index.entries().map((e) => e.relPath)).toEqual(['ok.jpg']);
      expect(index.problems.map((p) => p.path)).toEqual([path.join(dir, 'locked')]);
    } finally {
      chmodSync(path.join(dir, 'locked'), 0o755);
    }
  });
});
