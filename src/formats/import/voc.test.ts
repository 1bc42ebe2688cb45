import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bitmapEquals, createBitmap, type Bitmap } from '../../geometry/index.js';
import { ImportError } from './errors.js';
import { batchMasks, makeDataset, palettePng, type TestDataset } from './test-support.js';
import { vocColormap } from '../export/palette-png.js';
import { importVoc } from './voc.js';

const W = 24;
const H = 16;
let ds: TestDataset;
const VOC_PALETTE = vocColormap();

beforeEach(async () => {
  ds = await makeDataset([
    { path: 'VOC2012/JPEGImages/2007_000032.jpg', width: W, height: H },
    { path: 'VOC2012/JPEGImages/2007_000033.jpg', width: W, height: H },
  ]);
});
afterEach(() => ds.cleanup());

function rect(x0: number, y0: number, x1: number, y1: number): Bitmap {
  const m = createBitmap(W, H);
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) m.data[y * W + x] = 1;
  return m;
}

/** Index image: `value` inside each mask (later ones on top), a void ring around the first. */
function indexImage(masks: Bitmap[], values: number[], voidRing = true): Uint8Array {
  const out = new Uint8Array(W * H);
  masks.forEach((m, i) => m.data.forEach((v, k) => v && (out[k] = values[i]!)));
  if (voidRing) {
    const first = masks[0]!;
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const k = y * W + x;
        if (out[k] !== 0) continue;
        const near = [k - 1, k + 1, k - W, k + W].some(
          (n) => n >= 0 && n < W * H && first.data[n] && Math.abs((n % W) - x) <= 1,
        );
        if (near) out[k] = 255;
      }
    }
  }
  return out;
}

const objectXml = `<?xml version="1.0"?>
<annotation>
  <filename>2007_000032.jpg</filename>
  <!-- objects in index order -->
  <object><name>dog</name><bndbox><xmin>2</xmin></bndbox></object>
  <object>
    <name>person &amp; co</name>
    <part><name>hand</name></part>
  </object>
</annotation>
`;

async function expectError(p: Promise<unknown>, pattern: RegExp): Promise<void> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ImportError);
  expect((err as Error).message).toMatch(pattern);
}

describe('importVoc', () => {
  const a = rect(2, 2, 10, 8);
  const b = rect(12, 4, 20, 14);

  it('reads object indices from a palette PNG and names from the XML, leaving void out', async () => {
    await ds.write(
      'VOC2012/SegmentationObject/2007_000032.png',
      palettePng(indexImage([a, b], [1, 2]), W, H, 0, VOC_PALETTE),
    );
    await ds.write('VOC2012/Annotations/2007_000032.xml', objectXml);
    const { batch, notes } = await importVoc(`${ds.dir}/VOC2012`, ds.ctx);
    expect(notes).toEqual([]);
    expect(batch.format).toBe('voc');
    expect(batch.classes).toEqual(['dog', 'person & co']);
    const masks = batchMasks(batch, 'VOC2012/JPEGImages/2007_000032.jpg');
    expect(masks.map((m) => m.className)).toEqual(['dog', 'person & co']);
    expect(bitmapEquals(masks[0]!.mask, a)).toBe(true);
    expect(bitmapEquals(masks[1]!.mask, b)).toBe(true);
  });

  it('takes classes from SegmentationClass by majority when there is no XML (RGB masks too)', async () => {
    // Object masks as a palette PNG, class masks as an RGB PNG in the VOC colours (sharp).
    await ds.write(
      'VOC2012/SegmentationObject/2007_000033.png',
      palettePng(indexImage([a, b], [1, 2]), W, H, 1, VOC_PALETTE),
    );
    const classes = indexImage([a, b], [15, 12]);
    classes[2 * W + 2] = 8; // one stray pixel of another class under object 1
    const rgb = Buffer.alloc(W * H * 3);
    classes.forEach((c, k) => rgb.set(VOC_PALETTE.subarray(c * 3, c * 3 + 3), k * 3));
    await ds.write(
      'VOC2012/SegmentationClass/2007_000033.png',
      await sharp(rgb, { raw: { width: W, height: H, channels: 3 } })
        .png()
        .toBuffer(),
    );
    const { batch } = await importVoc(`${ds.dir}/VOC2012`, ds.ctx);
    expect(batch.classes).toEqual(['person', 'dog']);
    expect(batchMasks(batch, 'VOC2012/JPEGImages/2007_000033.jpg').map((m) => m.className)).toEqual(
      ['person', 'dog'],
    );
  });

  it('makes one object per class from SegmentationClass alone, named by labelmap.txt', async () => {
    await ds.write(
      'VOC2012/labelmap.txt',
      '# label:color_rgb:parts:actions\nbackground:0,0,0::\nroad:128,64,128::\ntree:0,128,0::\n',
    );
    await ds.write(
      'VOC2012/SegmentationClass/2007_000032.png',
      palettePng(indexImage([a, b], [2, 1], false), W, H, 2, VOC_PALETTE),
    );
    const { batch, notes } = await importVoc(`${ds.dir}/VOC2012`, ds.ctx);
    expect(notes).toEqual([
      'no SegmentationObject folder: each class in a SegmentationClass mask became one object',
    ]);
    expect(batch.classes).toEqual(['road', 'tree']);
    const masks = batchMasks(batch, 'VOC2012/JPEGImages/2007_000032.jpg');
    expect(masks.map((m) => m.className)).toEqual(['road', 'tree']);
    expect(bitmapEquals(masks[0]!.mask, b)).toBe(true);
  });

  it('refuses masks it cannot read correctly', async () => {
    const root = `${ds.dir}/VOC2012`;
    await ds.write(
      'VOC2012/SegmentationObject/2007_000032.png',
      palettePng(indexImage([a, b], [1, 2]), W, H),
    );
    await expectError(
      importVoc(root, ds.ctx),
      /class names for its objects: .*Annotations\/2007_000032.xml or .*SegmentationClass\/2007_000032.png, got neither/,
    );
    await ds.write(
      'VOC2012/Annotations/2007_000032.xml',
      '<annotation><object><name>dog</name></object></annotation>',
    );
    await expectError(
      importVoc(root, ds.ctx),
      /an <object> for each object index .* \(index 2\), got 1 objects/,
    );
    await ds.write(
      'VOC2012/Annotations/2007_000032.xml',
      '<annotation><object><name>dog</name></object>',
    );
    await expectError(
      importVoc(root, ds.ctx),
      /2007_000032.xml:1: expected <\/annotation> before the end of the file/,
    );
    await ds.write(
      'VOC2012/SegmentationObject/2007_000032.png',
      palettePng(new Uint8Array(W * 2), W, 2),
    );
    await expectError(importVoc(root, ds.ctx), /expected the image's size, 24 x 16, got 24 x 2/);
    const odd = Buffer.alloc(W * H * 3, 0);
    odd.set([1, 2, 3], 5 * 3);
    await ds.write(
      'VOC2012/SegmentationObject/2007_000032.png',
      await sharp(odd, { raw: { width: W, height: H, channels: 3 } })
        .png()
        .toBuffer(),
    );
    await expectError(
      importVoc(root, ds.ctx),
      /only colours of the label colormap in an RGB mask, got rgb\(1, 2, 3\) at x 5, y 0/,
    );
    await ds.write('VOC2012/SegmentationObject/nowhere.png', palettePng(new Uint8Array(4), 2, 2));
    await expectError(
      importVoc(root, ds.ctx),
      /nowhere.png: expected a dataset image for this mask/,
    );
  });
});
