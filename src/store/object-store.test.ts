import { beforeEach, describe, expect, it } from 'vitest';
import { rleArea, uncompressRle } from '../geometry/index.js';
import {
  InvalidValueError,
  MaskSizeError,
  UnknownClassError,
  UnknownImageIdError,
  UnknownObjectError,
} from './errors.js';
import type { ProjectStore } from './project-store.js';
import type { ObjectRecord } from './records.js';
import { addImages, projectPerTest, rectRle, steppingClock, syncEntry } from './test-support.js';

const W = 64;
const H = 48;

const CLOCK = { clock: steppingClock('2024-05-01T10:00:00Z') };
const t = projectPerTest(CLOCK);
let imageId: number;
let classId: number;

beforeEach(() => {
  [imageId] = addImages(t.store, ['img.png'], { width: W, height: H }) as [number];
  classId = t.store.classes.add('thing').id;
});

function add(x: number, y: number, w: number, h: number, onImage = imageId) {
  return t.store.objects.add({
    imageId: onImage,
    classId,
    rle: rectRle(W, H, x, y, w, h),
    source: 'sam',
    score: 0.9,
    prompts: { points: [{ x: x + 1.5, y: y + 1.5, label: 1 }], model: 'test' },
  });
}

/** What the image holds, by id, without timestamps. */
function state(s: ProjectStore = t.store, onImage = imageId) {
  return s.objects.listOf(onImage).map((o) => ({ ...o, createdAt: '', updatedAt: '' }));
}

