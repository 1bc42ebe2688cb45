import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bitmapFrom, bitmapIou, bitmapUnion, type Bitmap } from '../../geometry/index.js';
import { randomBlobMask } from '../../geometry/testdata/shapes.js';
import { loadOpenCv, type CV } from '../../model/default/opencv.js';
import { ImportError } from './errors.js';
import { fillPixelPolygon } from './pixel-polygon.js';
import { openCvContours } from '../opencv-test-support.js';
import { importSeed } from './seed.js';
import { batchMasks, makeDataset, type TestDataset } from './test-support.js';

/**
 * The seed tool's round trip, with the real OpenCV (wasm): contours from cv.findContours,
 * written as the seed writes them ("{class} {x/w:.6f} {y/h:.6f} ..."), must import as the
 * mask cv.fillPoly makes of them after the seed's int(x * w) read-back.
 */
let cv: CV;
let ds: TestDataset;
const W = 240;
const H = 180;

beforeAll(async () => {
  cv = (await loadOpenCv()).cv;
});
beforeEach(async () => {
  ds = await makeDataset([
    { path: 'images/a.jpg', width: W, height: H },
    { path: 'images/b.png', width: 30, height: 20 },
  ]);
  await ds.write('classes.csv', 'class_name\nbackground\ncar\nperson\n');
});
afterEach(() => ds.cleanup());

/** What the seed tool shows for a label line: int(x * w) points filled by cv2.fillPoly. */
function seedFill(normalised: number[], width: number, height: number): Bitmap {
  const points = normalised.map((v, k) => Math.trunc(v * (k % 2 === 0 ? width : height)));
  const dst = cv.Mat.zeros(height, width, cv.CV_8UC1);
  const poly = cv.matFromArray(points.length / 2, 1, cv.CV_32SC2, points);
  const polys = new cv.MatVector();
  polys.push_back(poly);
  cv.fillPoly(dst, polys, new cv.Scalar(1));
  const mask = bitmapFrom(width, height, Uint8Array.from(dst.data as Uint8Array));
  dst.delete();
  poly.delete();
  polys.delete();
  return mask;
}

function seedLine(classId: number, contour: number[], width: number, height: number): number[] {
  void classId;
  return contour.map((v, k) => Number((v / (k % 2 === 0 ? width : height)).toFixed(6)));
}

describe('importSeed', () => {
  it('imports seed label files as cv2.fillPoly shows them', async () => {
    const lines: string[] = [];
    const expected: Bitmap[] = [];
    const originals: Bitmap[] = [];
    const blobOf: number[] = [];
    for (let seed = 1; seed <= 6; seed++) {
      const mask = randomBlobMask(W, H, seed, { parts: 1, holes: 0, specks: 0 });
      for (const contour of openCvContours(cv, mask)) {
        if (contour.length < 6) continue;
        const normalised = seedLine(seed % 3, contour, W, H);
        lines.push(`${seed % 3} ${normalised.map((v) => v.toFixed(6)).join(' ')}`);
        expected.push(seedFill(normalised, W, H));
        blobOf.push(originals.length);
      }
      originals.push(mask);
    }
    await ds.write('labels/a.txt', lines.join('\n') + '\n');
    const { batch, notes } = await importSeed(ds.dir, ds.ctx);
    expect(batch.format).toBe('seed');
    expect(batch.classes).toEqual(['background', 'car', 'person']);
    expect(notes).toEqual([]);
    const masks = batchMasks(batch, 'images/a.jpg');
    expect(masks).toHaveLength(expected.length);
    // Identical to OpenCV's own fill of each line...
    masks.forEach((m, i) => expect(bitmapIou(m.mask, expected[i]!)).toBe(1));
    // ...and together close to the blob the contours were traced from (int() truncation moves
    // points by up to a pixel).
    originals.forEach((blob, b) => {
      const parts = masks.filter((_, i) => blobOf[i] === b).map((m) => m.mask);
      const iou = bitmapIou(
        parts.reduce((u, m) => bitmapUnion(u, m)),
        blob,
      );
      expect(iou).toBeGreaterThan(0.95);
    });
  });

  it('fills pixel polygons exactly as cv.fillPoly: concave, steep, tiny, crossing and at the border', () => {
    const w = 30;
    const h = 20;
    const polygons = [
      [2, 2, 10, 3, 20, 15, 5, 12],
      [3, 10, 15, 2, 27, 10, 15, 18],
      [5, 5, 6, 15, 20, 16, 12, 4],
      [10, 2, 11, 2, 11, 3, 10, 3],
      [2, 2, 28, 17, 28, 2, 2, 17],
      [0, 0, 30, 0, 30, 20, 0, 20],
      [4, 1, 25, 1, 25, 18, 14, 6, 4, 18],
    ];
    for (const points of polygons) {
      const ours = fillPixelPolygon(points, { width: w, height: h });
      const normalised = points.map((v, k) => v / (k % 2 === 0 ? w : h));
      expect(bitmapIou(ours, seedFill(normalised, w, h)), points.join(',')).toBe(1);
    }
  });

  it('skips lines of fewer than 3 points as the seed does, and reads a repaired CSV', async () => {
    await ds.write('classes.csv', '\ufeffname\r\nbackground\r\ncar\r\n');
    await ds.write('labels/b.txt', '1 0.1 0.1 0.2 0.2\n1 0.1 0.1 0.9 0.1 0.5 0.9\n');
    const { batch, notes } = await importSeed(ds.dir, ds.ctx);
    expect(batch.images[0]!.objects.map((o) => o.className)).toEqual(['car']);
    expect(notes).toEqual([
      expect.stringMatching(/classes.csv: a byte-order mark at the start was skipped$/),
      expect.stringMatching(/classes.csv: Windows line ends/),
      expect.stringMatching(/classes.csv: column "name" read as class_name/),
      expect.stringMatching(
        /^lines with fewer than 3 points were skipped \(as the seed tool does\): 1 \(first: .*labels\/b.txt:1\)$/,
      ),
    ]);
  });

  it('refuses unknown class ids and a missing class CSV', async () => {
    await ds.write('labels/b.txt', '3 0.1 0.1 0.9 0.1 0.5 0.9\n');
    const err = await importSeed(ds.dir, ds.ctx).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImportError);
    expect((err as Error).message).toMatch(
      /b.txt:1: expected a class id from 0 to 2 \(the classes in .*classes.csv\), got 3/,
    );
    await ds.write('more.csv', 'class_name\nx\n');
    await ds.write('classes.csv', '');
    await expect(importSeed(ds.dir, ds.ctx)).rejects.toThrow(
      /classes.csv: expected at least one class name/,
    );
  });
});
