import { describe, expect, it } from 'vitest';
import {
  bitmapArea,
  bitmapBbox,
  bitmapDifference,
  bitmapEquals,
  bitmapFrom,
  bitmapIntersection,
  bitmapIou,
  bitmapUnion,
  createBitmap,
  cropBitmap,
  pasteBitmap,
  thresholdToBitmap,
} from './bitmap.js';
import { GeometryError } from './errors.js';
import { drawMask as draw, maskRows as rows } from './testdata/ascii.js';

describe('bitmap measures', () => {
  it('gives a lone pixel at (3, 4) the box [3, 4, 1, 1]', () => {
    const mask = createBitmap(10, 8);
    mask.data[4 * 10 + 3] = 1;
    expect(bitmapBbox(mask)).toEqual([3, 4, 1, 1]);
    expect(bitmapArea(mask)).toBe(1);
  });

  it('boxes the pixel edges of a shape and gives an empty mask an empty box', () => {
    const mask = draw('......', '..#...', '.###..', '...#..', '......');
    expect(bitmapBbox(mask)).toEqual([1, 1, 3, 3]);
    expect(bitmapArea(mask)).toBe(5);
    expect(bitmapBbox(createBitmap(4, 4))).toEqual([0, 0, 0, 0]);
  });

  it('counts any non-zero byte as set', () => {
    const mask = bitmapFrom(3, 1, Uint8Array.of(0, 255, 7));
    expect(bitmapArea(mask)).toBe(2);
    expect(bitmapBbox(mask)).toEqual([1, 0, 2, 1]);
  });
});

describe('bitmap set operations', () => {
  const a = draw('##..', '##..', '....');
  const b = draw('.##.', '.##.', '.##.');

  it('unions, intersects and subtracts', () => {
    expect(rows(bitmapUnion(a, b))).toEqual(['###.', '###.', '.##.']);
    expect(rows(bitmapIntersection(a, b))).toEqual(['.#..', '.#..', '....']);
    expect(rows(bitmapDifference(a, b))).toEqual(['#...', '#...', '....']);
    expect(rows(bitmapDifference(b, a))).toEqual(['..#.', '..#.', '.##.']);
  });

  it('computes IoU (2 shared of 8 covered)', () => {
    expect(bitmapIou(a, b)).toBe(2 / 8);
    expect(bitmapIou(a, a)).toBe(1);
    expect(bitmapIou(createBitmap(2, 2), createBitmap(2, 2))).toBe(0);
  });

  it('compares masks by their set pixels', () => {
    expect(bitmapEquals(a, draw('##..', '##..', '....'))).toBe(true);
    expect(bitmapEquals(a, b)).toBe(false);
    expect(bitmapEquals(a, createBitmap(4, 4))).toBe(false);
  });

  it('refuses masks of different sizes', () => {
    expect(() => bitmapUnion(a, createBitmap(4, 4))).toThrow(/4x3 vs 4x4/);
  });
});

describe('bitmap construction, crop and paste', () => {
  it('thresholds logits strictly above 0', () => {
    const mask = thresholdToBitmap(Float32Array.of(-1, 0, 0.01, 5), 2, 2);
    expect(Array.from(mask.data)).toEqual([0, 0, 1, 1]);
  });

  it('checks the byte count against the size', () => {
    expect(() => bitmapFrom(3, 3, new Uint8Array(8))).toThrow(GeometryError);
    expect(() => bitmapFrom(3, 3, new Uint8Array(8))).toThrow(/9 bytes, got 8 bytes/);
    expect(() => createBitmap(-1, 3)).toThrow(/width/);
  });

  it('crops with areas outside reading as empty', () => {
    const mask = draw('#..', '.#.', '..#');
    expect(rows(cropBitmap(mask, 1, 1, 2, 2))).toEqual(['#.', '.#']);
    expect(rows(cropBitmap(mask, -1, -1, 3, 3))).toEqual(['...', '.#.', '..#']);
  });

  it('pastes clipped to the target', () => {
    const target = createBitmap(4, 3);
    pasteBitmap(target, draw('##', '#.'), 3, 1);
    expect(rows(target)).toEqual(['....', '...#', '...#']);
    pasteBitmap(target, draw('##', '##'), -1, -1);
    expect(rows(target)).toEqual(['#...', '...#', '...#']);
  });
});