describe('object changes', () => {
  it('moves a new image to in progress with its first object, and leaves other statuses', () => {
    expect(t.store.images.get(imageId).status).toBe('new');
    add(2, 3, 10, 20);
    expect(t.store.images.get(imageId).status).toBe('in_progress');
    t.store.images.setStatus(imageId, 'done');
    add(20, 3, 10, 20);
    expect(t.store.images.get(imageId).status).toBe('done');
  });

  it('adds an object with bbox and area derived from its RLE', () => {
    const result = add(2, 3, 10, 20);
    expect(result).toMatchObject({ imageId, kind: 'add', updated: [], removed: [] });
    expect(result.history).toEqual({ undo: 1, redo: 0 });
    const object = result.added[0]!;
    expect(object).toMatchObject({
      imageId,
      classId,
      bbox: [2, 3, 10, 20],
      area: 200,
      score: 0.9,
      source: 'sam',
      prompts: { points: [{ x: 3.5, y: 4.5, label: 1 }], model: 'test' },
    });
    // Dated by the injected clock (which moves on a second per reading).
    expect(object.createdAt).toMatch(/^2024-05-01T10:00:\d\d\.000Z$/);
    expect(object.updatedAt).toBe(object.createdAt);
    expect(t.store.objects.get(object.id)).toEqual(object);
    expect(rleArea(object.rle)).toBe(200);
  });

  it('never trusts a bbox or area passed along with the mask, and takes uncompressed RLE', () => {
    const rle = { ...uncompressRle(rectRle(W, H, 5, 5, 4, 4)), bbox: [0, 0, 64, 48], area: 9999 };
    const object = t.store.objects.add({ imageId, classId, rle, source: 'import' }).added[0]!;
    expect(object.area).toBe(16);
    expect(object.bbox).toEqual([5, 5, 4, 4]);
    expect(typeof object.rle.counts).toBe('string');
    expect(object.score).toBeNull();
  });

  it('updates mask, class, score and prompts in place, keeping the id and creation time', () => {
    const original = add(0, 0, 10, 10).added[0]!;
    const other = t.store.classes.add('other');
    const result = t.store.objects.update(original.id, {
      rle: rectRle(W, H, 1, 1, 5, 6),
      classId: other.id,
      score: null,
    });
    expect(result).toMatchObject({ kind: 'update', added: [], removed: [] });
    const updated = result.updated[0]!;
    expect(updated).toMatchObject({
      id: original.id,
      classId: other.id,
      bbox: [1, 1, 5, 6],
      area: 30,
      score: null,
      prompts: original.prompts,
      createdAt: original.createdAt,
    });
    expect(updated.updatedAt > original.updatedAt).toBe(true);
    expect(() => t.store.objects.update(original.id, {})).toThrow(/at least one/);
    expect(() =>
      t.store.objects.update(original.id, { class: 3 } as unknown as { classId: number }),
    ).toThrow(/patch.class is not a field/);
  });

  it('deletes one object or several of one image as one change', () => {
    const [a, b, c] = [add(0, 0, 10, 10), add(20, 0, 10, 10), add(40, 0, 10, 10)].map(
      (r) => r.added[0]!.id,
    );
    expect(t.store.objects.delete(a!)).toMatchObject({ kind: 'delete', removed: [a] });
    const many = t.store.objects.deleteMany([b!, c!]);
    expect(many.removed).toEqual([b, c]);
    expect(many.history).toEqual({ undo: 5, redo: 0 });
    expect(t.store.objects.listOf(imageId)).toEqual([]);
    const [otherImage] = addImages(t.store, ['other.png'], { width: W, height: H });
    const x = add(0, 0, 5, 5).added[0]!.id;
    const y = add(0, 0, 5, 5, otherImage).added[0]!.id;
    expect(() => t.store.objects.deleteMany([x, y])).toThrow(/must belong to one image/);
    expect(() => t.store.objects.delete(12345)).toThrow(UnknownObjectError);
    expect(t.store.objects.get(x).id).toBe(x);
  });

  it('clears an image: zero objects, status kept', () => {
    add(0, 0, 10, 10);
    add(5, 5, 10, 10);
    t.store.images.setStatus(imageId, 'done');
    const result = t.store.objects.clearImage(imageId);
    expect(result.kind).toBe('clear');
    expect(result.removed).toHaveLength(2);
    expect(t.store.objects.listOf(imageId)).toEqual([]);
    expect(t.store.images.get(imageId)).toMatchObject({ status: 'done', objectCount: 0 });
    // Clearing an empty image changes nothing and records nothing.
    const again = t.store.objects.clearImage(imageId);
    expect(again).toMatchObject({ historyId: null, removed: [], history: { undo: 3, redo: 0 } });
  });

  it('refuses unknown ids, bad values and masks of another size, writing nothing', () => {
    const rle = rectRle(W, H, 0, 0, 4, 4);
    expect(() => t.store.objects.add({ imageId: 999, classId, rle, source: 'sam' })).toThrow(
      UnknownImageIdError,
    );
    expect(() => t.store.objects.add({ imageId, classId: 999, rle, source: 'sam' })).toThrow(
      UnknownClassError,
    );
    expect(() => t.store.objects.add({ imageId, classId, rle, source: 'magic' as 'sam' })).toThrow(
      /source must be one of sam, default, manual, import, auto, got "magic"/,
    );
    expect(() =>
      t.store.objects.add({ imageId, classId, rle, source: 'sam', score: Number.NaN }),
    ).toThrow(/score must be a finite number/);
    expect(() =>
      t.store.objects.add({
        imageId,
        classId,
        rle,
        source: 'sam',
        prompts: { points: [{ x: 1, y: 2, label: 2 as 1 }] },
      }),
    ).toThrow(/prompts.points\[0\].label/);
    expect(() =>
      t.store.objects.add({ imageId, classId, rle: { size: [H, W], counts: '!!' }, source: 'sam' }),
    ).toThrow(InvalidValueError);
    const wrongSize = rectRle(W + 1, H, 0, 0, 4, 4);
    const err = (() => {
      try {
        t.store.objects.add({ imageId, classId, rle: wrongSize, source: 'sam' });
      } catch (e) {
        return e as MaskSizeError;
      }
    })();
    expect(err).toBeInstanceOf(MaskSizeError);
    expect(err!.message).toMatch(/rle.size: a 65x48 mask .* image \d+ \(img.png\), which is 64x48/);
    expect(t.store.objects.listOf(imageId)).toEqual([]);
    expect(t.store.objects.historyCounts(imageId)).toEqual({ undo: 0, redo: 0 });
  });

  it('an image whose header was not read yet takes the size of its first mask', () => {
    t.store.images.sync([syncEntry('fresh.png')]);
    const fresh = t.store.images.findByPath('fresh.png')!;
    expect(fresh.width).toBeNull();
    t.store.objects.add({
      imageId: fresh.id,
      classId,
      rle: rectRle(30, 20, 0, 0, 3, 3),
      source: 'sam',
    });
    expect(t.store.images.get(fresh.id)).toMatchObject({ width: 30, height: 20 });
  });
});

