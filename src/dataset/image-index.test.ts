import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatasetError, UnknownImageError, type ImageDecodeError } from './errors.js';
import { imageIdOf, unnormalisedImageIdOf } from './image-id.js';
import { ImageIndex } from './image-index.js';
import {
  bombPngHeader,
  gradientImage,
  halvesJpeg,
  PHOTOS,
  photosDir,
  put,
  tempDir,
  bmpFile,
  decodeFailure,
  truncatedJpeg,
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

describe('ImageIndex with names that differ only in Unicode normalisation', () => {
  const composed = 'caf\u00e9.png'; // NFC
  const decomposed = 'cafe\u0301.png'; // NFD: looks the same, a different file on Linux

  async function twoCafes(): Promise<string> {
    const dir = newDataset('nfc');
    // The decomposed name is written first: which name keeps the usual id must not depend on it.
    put(dir, decomposed, await gradientImage(6, 4, 'png'));
    put(dir, composed, await gradientImage(5, 3, 'png'));
    return dir;
  }

  it('opens the dataset, keeps both files usable, and gives them ids that last', async () => {
    const dir = await twoCafes();
    const lines: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => lines.push(line) });
    const index = ImageIndex.open(dir, { logger });
    expect(index.size).toBe(2);
    const nfc = index.byRelPath(composed)!;
    const nfd = index.byRelPath(decomposed)!;
    // The NFC name keeps the usual id; the other is hashed as spelled.
    expect(nfc.id).toBe(imageIdOf(composed));
    expect(nfd.id).toBe(unnormalisedImageIdOf(decomposed));
    expect(nfd.id).not.toBe(nfc.id);
    expect(index.get(nfd.id)).toBe(nfd);
    expect(index.problems).toEqual([]);
    expect((await index.metadata(nfc.id)).width).toBe(5);
    expect((await index.metadata(nfd.id)).width).toBe(6);
    const again = ImageIndex.open(dir);
    expect(again.byRelPath(composed)!.id).toBe(nfc.id);
    expect(again.byRelPath(decomposed)!.id).toBe(nfd.id);
    // The warning spells out the code points: the two names look identical when printed.
    const warning = lines.map((line) => JSON.parse(line) as { msg: string }).at(-1)!.msg;
    expect(warning).toContain('cafe\\u0301.png and caf\\u00e9.png differ only in Unicode');
  });
});

