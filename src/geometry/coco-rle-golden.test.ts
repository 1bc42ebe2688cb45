/**
 * Compatibility with pycocotools on real published COCO data (no pycocotools here: the data
 * was written by it). Sources are recorded next to the data in testdata/*.json:
 * - cocodataset/cocoapi PythonAPI/extra/samples/instances_val2017_1img-sample.json (crowd RLE)
 * - cocodataset/cocoapi results/instances_val2014_fakesegm100_results.json (compressed strings)
 * - COCO-Stuff stuff_val2017 annotation 20000002 (compressed string with area and bbox)
 * - ppwwyyxx/cocoapi tests/test_cases.py testZeroLeadingRLE (string with leading zero runs)
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bitmapArea, bitmapBbox, bitmapEquals } from './bitmap.js';
import {
  compressRle,
  decodeRle,
  encodeMask,
  encodeMaskUncompressed,
  rleArea,
  rleBbox,
  type CompressedRle,
  type UncompressedRle,
} from './rle.js';

function readTestData<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`./testdata/${name}`, import.meta.url), 'utf8')) as T;
}

interface Annotation<S> {
  segmentation: S;
  area: number;
  bbox: [number, number, number, number];
  id: number;
}

const crowd = readTestData<{ items: Array<{ annotation: Annotation<UncompressedRle> }> }>(
  'coco-crowd-rle.json',
);
const compressed = readTestData<{
  fakeSegmentationResults: { items: Array<{ image_id: number; segmentation: CompressedRle }> };
  stuffAnnotation: { annotation: Annotation<CompressedRle> };
  zeroLeadingRle: { rle: CompressedRle };
}>('coco-compressed-rle.json');

describe('COCO crowd annotations (uncompressed RLE)', () => {
  // Pixel counts of these masks from a separate Python port of maskApi.c (rleArea); the
  // annotations' own `area` fields (18419 and 3074) were not computed from the RLE.
  const expectedArea: Record<number, number> = { 900100448263: 12852, 900100049759: 2913 };

  for (const { annotation } of crowd.items) {
    it(`decodes annotation ${annotation.id} and re-encodes it to the same counts`, () => {
      const mask = decodeRle(annotation.segmentation);
      const [h, w] = annotation.segmentation.size;
      expect([mask.height, mask.width]).toEqual([h, w]);
      expect(encodeMaskUncompressed(mask)).toEqual(annotation.segmentation);
      expect(bitmapEquals(decodeRle(compressRle(annotation.segmentation)), mask)).toBe(true);
    });

    it(`measures annotation ${annotation.id} without decoding as the decoded mask says`, () => {
      const mask = decodeRle(annotation.segmentation);
      expect(rleArea(annotation.segmentation)).toBe(bitmapArea(mask));
      expect(rleArea(annotation.segmentation)).toBe(expectedArea[annotation.id]);
      const box = rleBbox(annotation.segmentation);
      expect(box).toEqual(bitmapBbox(mask));
      // COCO's recorded crowd box starts at the same pixel but is one pixel smaller each way
      // (max - min of pixel indices rather than the pixel-edge extent toBbox gives).
      const [x, y, bw, bh] = annotation.bbox;
      expect(box).toEqual([x, y, bw + 1, bh + 1]);
    });
  }
});

describe('pycocotools compressed strings', () => {
  const items = compressed.fakeSegmentationResults.items;

  it(`re-encodes all ${items.length} result masks to the identical string`, () => {
    for (const { segmentation } of items) {
      const mask = decodeRle(segmentation);
      expect(encodeMask(mask)).toEqual(segmentation);
      expect(rleBbox(segmentation)).toEqual(bitmapBbox(mask));
      expect(rleArea(segmentation)).toBe(bitmapArea(mask));
    }
  });

  it('matches a COCO-Stuff annotation: area, bbox and string', () => {
    const { annotation } = compressed.stuffAnnotation;
    const mask = decodeRle(annotation.segmentation);
    expect(bitmapArea(mask)).toBe(annotation.area);
    expect(rleArea(annotation.segmentation)).toBe(annotation.area);
    expect(bitmapBbox(mask)).toEqual(annotation.bbox);
    expect(rleBbox(annotation.segmentation)).toEqual(annotation.bbox);
    expect(encodeMask(mask)).toEqual(annotation.segmentation);
  });

  it('boxes an RLE with leading empty runs the same before and after re-encoding', () => {
    const rle = compressed.zeroLeadingRle.rle;
    expect(rle.counts.startsWith('000')).toBe(true);
    const mask = decodeRle(rle);
    const again = encodeMask(mask);
    // The canonical encoding folds the empty runs away, so the string changes...
    expect(again.counts).not.toBe(rle.counts);
    // ...but the mask and its box do not.
    expect(bitmapEquals(decodeRle(again), mask)).toBe(true);
    expect(rleBbox(rle)).toEqual(rleBbox(again));
    expect(rleBbox(rle)).toEqual(bitmapBbox(mask));
  });
});
