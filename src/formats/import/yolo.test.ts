import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  bitmapEquals,
  bitmapIou,
  createBitmap,
  maskToPolygons,
  polygonRings,
} from '../../geometry/index.js';
import { randomBlobMask } from '../../geometry/testdata/shapes.js';
import { ImportError } from './errors.js';
import { batchMasks, makeDataset, type TestDataset } from './test-support.js';
import { importYolo } from './yolo.js';

let ds: TestDataset;
const W = 64;
const H = 48;

beforeEach(async () => {
  ds = await makeDataset([
    { path: 'images/train/a.jpg', width: W, height: H },
    { path: 'images/val/b.png', width: 20, height: 10 },
    { path: 'images/val/dup.png', width: 8, height: 8 },
    { path: 'elsewhere/dup.jpg', width: 8, height: 8 },
  ]);
});
afterEach(() => ds.cleanup());

/** One YOLO polygon line of a single-ring mask, normalised with full precision. */
function polygonLine(classId: number, ring: number[]): string {
  return `${classId} ${ring.map((v, k) => v / (k % 2 === 0 ? W : H)).join(' ')}`;
}

async function expectError(
  p: Promise<unknown>,
  pattern: RegExp,
  line?: number,
): Promise<ImportError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ImportError);
  expect((err as Error).message).toMatch(pattern);
  if (line !== undefined) expect((err as ImportError).line).toBe(line);
  return err as ImportError;
}

describe('importYolo', () => {
  it('reads boxes and polygons with data.yaml names, matching labels/ to images/', async () => {
    const blob = randomBlobMask(W, H, 3, { parts: 1, holes: 0, specks: 0 });
    const [ring] = polygonRings(maskToPolygons(blob));
    await ds.write(
      'data.yaml',
      'path: .\ntrain: images/train\nval: images/val\nnames:\n  0: person\n  1: "traffic light"  # comment\n',
    );
    await ds.write('labels/train/a.txt', `${polygonLine(1, ring!)}\n0 0.5 0.5 0.25 0.5\n`);
    await ds.write('labels/val/b.txt', '');
    const { batch, notes } = await importYolo(ds.dir, ds.ctx);
    expect(notes).toEqual([]);
    expect(batch.format).toBe('yolo-seg');
    expect(batch.classes).toEqual(['person', 'traffic light']);
    expect(batch.images.map((i) => [i.path, i.objects.length])).toEqual([
      ['images/train/a.jpg', 2],
      ['images/val/b.png', 0],
    ]);
    const [poly, box] = batchMasks(batch, 'images/train/a.jpg');
    expect(poly!.className).toBe('traffic light');
    expect(bitmapIou(poly!.mask, blob)).toBe(1);
    const rect = createBitmap(W, H);
    for (let y = 12; y < 36; y++) for (let x = 24; x < 40; x++) rect.data[y * W + x] = 1;
    expect(box!.className).toBe('person');
    expect(bitmapEquals(box!.mask, rect)).toBe(true);
  });

  it('reads classes.txt, takes the labels folder itself, and keeps confidences', async () => {
    await ds.write('classes.txt', 'cat\ndog\n');
    await ds.write('labels/train/a.txt', '1 0.5 0.5 0.5 0.5 0.75\n0 0.1 0.1 0.9 0.1 0.5 0.9 0.5\n');
    const { batch } = await importYolo(`${ds.dir}/labels`, ds.ctx, { withScores: true });
    const objects = batch.images[0]!.objects;
    expect(batch.format).toBe('yolo-seg');
    expect(objects.map((o) => [o.className, o.score])).toEqual([
      ['dog', 0.75],
      ['cat', 0.5],
    ]);
  });

  it('names the line of bad values, class ids and coordinates', async () => {
    await ds.write('data.yaml', 'names: [a, b]\nnc: 2\n');
    const cases: [string, RegExp][] = [
      [
        '0 0.5 0.5 0.2',
        /4 box values or an even number \(>= 6\) of polygon coordinates, got 3 values/,
      ],
      ['2 0.5 0.5 0.2 0.2', /class id from 0 to 1 \(the classes in .*data.yaml\), got 2/],
      ['-1 0.5 0.5 0.2 0.2', /whole-number class id/],
      ['0 0.5 nan 0.2 0.2', /a number as value 2, got "nan"/],
      ['0 0.5 0.5 1.2 0.2', /between 0 and 1 \(value 3\), got 1.2/],
      ['0 0.5 0.5 0 0.2', /width and height above 0/],
      [
        '0 0.1 0.1 0.2 0.2 0.3 0.3 0.4',
        /for polygons followed by a confidence, import with withScores/,
      ],
      ['0 0.5 0.5 0.2 0.2 7', /confidence between 0 and 1/],
    ];
    for (const [line, pattern] of cases) {
      await ds.write('labels/train/a.txt', `0 0.5 0.5 0.1 0.1\n\n${line}\n`);
      const err = await expectError(importYolo(ds.dir, ds.ctx), pattern, 3);
      expect(err.file).toBe(`${ds.dir}/labels/train/a.txt`);
    }
  });

  it('matches by stem when folders do not mirror, and refuses unmatched, ambiguous or doubled labels', async () => {
    await ds.write('classes.txt', 'a\n');
    await ds.write('labels/a.txt', '0 0.5 0.5 0.5 0.5\n');
    expect((await importYolo(ds.dir, ds.ctx)).batch.images.map((i) => i.path)).toEqual([
      'images/train/a.jpg',
    ]);
    await ds.write('labels/zzz.txt', '');
    await expectError(
      importYolo(ds.dir, ds.ctx),
      /labels\/zzz.txt: expected a dataset image for this label file/,
    );
    const skipped = await importYolo(ds.dir, ds.ctx, { unmatched: 'skip' });
    expect(skipped.notes.join()).toMatch(/label files without a dataset image were left out: 1/);
    await ds.write('labels/dup.txt', '');
    await expectError(
      importYolo(ds.dir, ds.ctx, { unmatched: 'skip' }),
      /one dataset image for this label file, got 2: elsewhere\/dup.jpg, images\/val\/dup.png/,
    );
  });

  it('refuses two label files for one image and folders without class names', async () => {
    await ds.write('labels/train/a.txt', '');
    await expectError(importYolo(ds.dir, ds.ctx), /class names: data.yaml.*got none found/);
    await ds.write('classes.txt', 'a\n');
    await ds.write('labels/other/a.txt', '');
    await expectError(
      importYolo(ds.dir, ds.ctx),
      /the only label file for image images\/train\/a.jpg/,
    );
  });

  it('reports a detection-only import as yolo-det', async () => {
    await ds.write('data.yaml', 'names:\n- a\n- b\n');
    await ds.write('labels/train/a.txt', '1 0.5 0.5 0.5 0.5\n');
    const { batch } = await importYolo(`${ds.dir}/data.yaml`, ds.ctx);
    expect(batch.format).toBe('yolo-det');
    expect(batch.classes).toEqual(['a', 'b']);
  });
});
