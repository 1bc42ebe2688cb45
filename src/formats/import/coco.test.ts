import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bitmapEquals,
  bitmapIou,
  createBitmap,
  encodeMask,
  encodeMaskUncompressed,
  maskToPolygons,
  polygonRings,
  rasterizeRings,
} from '../../geometry/index.js';
import { randomBlobMask } from '../../geometry/testdata/shapes.js';
import crowd from '../../geometry/testdata/coco-crowd-rle.json' with { type: 'json' };
import compressed from '../../geometry/testdata/coco-compressed-rle.json' with { type: 'json' };
import { decodeRle, rleArea, type CocoRle } from '../../geometry/index.js';
import { importCoco } from './coco.js';
import { ImportError } from './errors.js';
import { batchMasks, makeDataset, type TestDataset } from './test-support.js';

let ds: TestDataset;
const W = 40;
const H = 30;

beforeAll(async () => {
  ds = await makeDataset([
    { path: 'images/a.jpg', width: W, height: H },
    { path: 'images/sub/b.png', width: 20, height: 10 },
    { path: 'other/b.png', width: 20, height: 10 },
    { path: 'c.png', width: 12, height: 8 },
    { path: 'val2017/000000448263.jpg', width: 320, height: 240 },
    { path: 'val2017/000000000139.jpg', width: 640, height: 426 },
    { path: 'broken.jpg', width: 0, height: 0, bytes: Buffer.from('not a jpeg at all') },
  ]);
});
afterAll(() => ds.cleanup());

async function run(json: unknown, name = 'ann.json', options = {}) {
  const file = await ds.write(name, typeof json === 'string' ? json : JSON.stringify(json));
  return importCoco(file, ds.ctx, options);
}

const categories = [
  { id: 3, name: 'cat' },
  { id: 7, name: 'dog' },
];

function expectImportError(p: Promise<unknown>, pattern: RegExp, field?: string): Promise<void> {
  return p.then(
    () => {
      throw new Error('expected an ImportError');
    },
    (err: unknown) => {
      expect(err).toBeInstanceOf(ImportError);
      expect((err as Error).message).toMatch(pattern);
      if (field !== undefined) expect((err as ImportError).field).toBe(field);
    },
  );
}

