import { lstat, readFile, readlink, rm } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  bitmapBbox,
  bitmapEquals,
  bitmapUnion,
  decodeRle,
  rasterizeRings,
  type Bitmap,
} from '../../geometry/index.js';
import {
  MemoryAnnotationSource,
  goldenSource,
  maskAt,
  writeDatasetImages,
} from '../test-support.js';
import { entries, useTempFolder } from './export-test-support.js';
import { exportYolo } from './index.js';

function parseLine(line: string): { cls: number; values: number[] } {
  const [cls, ...values] = line.split(' ');
  for (const v of values) expect(v).toMatch(/^\d\.\d{6}$/);
  return { cls: Number(cls), values: values.map(Number) };
}

/** Object masks of an image, in object order. */
function masksOf(source: MemoryAnnotationSource, imagePath: string): Bitmap[] {
  const image = [...source.iterateImages()].find((i) => i.path === imagePath)!;
  return source.objectsOf(image.id).map((o) => decodeRle(o.rle));
}

describe('exportYolo', () => {
  const folder = useTempFolder('yolo-export-');
  /** The dataset folder of `source`, with real image files. */
  const datasetOf = async (source: MemoryAnnotationSource): Promise<string> => {
    const root = path.join(folder(), 'dataset');
    await writeDatasetImages(source, root);
    return root;
  };

  it('links images under images/ so Ultralytics finds labels by its /images/ -> /labels/ rule', async () => {
    const source = goldenSource();
    const dataset = await datasetOf(source);
    const dest = path.join(folder(), 'yolo');
    const result = await exportYolo(source, dest, 'segment', { datasetRoot: dataset });
    expect(result).toMatchObject({ format: 'yolo-seg', images: 3, objects: 4, files: 8 });
    const list = (await readFile(path.join(dest, 'train.txt'), 'utf8')).trim().split('\n');
    expect(list).toEqual(['./images/cats/001.png', './images/dogs/001.png', './images/empty.jpg']);
    for (const line of list) {
      // What Ultralytics does with each line: "./" -> the list's folder, then img2label_paths.
      const imageFile = line.replace('./', `${dest}${path.sep}`);
      const labelFile = imageFile
        .replace(/\/images\/(?!.*\/images\/)/, '/labels/')
        .replace(/\.[^.]+$/, '.txt');
      expect((await lstat(imageFile)).isSymbolicLink()).toBe(true);
      const original = path.join(dataset, line.slice('./images/'.length));
      expect(await readlink(imageFile)).toBe(original);
      expect(await readFile(imageFile)).toEqual(await readFile(original));
      await expect(readFile(labelFile, 'utf8')).resolves.toBeTypeOf('string');
    }
    expect(await readFile(path.join(dest, 'labels', 'empty.txt'), 'utf8')).toBe('');
    const yaml = await readFile(path.join(dest, 'data.yaml'), 'utf8');
    expect(yaml).toContain(`path: ${JSON.stringify(dest)}\n`);
    expect(yaml).toContain('train: train.txt\nval: train.txt\n');
    expect(yaml).toContain('names:\n  0: "cat"\n  1: "dog"\n  2: "bird, small"\n');
  });

  it('writes segmentation polygons that fill back to each mask (holes filled)', async () => {
    const source = goldenSource();
    const dest = path.join(folder(), 'seg');
    await exportYolo(source, dest, 'segment', { datasetRoot: await datasetOf(source) });
    for (const [imagePath, w, h] of [
      ['cats/001.png', 24, 16],
      ['dogs/001.png', 128, 10],
    ] as const) {
      const label = path.join(dest, 'labels', imagePath.replace(/\.png$/, '.txt'));
      const lines = (await readFile(label, 'utf8')).trimEnd().split('\n');
      const masks = masksOf(source, imagePath);
      expect(lines).toHaveLength(masks.length);
      lines.forEach((line, k) => {
        const { values } = parseLine(line);
        // Back to pixels: the outlines run on whole pixel edges.
        const points = values.map((v, i) => Math.round(v * (i % 2 === 0 ? w : h)));
        const filled = rasterizeRings([points], { width: w, height: h }, 'even-odd');
        const mask = masks[k]!;
        expect(bitmapEquals(bitmapUnion(filled, mask), filled)).toBe(true);
        if (!(imagePath === 'cats/001.png' && k === 0))
          expect(bitmapEquals(filled, mask)).toBe(true);
      });
    }
  });

  it('writes detection boxes as normalised centre and size of the mask box', async () => {
    const source = goldenSource();
    const dest = path.join(folder(), 'det');
    const result = await exportYolo(source, dest, 'detect', {
      datasetRoot: await datasetOf(source),
    });
    expect(result.format).toBe('yolo-det');
    const lines = (await readFile(path.join(dest, 'labels', 'dogs', '001.txt'), 'utf8'))
      .trimEnd()
      .split('\n');
    const masks = masksOf(source, 'dogs/001.png');
    lines.forEach((line, k) => {
      const { cls, values } = parseLine(line);
      const [x, y, bw, bh] = bitmapBbox(masks[k]!);
      const exact = [(x + bw / 2) / 128, (y + bh / 2) / 10, bw / 128, bh / 10];
      // Six decimals: within half a unit of the last digit (ties included).
      values.forEach((v, i) => expect(Math.abs(v - exact[i]!)).toBeLessThanOrEqual(5e-7 + 1e-12));
      expect(cls).toBe(k === 0 ? 1 : 0); // dog is class position 1, cat 0
    });
  });

  it('copies the images with copyImages', async () => {
    const source = goldenSource();
    const dataset = await datasetOf(source);
    const dest = path.join(folder(), 'copied');
    await exportYolo(source, dest, 'detect', { datasetRoot: dataset, copyImages: true });
    const copy = path.join(dest, 'images', 'dogs', '001.png');
    expect((await lstat(copy)).isFile()).toBe(true);
    expect(await readFile(copy)).toEqual(await readFile(path.join(dataset, 'dogs', '001.png')));
  });

  it('writes one list per split and points data.yaml at them', async () => {
    const source = new MemoryAnnotationSource();
    const c = source.addClass('thing');
    for (let i = 0; i < 30; i++) {
      const image = source.addImage(`img${i}.jpg`, 8, 8);
      source.addObject(image.id, c.id, maskAt(8, 8, 1, 1, '##', '##'));
    }
    const dest = path.join(folder(), 'split');
    const result = await exportYolo(source, dest, 'detect', {
      datasetRoot: await datasetOf(source),
      splits: 'train=0.6,val=0.3,test=0.1',
    });
    const read = async (name: string) =>
      (await readFile(path.join(dest, `${name}.txt`), 'utf8')).split('\n').filter(Boolean);
    const [train, val, test] = [await read('train'), await read('val'), await read('test')];
    expect(train.length + val.length + test.length).toBe(30);
    expect(new Set([...train, ...val, ...test]).size).toBe(30);
    const yaml = await readFile(path.join(dest, 'data.yaml'), 'utf8');
    expect(yaml).toContain('train: train.txt\nval: val.txt\ntest: test.txt\n');
    expect(result.warnings.filter((w) => w.includes('no images'))).toHaveLength(
      test.length ? 0 : 1,
    );
  });

  it('refuses two images that would share a label, leaving nothing behind', async () => {
    const source = new MemoryAnnotationSource();
    source.addClass('thing');
    source.addImage('a/b.jpg', 8, 8);
    source.addImage('a/b.png', 8, 8);
    const dest = path.join(folder(), 'clash');
    await expect(
      exportYolo(source, dest, 'detect', { datasetRoot: await datasetOf(source) }),
    ).rejects.toThrow(/a\/b\.jpg and a\/b\.png would both write the label labels\/a\/b\.txt/);
    expect(await entries(folder())).toEqual(['dataset']);
  });

  it('keeps the label where Ultralytics looks for an image inside a folder named images', async () => {
    const source = new MemoryAnnotationSource();
    const c = source.addClass('thing');
    const image = source.addImage('images/x.jpg', 8, 8);
    source.addObject(image.id, c.id, maskAt(8, 8, 0, 0, '#'));
    const dest = path.join(folder(), 'nested');
    await exportYolo(source, dest, 'detect', { datasetRoot: await datasetOf(source) });
    expect(await readFile(path.join(dest, 'train.txt'), 'utf8')).toBe('./images/images/x.jpg\n');
    expect(await readFile(path.join(dest, 'images', 'labels', 'x.txt'), 'utf8')).toMatch(/^0 /);
  });

  it('warns about files Ultralytics will not load and refuses a missing train split', async () => {
    const source = new MemoryAnnotationSource();
    source.addClass('thing');
    source.addImage('anim.gif', 8, 8);
    const result = await exportYolo(source, path.join(folder(), 'gif'), 'detect', {
      datasetRoot: await datasetOf(source),
    });
    expect(result.warnings).toEqual([expect.stringMatching(/does not load.*anim\.gif/)]);
    await expect(
      exportYolo(source, path.join(folder(), 'nosplit'), 'detect', {
        datasetRoot: folder(),
        splits: 'a=0.5,b=0.5',
      }),
    ).rejects.toThrow(/must include "train"/);
    await expect(
      exportYolo(source, path.join(folder(), 'noroot'), 'detect', { datasetRoot: 'relative' }),
    ).rejects.toThrow(/datasetRoot must be the absolute path/);
  });

  it('links a missing image with a warning but refuses to copy it', async () => {
    const source = goldenSource();
    const dataset = await datasetOf(source);
    await rm(path.join(dataset, 'dogs', '001.png'));
    const linked = await exportYolo(source, path.join(folder(), 'linked'), 'detect', {
      datasetRoot: dataset,
    });
    expect(linked.warnings).toEqual([
      expect.stringMatching(/^1 image missing from the dataset folder.*dogs\/001\.png$/),
    ]);
    expect(linked.images).toBe(3);
    const dest = path.join(folder(), 'copied');
    await expect(
      exportYolo(source, dest, 'detect', { datasetRoot: dataset, copyImages: true }),
    ).rejects.toThrow(/cannot copy .*dogs\/001\.png: the image file is missing/);
    expect(await entries(folder())).toEqual(['dataset', 'linked']);
  });
});
