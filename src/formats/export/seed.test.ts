import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { bitmapEquals, createBitmap, pasteBitmap, type Bitmap } from '../../geometry/index.js';
import { randomBlobMask } from '../../geometry/testdata/shapes.js';
import { loadOpenCv, type CV } from '../../model/default/opencv.js';
import { MemoryAnnotationSource, goldenSource, maskAt } from '../test-support.js';
import { useTempFolder } from './export-test-support.js';
import { classesCsv, exportSeed } from './index.js';
import { fillHoles, openCvContours, openCvFill } from '../opencv-test-support.js';

let cv: CV;
beforeAll(async () => {
  cv = (await loadOpenCv()).cv;
});

/** A label line as the seed's DatasetManager.load_annotations reads it: int(float(v) * size). */
function seedPoints(line: string, width: number, height: number): number[] {
  return line
    .split(' ')
    .slice(1)
    .map((v, k) => Math.trunc(Number.parseFloat(v) * (k % 2 === 0 ? width : height)));
}

/** `crop` pasted at (x, y) in a width x height mask. */
function placed(width: number, height: number, crop: Bitmap, x: number, y: number): Bitmap {
  const mask = createBitmap(width, height);
  pasteBitmap(mask, crop, x, y);
  return mask;
}

describe('classesCsv', () => {
  it('writes the class_name column with pandas to_csv quoting', () => {
    const classes = ['plain', 'a, b', 'say "hi"', ''].map((name, i) => ({
      id: i + 1,
      name,
      color: '#000000',
      position: i,
    }));
    expect(classesCsv(classes)).toBe('class_name\nplain\n"a, b"\n"say ""hi"""\n""\n');
  });
});

describe('exportSeed', () => {
  const folder = useTempFolder('seed-export-');

  it('writes labels/<stem>.txt with 0-based class rows and six-decimal coordinates', async () => {
    const dest = path.join(folder(), 'seed');
    const result = await exportSeed(goldenSource(), dest);
    expect(result).toMatchObject({ format: 'seed', images: 3, objects: 4, files: 4 });
    expect(await readFile(path.join(dest, 'classes.csv'), 'utf8')).toBe(
      'class_name\ncat\ndog\n"bird, small"\n',
    );
    const dogs = await readFile(path.join(dest, 'labels', 'dogs', '001.txt'), 'utf8');
    // dog (row 1) first, then cat (row 0): boundary pixels at their centres, as findContours
    // orders them: (x + 0.5) / 128 and (y + 0.5) / 10, e.g. x = 0 -> 0.00390625 -> "0.003906".
    expect(dogs).toBe(
      '1 0.011719 0.150000 0.003906 0.250000 0.003906 0.350000 0.042969 0.350000 0.042969 0.150000\n' +
        '0 0.011719 0.250000 0.011719 0.450000 0.042969 0.450000 0.042969 0.250000\n',
    );
    expect(await readFile(path.join(dest, 'labels', 'empty.txt'), 'utf8')).toBe('');
  });

  it('warns about class names pandas would read as missing values', async () => {
    const source = new MemoryAnnotationSource();
    const c = source.addClass('NA');
    const image = source.addImage('x.png', 4, 4);
    source.addObject(image.id, c.id, maskAt(4, 4, 0, 0, '##'));
    const result = await exportSeed(source, path.join(folder(), 'na'));
    expect(result.warnings).toEqual([
      expect.stringMatching(/"NA": pandas reads this name as a missing value/),
    ]);
  });

  it('writes the points cv2.findContours gives, which the seed fills back to the mask', async () => {
    const W = 1001; // odd sizes: no normalised coordinate is a short binary fraction
    const H = 77;
    const source = new MemoryAnnotationSource();
    const c = source.addClass('thing');
    const image = source.addImage('x.png', W, H);
    const masks = [1, 2, 3, 4, 5, 6].map((seed) =>
      placed(
        W,
        H,
        randomBlobMask(70, 60, seed, { parts: 1, holes: 1, specks: 0 }),
        160 * seed - 150,
        9,
      ),
    );
    masks.push(
      maskAt(W, H, 999, 0, '##', '##'),
      maskAt(W, H, 0, 76, '#'),
      maskAt(W, H, 5, 0, '#####'),
    );
    for (const mask of masks) source.addObject(image.id, c.id, mask);
    const dest = path.join(folder(), 'faithful');
    const result = await exportSeed(source, dest);
    const lines = (await readFile(path.join(dest, 'labels', 'x.txt'), 'utf8'))
      .trimEnd()
      .split('\n');
    expect(lines).toHaveLength(masks.length);
    lines.forEach((line, k) => {
      const mask = masks[k]!;
      const points = seedPoints(line, W, H);
      const [contour, ...others] = openCvContours(cv, mask);
      expect(others, `object ${k} is one part`).toEqual([]);
      // Padded to the 3 points the seed needs by going back to the first one.
      const want = [...contour!];
      while (want.length < 6) want.push(contour![0]!, contour![1]!);
      expect(points, `object ${k}`).toEqual(want);
      const shown = openCvFill(cv, [points], W, H);
      expect(bitmapEquals(shown, fillHoles(mask)), `object ${k}`).toBe(true);
    });
    expect(result.warnings).toEqual([
      expect.stringMatching(/^\d+ objects? with holes: .* filled in/),
    ]);
  });

  it('joins the parts of a multi-part object into one line and says so', async () => {
    const source = new MemoryAnnotationSource();
    const c = source.addClass('thing');
    const image = source.addImage('x.png', 40, 20);
    const mask = maskAt(40, 20, 2, 2, '###......', '###......', '......###', '......###');
    source.addObject(image.id, c.id, mask, { id: 7 });
    const dest = path.join(folder(), 'parts');
    const result = await exportSeed(source, dest);
    const [line] = (await readFile(path.join(dest, 'labels', 'x.txt'), 'utf8')).split('\n');
    const shown = openCvFill(cv, [seedPoints(line!, 40, 20)], 40, 20);
    // Every pixel of both parts, plus the 3 pixels under the cut between the closest corners,
    // (4, 3) and (8, 4).
    const extra = shown.data.filter((v, i) => v && !mask.data[i]).length;
    expect(mask.data.every((v, i) => !v || shown.data[i])).toBe(true);
    expect(extra).toBe(3);
    expect(result.warnings).toEqual([
      '1 object in several parts: joined into one outline, and the seed tool also fills the pixels under the joining cuts: x.png#7',
    ]);
  });
});