describe('undo and redo', () => {
  it('walks back and forth through adds, updates and deletes', () => {
    const snapshots: ReturnType<typeof state>[] = [state()];
    const a = add(0, 0, 10, 10).added[0]!;
    snapshots.push(state());
    const b = add(20, 20, 10, 10).added[0]!;
    snapshots.push(state());
    t.store.objects.update(a.id, { rle: rectRle(W, H, 0, 0, 12, 12), score: 0.5 });
    snapshots.push(state());
    t.store.objects.delete(b.id);
    snapshots.push(state());

    for (let k = snapshots.length - 2; k >= 0; k--) {
      const result = t.store.objects.undo(imageId)!;
      expect(state()).toEqual(snapshots[k]);
      expect(result.history).toEqual({ undo: k, redo: snapshots.length - 1 - k });
    }
    expect(t.store.objects.undo(imageId)).toBeNull();
    for (let k = 1; k < snapshots.length; k++) {
      t.store.objects.redo(imageId);
      expect(state()).toEqual(snapshots[k]);
    }
    expect(t.store.objects.redo(imageId)).toBeNull();
  });

  it('reports what an undo changed for the UI', () => {
    const a = add(0, 0, 10, 10).added[0]!;
    t.store.objects.update(a.id, { score: 0.1 });
    const undoUpdate = t.store.objects.undo(imageId)!;
    expect(undoUpdate).toMatchObject({ kind: 'update', added: [], removed: [] });
    expect(undoUpdate.updated[0]!.score).toBe(0.9);
    const undoAdd = t.store.objects.undo(imageId)!;
    expect(undoAdd).toMatchObject({ kind: 'add', added: [], updated: [], removed: [a.id] });
    const redoAdd = t.store.objects.redo(imageId)!;
    expect(redoAdd.added.map((o) => o.id)).toEqual([a.id]);
  });

  it('a new change after an undo drops that image’s redo entries only', () => {
    const [otherImage] = addImages(t.store, ['other.png'], { width: W, height: H });
    add(0, 0, 10, 10);
    add(0, 0, 10, 10, otherImage);
    t.store.objects.undo(imageId);
    t.store.objects.undo(otherImage!);
    expect(t.store.objects.historyCounts(imageId)).toEqual({ undo: 0, redo: 1 });
    const result = add(5, 5, 10, 10);
    expect(result.history).toEqual({ undo: 1, redo: 0 });
    expect(t.store.objects.redo(imageId)).toBeNull();
    expect(t.store.objects.historyCounts(otherImage!)).toEqual({ undo: 0, redo: 1 });
  });

  it('undo of clear-all restores every object with its id; redo clears again', () => {
    const ids = [add(0, 0, 10, 10), add(10, 10, 10, 10), add(30, 5, 8, 8)].map(
      (r) => r.added[0]!.id,
    );
    const before = state();
    t.store.objects.clearImage(imageId);
    const undone = t.store.objects.undo(imageId)!;
    expect(undone.added.map((o) => o.id)).toEqual(ids);
    expect(state()).toEqual(before);
    // New objects after the restore get fresh ids: restored ids are never handed out again.
    t.store.objects.redo(imageId);
    t.store.objects.undo(imageId);
    const fresh = add(1, 1, 3, 3).added[0]!;
    expect(ids).not.toContain(fresh.id);
  });

  it('keeps undo and redo across closing and reopening the project', () => {
    const a = add(0, 0, 10, 10).added[0]!;
    add(20, 20, 10, 10);
    t.store.objects.update(a.id, { score: 0.25 });
    const afterAll = state();
    t.store.objects.undo(imageId);
    const afterUndo = state();
    t.store.close();

    const reopened = t.project.open(CLOCK);
    expect(state(reopened)).toEqual(afterUndo);
    expect(reopened.objects.historyCounts(imageId)).toEqual({ undo: 2, redo: 1 });
    reopened.objects.redo(imageId);
    expect(state(reopened)).toEqual(afterAll);
    reopened.objects.undo(imageId);
    reopened.objects.undo(imageId);
    reopened.objects.undo(imageId);
    expect(state(reopened)).toEqual([]);
    reopened.close();

    const third = t.project.open(CLOCK);
    expect(third.objects.historyCounts(imageId)).toEqual({ undo: 0, redo: 3 });
    third.objects.redo(imageId);
    third.objects.redo(imageId);
    third.objects.redo(imageId);
    expect(state(third)).toEqual(afterAll);
  });

  it('keeps only the newest historyLimit entries of an image', () => {
    t.store.close();
    const limited = t.project.open({ historyLimit: 3 });
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push(
        limited.objects.add({
          imageId,
          classId,
          rle: rectRle(W, H, i, i, 4, 4),
          source: 'manual',
        }).added[0]!.id,
      );
    }
    expect(limited.objects.historyCounts(imageId)).toEqual({ undo: 3, redo: 0 });
    while (limited.objects.undo(imageId));
    expect(limited.objects.listOf(imageId).map((o: ObjectRecord) => o.id)).toEqual(ids.slice(0, 2));
  });
});
