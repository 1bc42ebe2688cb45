import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  bitmapArea,
  bitmapBbox,
  bitmapEquals,
  bitmapUnion,
  createBitmap,
  decodeRle,
  rasterizeRings,
  type Bitmap,
  type CompressedRle,
} from '../../geometry/index.js';
import { MemoryAnnotationSource, blobSource, goldenSource, maskAt } from '../test-support.js';
import { ExportError } from './errors.js';
import { entries, failingAt, useTempFolder } from './export-test-support.js';
import { exportCoco } from './index.js';

interface CocoFile {
  images: { id: number; file_name: string; width: number; height: number }[];
  annotations: {
    id: number;
    image_id: number;
    category_id: number;
    segmentation: CompressedRle | number[][];
    area: number;
    bbox: number[];
    iscrowd: number;
    score?: number;
  }[];
  categories: { id: number; name: string; supercategory: string }[];
}

async function readCoco(dest: string, split = 'default'): Promise<CocoFile> {
  return JSON.parse(
    await readFile(path.join(dest, 'annotations', `instances_${split}.json`), 'utf8'),
  ) as CocoFile;
}

/** Each object's stored mask by object id. */
function storedMasks(source: MemoryAnnotationSource): Map<number, Bitmap> {
  const out = new Map<number, Bitmap>();
  for (const image of source.iterateImages()) {
    for (const o of source.objectsOf(image.id)) out.set(o.id, decodeRle(o.rle));
  }
  return out;
}