describe('importCoco', () => {
  it('reads compressed and uncompressed RLE exactly, keeping score and ignoring area/bbox', async () => {
    const m1 = randomBlobMask(W, H, 1);
    const m2 = randomBlobMask(W, H, 2);
    const { batch, notes } = await run({
      images: [{ id: 1, file_name: 'images/a.jpg', width: W, height: H }],
      categories,
      annotations: [
        {
          id: 1,
          image_id: 1,
          category_id: 3,
          segmentation: encodeMask(m1),
          area: 1,
          bbox: [0, 0, 1, 1],
          score: 0.25,
        },
        // A crowd annotation as COCO stores it: uncompressed counts, bbox/area not from the RLE.
        {
          id: 2,
          image_id: 1,
          category_id: 7,
          iscrowd: 1,
          segmentation: encodeMaskUncompressed(m2),
          area: 5,
          bbox: [1, 1, 2, 2],
        },
      ],
    });
    expect(batch.format).toBe('coco');
    expect(batch.classes).toEqual(['cat', 'dog']);
    expect(batch.images.map((i) => [i.path, i.width, i.height])).toEqual([['images/a.jpg', W, H]]);
    const masks = batchMasks(batch, 'images/a.jpg');
    expect(masks.map((m) => m.className)).toEqual(['cat', 'dog']);
    expect(bitmapEquals(masks[0]!.mask, m1)).toBe(true);
    expect(bitmapEquals(masks[1]!.mask, m2)).toBe(true);
    expect(masks[0]!.score).toBe(0.25);
    expect(masks[1]!.score).toBeUndefined();
    expect(notes.join('\n')).toMatch(/crowd annotations/);
  });

  it('reads real COCO annotations (a crowd RLE from cocoapi, a COCO-Stuff compressed RLE)', async () => {
    const crowdAnn = crowd.items[0]!.annotation;
    const stuffAnn = compressed.stuffAnnotation.annotation;
    const { batch } = await run({
      images: [
        { id: 448263, file_name: '000000448263.jpg', width: 320, height: 240 },
        { id: 139, file_name: 'val2017/000000000139.jpg', width: 640, height: 426 },
      ],
      categories: [
        { id: 1, name: 'person' },
        { id: 105, name: 'stuff' },
      ],
      annotations: [crowdAnn, { ...stuffAnn, image_id: 139, category_id: 105 }],
    });
    const [person] = batchMasks(batch, 'val2017/000000448263.jpg');
    const [stuff] = batchMasks(batch, 'val2017/000000000139.jpg');
    expect(bitmapEquals(person!.mask, decodeRle(crowdAnn.segmentation as CocoRle))).toBe(true);
    // The crowd annotation's recorded area is not its pixel count; the imported mask keeps the pixels.
    expect(rleArea(crowdAnn.segmentation as CocoRle)).not.toBe(crowdAnn.area);
    expect(bitmapEquals(stuff!.mask, decodeRle(stuffAnn.segmentation as CocoRle))).toBe(true);
  });

  it('rasterises polygons as pycocotools does (each polygon on its own, united)', async () => {
    const mask = randomBlobMask(W, H, 5, { holes: 0 });
    const rings = polygonRings(maskToPolygons(mask));
    // Two overlapping squares: united, the overlap stays set (even-odd would clear it).
    const squares = [
      [2, 2, 12, 2, 12, 12, 2, 12],
      [8, 8, 18, 8, 18, 18, 8, 18],
    ];
    const { batch } = await run({
      images: [{ id: 'x', file_name: 'a.jpg' }],
      categories,
      annotations: [
        { image_id: 'x', category_id: 3, segmentation: rings },
        { image_id: 'x', category_id: 3, segmentation: squares },
      ],
    });
    const masks = batchMasks(batch, 'images/a.jpg');
    expect(bitmapIou(masks[0]!.mask, mask)).toBe(1);
    const union = rasterizeRings(squares, { width: W, height: H }, 'union');
    expect(bitmapEquals(masks[1]!.mask, union)).toBe(true);
    expect(masks[1]!.mask.data[10 * W + 10]).toBe(1);
  });

  it('turns a bbox without segmentation into a rectangle and says so', async () => {
    const { batch, notes } = await run({
      images: [{ id: 1, file_name: 'c.png', width: 12, height: 8 }],
      categories,
      annotations: [{ image_id: 1, category_id: 7, bbox: [2, 1, 3, 4] }],
    });
    const [object] = batchMasks(batch, 'c.png');
    const expected = createBitmap(12, 8);
    for (let y = 1; y < 5; y++) for (let x = 2; x < 5; x++) expected.data[y * 12 + x] = 1;
    expect(bitmapEquals(object!.mask, expected)).toBe(true);
    expect(notes).toContain(
      'annotations without segmentation imported as their bbox rectangle: 1 (first: annotations[0])',
    );
  });

  it('matches file names by path, by path from the JSON folder, by suffix and by unique basename', async () => {
    const images = [
      { id: 1, file_name: 'images\\a.jpg' },
      { id: 2, file_name: '../images/sub/b.png' },
      { id: 3, file_name: '/mnt/data/other/b.png' },
      { id: 4, file_name: 'c.png' },
    ];
    const { batch } = await run({ images, categories, annotations: [] }, 'annotations/x.json');
    expect(batch.images.map((i) => i.path)).toEqual([
      'c.png',
      'images/a.jpg',
      'images/sub/b.png',
      'other/b.png',
    ]);
    expect(batch.images.every((i) => i.objects.length === 0)).toBe(true);
  });

  it('refuses file names that match nothing or several images, unless told to skip', async () => {
    const base = { categories, annotations: [{ image_id: 1, category_id: 3, bbox: [0, 0, 1, 1] }] };
    await expectImportError(
      run({ ...base, images: [{ id: 1, file_name: '../../etc/passwd' }] }),
      /"..\/..\/etc\/passwd", which matches none/,
      'images[0].file_name',
    );
    await expectImportError(
      run({ ...base, images: [{ id: 1, file_name: 'b.png' }] }),
      /2 images share: images\/sub\/b.png, other\/b.png/,
    );
    const { batch, notes } = await run(
      { ...base, images: [{ id: 1, file_name: 'nope.jpg' }] },
      'ann.json',
      { unmatched: 'skip' },
    );
    expect(batch.images).toEqual([]);
    expect(notes.join('\n')).toMatch(/images not in the dataset were left out: 1/);
    expect(notes.join('\n')).toMatch(/annotations of images not in the dataset were left out: 1/);
  });

  it('checks sizes: the declared image size and the RLE size must be the image size', async () => {
    const rle = encodeMask(createBitmap(W, H));
    await expectImportError(
      run({
        images: [{ id: 1, file_name: 'images/a.jpg', width: H, height: W }],
        categories,
        annotations: [],
      }),
      /expected the size of images\/a.jpg, 40 x 30, got 30 x 40 \(turned by EXIF orientation\?\)/,
    );
    await expectImportError(
      run({
        images: [{ id: 1, file_name: 'c.png' }],
        categories,
        annotations: [{ image_id: 1, category_id: 3, segmentation: rle }],
      }),
      /\[height, width\] of the image, \[8, 12\]/,
      'annotations[0].segmentation.size',
    );
  });

  it('names the entry of an image whose header cannot be read', async () => {
    await expectImportError(
      run({ images: [{ id: 1, file_name: 'broken.jpg' }], categories, annotations: [] }),
      /images\[0\]: expected a readable dataset image at broken.jpg, got Cannot decode/,
      'images[0]',
    );
  });

  it('names the field of broken RLE counts', async () => {
    const images = [{ id: 1, file_name: 'c.png' }];
    const ann = (segmentation: unknown) => ({
      images,
      categories,
      annotations: [{ image_id: 1, category_id: 3, segmentation }],
    });
    await expectImportError(
      run(ann({ size: [8, 12], counts: [1, 2, 3] })),
      /sum to 6 but size \[8, 12\] needs 96/,
      'annotations[0].segmentation.counts',
    );
    await expectImportError(
      run(ann({ size: [8, 12], counts: [90, -1, 7] })),
      /whole number >= 0/,
      'annotations[0].segmentation.counts[1]',
    );
    await expectImportError(
      run(ann({ size: [8, 12], counts: 'a b' })),
      /character " "/,
      'annotations[0].segmentation.counts',
    );
    await expectImportError(
      run(ann([[1, 2, 3, 4]])),
      /at least 3 points/,
      'annotations[0].segmentation[0]',
    );
    await expectImportError(
      run(ann([[1, 2, 3, 4, 5, 1e9]])),
      /within 0..8/,
      'annotations[0].segmentation[0][5]',
    );
    await expectImportError(run(ann([1, 2, 3, 4, 5, 6])), /wrap it in/);
  });

  it('names the line of a JSON syntax error and refuses files over the limit', async () => {
    await expectImportError(
      run('{\n  "images": [],\n  "annotations": [}\n'),
      /ann.json:3: expected valid JSON, got "}\\n" at column 19/,
    );
    await expectImportError(
      run({ images: [], categories: [], annotations: [] }, 'big.json', { maxBytes: 10 }),
      /at most 10 bytes .*COCO files are parsed whole/,
    );
    await expectImportError(run([{ image_id: 1 }]), /COCO results file/);
  });

  it('refuses unknown category and image ids', async () => {
    const images = [{ id: 1, file_name: 'c.png' }];
    await expectImportError(
      run({
        images,
        categories,
        annotations: [{ image_id: 1, category_id: 4, bbox: [0, 0, 1, 1] }],
      }),
      /id of an entry of categories, got 4/,
      'annotations[0].category_id',
    );
    await expectImportError(
      run({
        images,
        categories,
        annotations: [{ image_id: 2, category_id: 3, bbox: [0, 0, 1, 1] }],
      }),
      /id of an entry of images/,
      'annotations[0].image_id',
    );
    await expectImportError(
      run({
        images,
        categories: [
          { id: 1, name: 'a' },
          { id: 1, name: 'b' },
        ],
        annotations: [],
      }),
      /id no other category has/,
      'categories[1].id',
    );
  });
});
