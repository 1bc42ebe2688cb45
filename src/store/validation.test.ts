import { beforeEach, describe, expect, it } from 'vitest';
import { countsFromString, decodeRle, encodeMask } from '../geometry/index.js';
import { randomBlobMask } from '../geometry/testdata/shapes.js';
import type { ObjectRecord } from './records.js';
import { RunsCache } from './validation.js';
import { addImages, projectPerTest, rectRle, syncEntry } from './test-support.js';

const W = 100;
const H = 80;

const t = projectPerTest();
let imageId: number;
let classId: number;

beforeEach(() => {
  [imageId] = addImages(t.store, ['v.png'], { width: W, height: H }) as [number];
  classId = t.store.classes.add('c').id;
});

function addRect(x: number, y: number, w: number, h: number) {
  return t.store.objects.add({
    imageId,
    classId,
    rle: rectRle(W, H, x, y, w, h),
    source: 'manual',
  });
}

describe('warnings', () => {
  it('warns about an object under validation.minArea (default 100 px) without refusing it', () => {
    const small = addRect(0, 0, 9, 11);
    expect(small.warnings).toEqual([
      expect.objectContaining({
        kind: 'small-area',
        objectId: small.added[0]!.id,
        area: 99,
        minArea: 100,
      }),
    ]);
    expect(t.store.objects.listOf(imageId)).toHaveLength(1);
    expect(addRect(20, 20, 10, 10).warnings).toEqual([]);
  });

  it('warns when intersection / smaller area exceeds validation.maxOverlap (default 0.3)', () => {
    const big = addRect(0, 0, 40, 40).added[0]!;
    // 10x20 object, 6x20 of it inside the big one: 120 / 200 = 0.6.
    const partly = addRect(34, 0, 10, 20);
    expect(partly.warnings).toEqual([
      expect.objectContaining({
        kind: 'overlap',
        objectId: partly.added[0]!.id,
        otherId: big.id,
        overlap: 0.6,
        maxOverlap: 0.3,
      }),
    ]);
    expect(partly.warnings[0]!.message).toMatch(/overlap by 60.0% of the smaller one/);
    // 3x20 of 200 = 0.3 is not above the threshold.
    expect(addRect(37, 40 - 20, 10, 20).warnings.filter((w) => w.kind === 'overlap')).toEqual([]);
    // Warnings follow updates too: moving the object away clears them.
    expect(
      t.store.objects.update(partly.added[0]!.id, { rle: rectRle(W, H, 60, 50, 10, 20) }).warnings,
    ).toEqual([]);
  });

  it('matches the overlap counted pixel by pixel on ragged masks', () => {
    const a = encodeMask(randomBlobMask(W, H, 11, { parts: 2, holes: 1 }));
    const b = encodeMask(randomBlobMask(W, H, 12, { parts: 2, holes: 1 }));
    t.reopen({ validation: { maxOverlap: 0 } });
    const first = t.store.objects.add({ imageId, classId, rle: a, source: 'sam' }).added[0]!;
    const second = t.store.objects.add({ imageId, classId, rle: b, source: 'sam' });
    const ma = decodeRle(a).data;
    const mb = decodeRle(b).data;
    let both = 0;
    let areaA = 0;
    let areaB = 0;
    for (let i = 0; i < ma.length; i++) {
      areaA += ma[i]!;
      areaB += mb[i]!;
      both += ma[i]! & mb[i]!;
    }
    expect(both).toBeGreaterThan(0);
    const overlap = second.warnings.find((w) => w.kind === 'overlap');
    expect(overlap).toMatchObject({ otherId: first.id });
    expect(overlap && 'overlap' in overlap && overlap.overlap).toBeCloseTo(
      both / Math.min(areaA, areaB),
      12,
    );
  });

  it('warningsFor one object and imageWarnings for all, each pair once', () => {
    const a = addRect(0, 0, 20, 20).added[0]!;
    const b = addRect(5, 5, 20, 20).added[0]!;
    const c = addRect(60, 60, 5, 5).added[0]!;
    expect(t.store.objects.warningsFor(a.id).map((w) => w.kind)).toEqual(['overlap']);
    expect(t.store.objects.warningsFor(c.id).map((w) => w.kind)).toEqual(['small-area']);
    const all = t.store.objects.imageWarnings(imageId);
    expect(all.map((w) => [w.kind, w.objectId])).toEqual([
      ['overlap', a.id],
      ['small-area', c.id],
    ]);
    expect(all[0]).toMatchObject({ otherId: b.id });
  });

  it('takes thresholds as options and refuses bad ones', () => {
    t.reopen({ validation: { minArea: 10, maxOverlap: 1 } });
    // 9 px is under 10; two identical masks overlap fully, which maxOverlap 1 lets pass.
    for (let i = 0; i < 2; i++) {
      const tiny = t.store.objects.add({
        imageId,
        classId,
        rle: rectRle(W, H, 0, 0, 3, 3),
        source: 'auto',
      });
      expect(tiny.warnings.map((w) => w.kind)).toEqual(['small-area']);
    }
    expect(() => t.project.open({ validation: { maxOverlap: 1.5 } })).toThrow(
      /validation.maxOverlap must be a number from 0 to 1/,
    );
    expect(() => t.project.open({ validation: { minArea: -1 } })).toThrow(/validation.minArea/);
  });

  it('flags masks that no longer fit an image whose file changed size', () => {
    const object = addRect(0, 0, 20, 20).added[0]!;
    t.store.images.sync([syncEntry('v.png', 5555)]);
    t.store.images.setSize(imageId, 200, 160);
    expect(t.store.objects.warningsFor(object.id)).toEqual([
      expect.objectContaining({ kind: 'mask-size', maskSize: [H, W], imageSize: [160, 200] }),
    ]);
    // The object itself is kept as it was.
    expect(t.store.objects.get(object.id).rle).toEqual(object.rle);
  });
});

describe('RunsCache', () => {
  const objectWith = (id: number, rle: { size: [number, number]; counts: string }) =>
    ({ id, rle }) as unknown as ObjectRecord;

  it('decodes each mask once, again only when its counts change, and keeps under its cap', () => {
    const a = rectRle(W, H, 0, 0, 10, 10);
    const b = rectRle(W, H, 5, 5, 10, 10);
    const cache = new RunsCache(12);
    const first = cache.runsOf(objectWith(1, a));
    expect(cache.runsOf(objectWith(1, a))).toBe(first);
    expect(Array.from(first.counts)).toEqual(Array.from(countsFromString(a.counts)));
    // Same id, new mask (an update): decoded afresh.
    const changed = cache.runsOf(objectWith(1, b));
    expect(changed).not.toBe(first);
    expect(Array.from(changed.counts)).toEqual(Array.from(countsFromString(b.counts)));
    // Each rectangle has 21 runs: past the cap of 12 counts only the newest entry stays.
    cache.runsOf(objectWith(2, a));
    expect(cache.size).toBe(1);
    expect(cache.runsOf(objectWith(2, a))).toBe(cache.runsOf(objectWith(2, a)));
    cache.clear();
    expect(cache.size).toBe(0);
  });
});