describe('ImageIndex metadata', () => {
  let dir: string;
  const open = () => ImageIndex.open(dir);
  const idOf = (index: ImageIndex, rel: string) => index.byRelPath(rel)!.id;

  // Read-only for the tests below: a test that changes files makes its own folder.
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
    put(dir, 'small.webp', await gradientImage(8, 8, 'webp'));
    copyFileSync(truncatedJpeg, path.join(dir, 'truncated.jpg'));
  });

  it('opens over files that are not images without reading a byte of them', async () => {
    const bad = newDataset('unread');
    // 4 MiB in files whose contents no decoder accepts: reading any of them would fail.
    const files = 64;
    const noise = Buffer.alloc(64 * 1024, 'not an image ');
    for (let n = 0; n < files; n++) {
      put(bad, `d${n % 4}/img${n}.${['jpg', 'png', 'webp'][n % 3]}`, noise);
    }
    const readBefore = bytesReadByThisProcess();
    const index = ImageIndex.open(bad);
    const readByOpen = bytesReadByThisProcess() - readBefore;
    expect(index.size).toBe(files);
    expect(index.totalBytes).toBe(files * noise.length);
    expect(index.broken()).toEqual([]);
    // readdir and stat read nothing; reading /proc/self/io itself counts ~120 bytes. Sniffing
    // 16 bytes of every file would count 1 KiB, reading every header ~80 KiB.
    expect(readByOpen).toBeLessThan(files * 16);
    const err = await decodeFailure(index.metadata(idOf(index, 'd0/img0.jpg')));
    expect(err.reason).toBe('not-an-image');
    expect(index.isBroken(idOf(index, 'd0/img0.jpg'))).toBe(true);
  });

  it('names the file and the reason when a header is not an image', async () => {
    const index = open();
    const err = await decodeFailure(index.metadata(idOf(index, 'text.png')));
    expect(err.reason).toBe('not-an-image');
    expect(err.message).toBe(
      `Cannot decode ${path.join(dir, 'text.png')}: the file is not an image ` +
        '(Input file contains unsupported image format)',
    );
    expect(index.isBroken(idOf(index, 'text.png'))).toBe(true);
  });

  it('swaps width and height for EXIF orientations 5-8', async () => {
    const index = open();
    const meta = await index.metadata(idOf(index, 'rotated.jpg'));
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
    const index = open();
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
    const index = open();
    const id = idOf(index, 'rotated.jpg');
    const a = index.metadata(id);
    const b = index.metadata(id);
    expect(b).toBe(a);
    expect(await b).toBe(await index.metadata(id));
    expect(index.cachedMetadata(id)).toBe(await a);
  });

  it('reads every header on request, counting the broken ones without rejecting', async () => {
    const index = open();
    const progress: Array<[number, number]> = [];
    const result = await index.readAllHeaders({
      concurrency: 3,
      onProgress: (done, total) => progress.push([done, total]),
    });
    expect(result).toEqual({ ok: 3, broken: 5 });
    expect(index.broken().map((b) => (b.error as ImageDecodeError).reason)).toEqual([
      'too-many-pixels',
      'empty',
      'unsupported',
      'not-an-image',
      'truncated',
    ]);
    expect(progress).toHaveLength(8);
    expect(progress[7]).toEqual([8, 8]);
    expect(index.cachedMetadata(idOf(index, 'rotated.jpg'))?.width).toBe(20);
  });

  it('reports a zero-byte file as empty', async () => {
    const index = open();
    const err = await decodeFailure(index.metadata(idOf(index, 'empty.jpg')));
    expect(err.reason).toBe('empty');
    expect(err.message).toBe(
      `Cannot decode ${path.join(dir, 'empty.jpg')}: the file is empty (0 bytes)`,
    );
  });

  it('reports the truncated fixture as truncated', async () => {
    const index = open();
    const err = await decodeFailure(index.metadata(idOf(index, 'truncated.jpg')));
    expect(err.reason).toBe('truncated');
    expect(err.message).toMatch(/^Cannot decode .*truncated\.jpg: the file is truncated \(/);
    expect(err.file).toBe(path.join(dir, 'truncated.jpg'));
  });

  it('refuses a decompression bomb from its header', async () => {
    const index = open();
    const err = await decodeFailure(index.metadata(idOf(index, 'bomb.png')));
    expect(err.reason).toBe('too-many-pixels');
    expect(err.message).toContain('100000 x 100000 = 10000000000 pixels');
    expect(err.message).toContain('dataset.decodePixelLimit');
  });

  it('follows the configured pixel limit', async () => {
    const strict = ImageIndex.open(dir, { pixelLimit: 799 });
    const err = await decodeFailure(strict.metadata(idOf(strict, 'rotated.jpg')));
    expect(err.reason).toBe('too-many-pixels');
    const lenient = ImageIndex.open(dir, { pixelLimit: 800 });
    const meta = await lenient.metadata(idOf(lenient, 'rotated.jpg'));
    expect(meta.width * meta.height).toBe(800);
  });

  it('calls a real image in a variant the decoder lacks unsupported', async () => {
    const index = open();
    const err = await decodeFailure(index.metadata(idOf(index, 'old.bmp')));
    expect(err.reason).toBe('unsupported');
    expect(err.message).toBe(
      `Cannot decode ${path.join(dir, 'old.bmp')}: the image format is not supported ` +
        '(a BMP with RLE8 compression)',
    );
  });

  it('lists broken images in index order, answers them from the list, and carries on', async () => {
    const own = newDataset('broken-list');
    for (const rel of ['empty.jpg', 'truncated.jpg', 'bomb.png', 'text.png', 'rotated.jpg']) {
      copyFileSync(path.join(dir, rel), path.join(own, rel));
    }
    const index = ImageIndex.open(own);
    const id = (rel: string) => idOf(index, rel);
    for (const rel of ['text.png', 'empty.jpg', 'truncated.jpg', 'bomb.png']) {
      await index.metadata(id(rel)).catch(() => undefined);
    }
    expect(index.broken().map((b) => b.entry.relPath)).toEqual([
      'bomb.png',
      'empty.jpg',
      'text.png',
      'truncated.jpg',
    ]);
    const listed = index.broken().find((b) => b.entry.relPath === 'text.png')!.error;
    // Rewriting the file does not matter any more: the broken verdict stands until a re-scan.
    copyFileSync(path.join(own, 'rotated.jpg'), path.join(own, 'text.png'));
    await expect(index.metadata(id('text.png'))).rejects.toBe(listed);
    await expect(index.currentMetadata(id('text.png'))).rejects.toBe(listed);
    expect((await index.metadata(id('rotated.jpg'))).width).toBe(20);
    index.markBroken(id('rotated.jpg'), new Error('found bad by a caller'));
    await expect(index.metadata(id('rotated.jpg'))).rejects.toThrow('found bad by a caller');
    const rescanned = ImageIndex.open(own);
    expect(rescanned.broken()).toEqual([]);
    expect((await rescanned.metadata(idOf(rescanned, 'text.png'))).width).toBe(20);
  });
});

