import { beforeEach, describe, expect, it } from 'vitest';
import { ImportPathError, MaskSizeError } from './errors.js';
import type { ImportBatch } from './records.js';
import { addImages, projectPerTest, rectRle, syncEntry } from './test-support.js';

const W = 50;
const H = 40;

const t = projectPerTest();
let ids: number[];

beforeEach(() => {
  ids = addImages(t.store, ['a.png', 'b.png', 'c.png'], { width: W, height: H });
});

function batch(images: ImportBatch['images'], classes = ['cat', 'dog']): ImportBatch {
  return { format: 'coco', classes, images };
}

const catA = { className: 'cat', rle: rectRle(W, H, 0, 0, 10, 10), score: 0.8 };
const dogA = { className: 'Dog', rle: rectRle(W, H, 20, 20, 5, 6) };

function snapshot() {
  return ids.map((id) => t.store.objects.listOf(id).map((o) => [o.id, o.classId, o.area]));
}

describe('applyImport', () => {
  it('merges: adds classes and objects with derived bbox/area and source "import"', () => {
    const existing = t.store.classes.add('DOG');
    t.store.objects.add({
      imageId: ids[0]!,
      classId: existing.id,
      rle: rectRle(W, H, 1, 1, 3, 3),
      source: 'sam',
    });
    const result = t.store.applyImport(
      batch([
        { path: 'a.png', width: W, height: H, objects: [catA, dogA] },
        { path: 'b.png', width: W, height: H, objects: [] },
      ]),
      { mode: 'merge' },
    );
    expect(result).toEqual({
      format: 'coco',
      mode: 'merge',
      images: 2,
      imagesChanged: 1,
      objectsAdded: 2,
      objectsRemoved: 0,
      classesAdded: ['cat'],
    });
    const objects = t.store.objectsOf(ids[0]!);
    expect(objects).toHaveLength(3);
    const cat = t.store.classes.findByName('cat')!;
    expect(objects[1]).toMatchObject({
      classId: cat.id,
      bbox: [0, 0, 10, 10],
      area: 100,
      score: 0.8,
      source: 'import',
      prompts: null,
    });
    expect(objects[2]).toMatchObject({
      classId: existing.id,
      bbox: [20, 20, 5, 6],
      area: 30,
      score: null,
    });
    expect(t.store.objects.historyCounts(ids[1]!)).toEqual({ undo: 0, redo: 0 });
  });

  it('replace clears the touched images first; one undo entry per image restores each alone', () => {
    const cls = t.store.classes.add('old');
    for (const id of ids) {
      t.store.objects.add({
        imageId: id,
        classId: cls.id,
        rle: rectRle(W, H, 2, 2, 8, 8),
        source: 'manual',
      });
    }
    const before = snapshot();
    const result = t.store.applyImport(
      batch([
        { path: 'a.png', width: W, height: H, objects: [catA] },
        { path: 'b.png', width: W, height: H, objects: [] },
      ]),
      { mode: 'replace' },
    );
    expect(result).toMatchObject({ imagesChanged: 2, objectsAdded: 1, objectsRemoved: 2 });
    expect(t.store.objectsOf(ids[0]!).map((o) => o.area)).toEqual([100]);
    expect(t.store.objectsOf(ids[1]!)).toEqual([]);
    // c.png was not named: untouched.
    expect(t.store.objectsOf(ids[2]!)).toHaveLength(1);
    expect(t.store.objects.undo(ids[1]!)!.kind).toBe('import');
    expect(snapshot()[1]).toEqual(before[1]);
    expect(t.store.objectsOf(ids[0]!).map((o) => o.area)).toEqual([100]);
    t.store.objects.undo(ids[0]!);
    expect(snapshot()).toEqual(before);
  });

  it('an image listed with no objects: replace clears it (undoably), merge leaves it alone', () => {
    const cls = t.store.classes.add('old');
    const add = (imageId: number, x: number) =>
      t.store.objects.add({
        imageId,
        classId: cls.id,
        rle: rectRle(W, H, x, 2, 4, 4),
        source: 'manual',
      }).added[0]!.id;
    const kept = [add(ids[0]!, 0), add(ids[0]!, 10)];
    const empty = batch([{ path: 'a.png', width: W, height: H, objects: [] }], []);
    const historyBefore = t.store.objects.historyCounts(ids[0]!);

    expect(t.store.applyImport(empty, { mode: 'merge' })).toMatchObject({
      images: 1,
      imagesChanged: 0,
      objectsAdded: 0,
      objectsRemoved: 0,
    });
    expect(t.store.objectsOf(ids[0]!).map((o) => o.id)).toEqual(kept);
    expect(t.store.objects.historyCounts(ids[0]!)).toEqual(historyBefore);

    expect(t.store.applyImport(empty, { mode: 'replace' })).toMatchObject({
      images: 1,
      imagesChanged: 1,
      objectsAdded: 0,
      objectsRemoved: 2,
    });
    expect(t.store.objectsOf(ids[0]!)).toEqual([]);
    const undone = t.store.objects.undo(ids[0]!)!;
    expect(undone.kind).toBe('import');
    expect(undone.added.map((o) => o.id)).toEqual(kept);
    expect(t.store.objectsOf(ids[0]!).map((o) => o.id)).toEqual(kept);
    // An image that had nothing stays without an undo entry in either mode.
    t.store.applyImport(batch([{ path: 'b.png', width: W, height: H, objects: [] }], []), {
      mode: 'replace',
    });
    expect(t.store.objects.historyCounts(ids[1]!)).toEqual({ undo: 0, redo: 0 });
  });

  it('an image path that is not registered fails the whole import, naming it', () => {
    const before = snapshot();
    let error: unknown;
    try {
      t.store.applyImport(
        batch([
          { path: 'a.png', width: W, height: H, objects: [catA] },
          { path: 'nested/missing.png', width: W, height: H, objects: [dogA] },
        ]),
        { mode: 'replace' },
      );
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ImportPathError);
    expect((error as Error).message).toMatch(
      /coco import names the image "nested\/missing.png" \(images\[1\]\.path\)/,
    );
    expect(snapshot()).toEqual(before);
    expect(t.store.classes.list()).toEqual([]);
    expect(t.store.objects.historyCounts(ids[0]!)).toEqual({ undo: 0, redo: 0 });
  });

  it('refuses masks of the wrong size, sizes that contradict the image and repeated paths', () => {
    expect(() =>
      t.store.applyImport(
        batch([
          {
            path: 'a.png',
            width: W,
            height: H,
            objects: [{ className: 'cat', rle: rectRle(W, H + 1, 0, 0, 2, 2) }],
          },
        ]),
        { mode: 'merge' },
      ),
    ).toThrow(
      /images\[0\]\.objects\[0\]\.rle\.size: a 50x41 mask .* "a.png" of the import, which is 50x40/,
    );
    expect(() =>
      t.store.applyImport(batch([{ path: 'b.png', width: W * 2, height: H * 2, objects: [] }]), {
        mode: 'merge',
      }),
    ).toThrow(MaskSizeError);
    expect(() =>
      t.store.applyImport(
        batch([
          { path: 'a.png', width: W, height: H, objects: [] },
          { path: 'a.png', width: W, height: H, objects: [] },
        ]),
        { mode: 'merge' },
      ),
    ).toThrow(/"a.png" appears twice .* images\[0\]/);
    expect(() =>
      t.store.applyImport(
        batch([
          { path: 'a.png', width: W, height: H, objects: [{ className: ' ', rle: catA.rle }] },
        ]),
        {
          mode: 'merge',
        },
      ),
    ).toThrow(/images\[0\]\.objects\[0\]\.className must not be empty/);
    expect(() => t.store.applyImport(batch([]), { mode: 'append' as 'merge' })).toThrow(
      /mode must be/,
    );
    expect(t.store.classes.list()).toEqual([]);
  });

  it('creates classes named only by objects, and sizes images whose header was not read', () => {
    t.store.images.sync([
      syncEntry('a.png'),
      syncEntry('b.png'),
      syncEntry('c.png'),
      syncEntry('new.png'),
    ]);
    const result = t.store.applyImport(
      batch(
        [
          {
            path: 'new.png',
            width: 30,
            height: 20,
            objects: [{ className: 'bird', rle: rectRle(30, 20, 0, 0, 4, 4) }],
          },
        ],
        ['cat'],
      ),
      { mode: 'merge' },
    );
    expect(result.classesAdded).toEqual(['cat', 'bird']);
    expect(t.store.images.findByPath('new.png')).toMatchObject({
      width: 30,
      height: 20,
      objectCount: 1,
    });
  });
});