describe('exportCoco', () => {
  const folder = useTempFolder('coco-export-');

  it('writes every object as RLE with its box and area measured from the mask', async () => {
    const source = goldenSource();
    const dest = path.join(folder(), 'coco');
    const result = await exportCoco(source, dest);
    expect(result).toMatchObject({ format: 'coco', destination: dest, images: 3, objects: 4 });
    const coco = await readCoco(dest);
    expect(coco.images.map((i) => [i.id, i.file_name, i.width, i.height])).toEqual([
      [2, 'cats/001.png', 24, 16],
      [5, 'dogs/001.png', 128, 10],
      [7, 'empty.jpg', 16, 12],
    ]);
    expect(coco.categories.map((c) => [c.id, c.name])).toEqual([
      [1, 'cat'],
      [2, 'dog'],
      [3, 'bird, small'],
    ]);
    const masks = storedMasks(source);
    const nameOfClassId = new Map(source.listClasses().map((c) => [c.id, c.name]));
    for (const a of coco.annotations) {
      const mask = masks.get(a.id)!;
      expect(bitmapEquals(decodeRle(a.segmentation as CompressedRle), mask)).toBe(true);
      expect(a.bbox).toEqual(bitmapBbox(mask));
      expect(a.area).toBe(bitmapArea(mask));
      expect(a.iscrowd).toBe(0);
      const object = [...source.iterateImages()]
        .flatMap((i) => source.objectsOf(i.id))
        .find((o) => o.id === a.id)!;
      expect(a.image_id).toBe(object.imageId);
      expect(coco.categories[a.category_id - 1]!.name).toBe(nameOfClassId.get(object.classId));
      expect(a.score).toBe(object.score ?? undefined);
    }
  });

  it('writes outer rings in polygon mode: exact for plain masks, holes filled with a warning', async () => {
    const source = goldenSource();
    const dest = path.join(folder(), 'poly');
    const result = await exportCoco(source, dest, { segmentation: 'polygon' });
    const coco = await readCoco(dest);
    const masks = storedMasks(source);
    for (const a of coco.annotations) {
      const rings = a.segmentation as number[][];
      expect(Array.isArray(rings)).toBe(true);
      for (const ring of rings) expect(ring.length).toBeGreaterThanOrEqual(6);
      const image = coco.images.find((i) => i.id === a.image_id)!;
      // pycocotools reads a polygon list as a union of separate rings.
      const filled = rasterizeRings(rings, image, 'union');
      const mask = masks.get(a.id)!;
      if (a.id === 10) {
        expect(bitmapEquals(bitmapUnion(filled, mask), filled)).toBe(true);
        expect(bitmapArea(filled)).toBeGreaterThan(bitmapArea(mask));
      } else {
        expect(bitmapEquals(filled, mask)).toBe(true);
      }
      expect(a.area).toBe(bitmapArea(mask));
    }
    expect(result.warnings).toEqual([
      expect.stringMatching(/^1 object with holes: .*cats\/001\.png#10$/),
    ]);
  });

  it('keeps RLE for masks with holes in auto mode and polygons for the rest', async () => {
    const dest = path.join(folder(), 'auto');
    const result = await exportCoco(goldenSource(), dest, { segmentation: 'auto' });
    const coco = await readCoco(dest);
    const kinds = coco.annotations.map((a) => [
      a.id,
      Array.isArray(a.segmentation) ? 'poly' : 'rle',
    ]);
    expect(kinds).toEqual([
      [10, 'rle'],
      [11, 'poly'],
      [20, 'poly'],
      [21, 'poly'],
    ]);
    expect(result.warnings).toEqual([]);
  });

  it('never drops an empty mask: RLE in auto, an error in polygon mode', async () => {
    const source = new MemoryAnnotationSource();
    const c = source.addClass('thing');
    const image = source.addImage('a.png', 8, 8);
    source.addObject(image.id, c.id, createBitmap(8, 8), { id: 4 });
    const auto = await exportCoco(source, path.join(folder(), 'auto'), { segmentation: 'auto' });
    const coco = await readCoco(path.join(folder(), 'auto'));
    expect(coco.annotations[0]).toMatchObject({ id: 4, area: 0, bbox: [0, 0, 0, 0] });
    expect(Array.isArray(coco.annotations[0]!.segmentation)).toBe(false);
    expect(auto.warnings).toEqual([expect.stringMatching(/empty mask.*a\.png#4/)]);
    const dest = path.join(folder(), 'poly');
    await expect(exportCoco(source, dest, { segmentation: 'polygon' })).rejects.toThrow(
      /images\[a\.png\]\.objects\[4\].*empty.*"auto" or "rle"/,
    );
    expect(await entries(folder())).toEqual(['auto']);
  });

  it('splits images (with their annotations) into one file per split', async () => {
    const source = blobSource({ images: 40, objectsPerImage: 3, width: 64, height: 48 });
    const dest = path.join(folder(), 'split');
    await exportCoco(source, dest, { splits: 'train=0.75,val=0.25' });
    const train = await readCoco(dest, 'train');
    const val = await readCoco(dest, 'val');
    expect(train.images.length + val.images.length).toBe(40);
    expect(train.images.length).toBeGreaterThan(val.images.length);
    expect(val.images.length).toBeGreaterThan(0);
    for (const file of [train, val]) {
      const ids = new Set(file.images.map((i) => i.id));
      expect(file.annotations.every((a) => ids.has(a.image_id))).toBe(true);
      expect(file.annotations.length).toBe(file.images.length * 3);
    }
    expect(await entries(path.join(dest, 'annotations'))).toEqual([
      'instances_train.json',
      'instances_val.json',
    ]);
  });

  it('streams thousands of objects into one valid file and reports progress per image', async () => {
    const source = blobSource({ images: 120, objectsPerImage: 40, width: 320, height: 240 });
    const progress: [number, number][] = [];
    const dest = path.join(folder(), 'big');
    const result = await exportCoco(source, dest, {
      onProgress: ({ done, total }) => progress.push([done, total]),
    });
    const coco = await readCoco(dest);
    expect(coco.annotations).toHaveLength(4800);
    expect(new Set(coco.annotations.map((a) => a.id)).size).toBe(4800);
    expect(result).toMatchObject({ images: 120, objects: 4800, files: 1 });
    expect(progress[0]).toEqual([0, 120]);
    expect(progress.at(-1)).toEqual([120, 120]);
    expect(progress.map((p) => p[0])).toEqual(Array.from({ length: 121 }, (_, i) => i));
  });

  it('stops when aborted and leaves nothing behind', async () => {
    const controller = new AbortController();
    const dest = path.join(folder(), 'aborted');
    await expect(
      exportCoco(goldenSource(), dest, {
        signal: controller.signal,
        onProgress: ({ done }) => done === 1 && controller.abort(),
      }),
    ).rejects.toThrow(/abort/i);
    expect(await entries(folder())).toEqual([]);
  });

  it('leaves an existing export untouched when a later read fails', async () => {
    const dest = path.join(folder(), 'keep');
    await exportCoco(goldenSource(), dest);
    const before = await readFile(path.join(dest, 'annotations', 'instances_default.json'));
    await expect(
      exportCoco(failingAt(goldenSource(), 5), dest, { overwrite: true }),
    ).rejects.toThrow(/injected read failure/);
    expect(await readFile(path.join(dest, 'annotations', 'instances_default.json'))).toEqual(
      before,
    );
    expect(await entries(folder())).toEqual(['keep']);
  });

  it('sizes an image without a recorded size from imageSize, then from its masks', async () => {
    const source = new MemoryAnnotationSource();
    const c = source.addClass('thing');
    source.addImage('asked.png', null, null);
    const fromMask = source.addImage('masked.png', null, null);
    source.addObject(fromMask.id, c.id, maskAt(10, 6, 1, 1, '##'));
    const dest = path.join(folder(), 'sized');
    await exportCoco(source, dest, {
      imageSize: (image) => (image.path === 'asked.png' ? { width: 30, height: 20 } : null),
    });
    const coco = await readCoco(dest);
    expect(coco.images.map((i) => [i.file_name, i.width, i.height])).toEqual([
      ['asked.png', 30, 20],
      ['masked.png', 10, 6],
    ]);
    await expect(exportCoco(source, path.join(folder(), 'unsized'))).rejects.toThrow(
      /images\[asked\.png\]: size unknown/,
    );
  });

  it('names the object whose mask does not fit its image or whose class is unknown', async () => {
    const source = new MemoryAnnotationSource();
    const c = source.addClass('thing');
    const image = source.addImage('a.png', 12, 12);
    source.addObject(image.id, c.id, maskAt(10, 10, 0, 0, '#'), { id: 9 });
    const err = await exportCoco(source, path.join(folder(), 'x')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExportError);
    expect((err as ExportError).message).toMatch(
      /images\[a\.png\]\.objects\[9\]: mask is 10x10 but the image is 12x12/,
    );
    const other = new MemoryAnnotationSource();
    other.addClass('thing');
    const img = other.addImage('b.png', 4, 4);
    other.addObject(img.id, 99, maskAt(4, 4, 0, 0, '#'), { id: 3 });
    await expect(exportCoco(other, path.join(folder(), 'y'))).rejects.toThrow(
      /objects\[3\]: class id 99 is not one of the project's classes/,
    );
  });

  it('refuses bad options before touching the destination', async () => {
    const dest = path.join(folder(), 'never');
    await expect(
      exportCoco(goldenSource(), dest, { segmentation: 'mask' as never }),
    ).rejects.toThrow(/segmentation must be one of rle, polygon, auto/);
    await expect(exportCoco(goldenSource(), dest, { tolerance: -1 })).rejects.toThrow(/tolerance/);
    await expect(exportCoco(goldenSource(), dest, { splits: 'train=2' })).rejects.toThrow(/splits/);
    expect(await entries(folder())).toEqual([]);
  });
});
