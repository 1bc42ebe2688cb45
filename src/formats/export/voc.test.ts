import { readFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { decodeRle } from '../../geometry/index.js';
import { MemoryAnnotationSource, goldenSource, maskAt } from '../test-support.js';
import { entries, useTempFolder } from './export-test-support.js';
import { exportVoc, vocColormap } from './index.js';
import { encodePalettePng } from './palette-png.js';
import { pngIndices } from './png-test-support.js';

/** Palette indices of a VOC PNG as sharp (libvips, another decoder) reads it: RGB -> index. */
async function indicesViaSharp(file: string): Promise<Uint8Array> {
  const { data, info } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
  const palette = vocColormap();
  const byColour = new Map<number, number>();
  for (let i = 0; i < 256; i++) {
    byColour.set((palette[i * 3]! << 16) | (palette[i * 3 + 1]! << 8) | palette[i * 3 + 2]!, i);
  }
  const out = new Uint8Array(info.width * info.height);
  for (let p = 0; p < out.length; p++) {
    const c = info.channels;
    const rgb = (data[p * c]! << 16) | (data[p * c + 1]! << 8) | data[p * c + 2]!;
    out[p] = byColour.get(rgb)!;
  }
  return out;
}

describe('vocColormap', () => {
  it('is the Pascal VOC colour map', () => {
    const map = vocColormap();
    const entry = (i: number) => [...map.subarray(i * 3, i * 3 + 3)];
    expect(entry(0)).toEqual([0, 0, 0]);
    expect(entry(1)).toEqual([128, 0, 0]);
    expect(entry(2)).toEqual([0, 128, 0]);
    expect(entry(3)).toEqual([128, 128, 0]);
    expect(entry(15)).toEqual([192, 128, 128]); // person
    expect(entry(20)).toEqual([0, 64, 128]); // tv/monitor
    expect(entry(255)).toEqual([224, 224, 192]); // void
  });
});

describe('encodePalettePng', () => {
  it('keeps every index exactly, as another decoder reads it', async () => {
    const width = 37;
    const height = 23;
    const indices = Uint8Array.from({ length: width * height }, (_, i) => (i * 7) % 256);
    const png = encodePalettePng(width, height, indices, vocColormap());
    expect(pngIndices(png).indices).toEqual(indices);
    const meta = await sharp(png).metadata();
    expect(meta).toMatchObject({ width, height, format: 'png', isPalette: true, bitsPerSample: 8 });
  });
});

describe('exportVoc', () => {
  const folder = useTempFolder('voc-export-');

  it('paints class and object masks, later objects winning where they overlap', async () => {
    const source = goldenSource();
    const dest = path.join(folder(), 'voc');
    const result = await exportVoc(source, dest);
    expect(result).toMatchObject({ format: 'voc', images: 3, objects: 4, files: 12 });
    const dogs = [...source.iterateImages()].find((i) => i.path === 'dogs/001.png')!;
    const [dog, cat] = source.objectsOf(dogs.id).map((o) => decodeRle(o.rle));
    const classFile = path.join(dest, 'SegmentationClass', 'dogs', '001.png');
    const objectFile = path.join(dest, 'SegmentationObject', 'dogs', '001.png');
    const classes = pngIndices(await readFile(classFile)).indices;
    const objects = pngIndices(await readFile(objectFile)).indices;
    expect(await indicesViaSharp(classFile)).toEqual(classes);
    expect(await indicesViaSharp(objectFile)).toEqual(objects);
    for (let p = 0; p < classes.length; p++) {
      // cat (position 0) is index 1, dog (position 1) index 2; object 21 (cat) came later.
      const expectedClass = cat!.data[p] ? 1 : dog!.data[p] ? 2 : 0;
      const expectedObject = cat!.data[p] ? 2 : dog!.data[p] ? 1 : 0;
      expect([classes[p], objects[p]]).toEqual([expectedClass, expectedObject]);
    }
    const empty = pngIndices(await readFile(path.join(dest, 'SegmentationClass', 'empty.png')));
    expect(empty).toMatchObject({ width: 16, height: 12 });
    expect(empty.indices.every((v) => v === 0)).toBe(true);
  });

  it('writes 1-based inclusive boxes and the image lists', async () => {
    const dest = path.join(folder(), 'voc');
    await exportVoc(goldenSource(), dest);
    const xml = await readFile(path.join(dest, 'Annotations', 'cats', '001.xml'), 'utf8');
    // The ring at x 2..7, y 3..6 (pixel-edge box [2, 3, 6, 4]).
    expect(xml).toContain(
      '<xmin>3</xmin>\n\t\t\t<ymin>4</ymin>\n\t\t\t<xmax>8</xmax>\n\t\t\t<ymax>7</ymax>',
    );
    expect(xml).toContain('<folder>cats</folder>');
    expect(xml).toContain('<filename>001.png</filename>');
    expect(xml).toContain('<depth>3</depth>');
    expect(
      await readFile(path.join(dest, 'ImageSets', 'Segmentation', 'default.txt'), 'utf8'),
    ).toBe('cats/001\ndogs/001\nempty\n');
    expect(await readFile(path.join(dest, 'labelmap.txt'), 'utf8')).toBe(
      '# label:color_rgb:parts:actions\nbackground:0,0,0::\ncat:128,0,0::\ndog:0,128,0::\nbird, small:128,128,0::\n',
    );
  });

  it('escapes names in XML and splits the image lists', async () => {
    const source = new MemoryAnnotationSource();
    const c = source.addClass('R&D <x>');
    for (let i = 0; i < 20; i++) {
      const image = source.addImage(`p${i}.png`, 6, 6);
      source.addObject(image.id, c.id, maskAt(6, 6, 2, 2, '##'));
    }
    const dest = path.join(folder(), 'split');
    await exportVoc(source, dest, { splits: 'train=0.5,val=0.5' });
    expect(await readFile(path.join(dest, 'Annotations', 'p0.xml'), 'utf8')).toContain(
      '<name>R&amp;D &lt;x&gt;</name>',
    );
    const lines = async (name: string) =>
      (await readFile(path.join(dest, 'ImageSets', 'Main', `${name}.txt`), 'utf8'))
        .split('\n')
        .filter(Boolean);
    expect((await lines('train')).length + (await lines('val')).length).toBe(20);
    expect(await entries(path.join(dest, 'ImageSets', 'Segmentation'))).toEqual([
      'train.txt',
      'val.txt',
    ]);
  });

  it('refuses more classes than an 8-bit mask can number', async () => {
    const source = new MemoryAnnotationSource();
    for (let i = 0; i < 255; i++) source.addClass(`c${i}`);
    await expect(exportVoc(source, path.join(folder(), 'many'))).rejects.toThrow(
      /at most 254 classes/,
    );
    expect(await entries(folder())).toEqual([]);
  });
});