describe('ImageIndex and files that change after the scan', () => {
  it('judges a file emptied after the scan as empty, from its size now', async () => {
    const dir = newDataset('emptied');
    put(dir, 'shrinks.jpg', await gradientImage(30, 20, 'jpeg'));
    const index = ImageIndex.open(dir);
    const entry = index.byRelPath('shrinks.jpg')!;
    expect(entry.bytes).toBeGreaterThan(0);
    truncateSync(entry.absPath, 0);
    const err = await decodeFailure(index.metadata(entry.id));
    expect(err.reason).toBe('empty');
  });

  it('tries a file that was missing again on the next request', async () => {
    const dir = newDataset('missing');
    const file = put(dir, 'saved.webp', await gradientImage(8, 6, 'webp'));
    const index = ImageIndex.open(dir);
    const id = index.byRelPath('saved.webp')!.id;
    const content = readFileSync(file);
    rmSync(file); // an editor saving by delete-and-write
    const err = await decodeFailure(index.metadata(id));
    expect(err.reason).toBe('io');
    expect(err.message).toContain(file);
    expect(index.broken().map((b) => b.entry.relPath)).toEqual(['saved.webp']);
    writeFileSync(file, content);
    expect((await index.metadata(id)).width).toBe(8);
    expect(index.broken()).toEqual([]);
  });

  it('reads the header again once the file was replaced', async () => {
    const dir = newDataset('replaced');
    const file = put(dir, 'later.jpg', await gradientImage(300, 200, 'jpeg'));
    const index = ImageIndex.open(dir);
    const id = index.byRelPath('later.jpg')!.id;
    const first = await index.currentMetadata(id);
    expect([first.width, first.height]).toEqual([300, 200]);
    expect(await index.currentMetadata(id)).toBe(first); // unchanged: the kept header
    writeFileSync(file, await gradientImage(50, 1000, 'jpeg'));
    const now = await index.currentMetadata(id);
    expect([now.width, now.height]).toEqual([50, 1000]);
    expect(now.file.bytes).toBe(statSync(file).size);
    expect(index.cachedMetadata(id)).toBe(now);
    rmSync(file);
    expect((await decodeFailure(index.currentMetadata(id))).reason).toBe('io');
  });
});

describe('ImageIndex on the example photos', () => {
  it('indexes the example photos and reads their headers', async () => {
    const index = ImageIndex.open(photosDir);
    expect(index.entries().map((e) => e.relPath)).toEqual([...PHOTOS]);
    const sizes = await Promise.all(
      index.entries().map(async (e) => {
        const m = await index.metadata(e.id);
        return `${e.relPath} ${m.width}x${m.height}/${m.channels}`;
      }),
    );
    // Sizes and channels as listed in examples/photos/LICENSES.md.
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

/** Bytes this process has read through read(2) and friends so far (Linux /proc/self/io). */
function bytesReadByThisProcess(): number {
  const match = /^rchar: (\d+)$/m.exec(readFileSync('/proc/self/io', 'utf8'));
  if (!match) throw new Error('/proc/self/io has no rchar line');
  return Number(match[1]);
}

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
