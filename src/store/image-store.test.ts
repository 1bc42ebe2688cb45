import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { imageIdOf } from '../dataset/image-id.js';
import { ImageIndex } from '../dataset/index.js';
import { InvalidValueError, UnknownImageIdError } from './errors.js';
import type { ProjectStore } from './project-store.js';
import { addImages, projectPerTest, rectRle, syncEntry } from './test-support.js';

const t = projectPerTest();

/** Rows this connection has written so far (inserts, updates, deletes). */
function rowsWritten(store: ProjectStore): number {
  return store.db.prepare(`SELECT total_changes()`).pluck().get() as number;
}

/** A dataset folder holding `relPaths` (a few bytes each: the index reads no image contents). */
function datasetIndex(relPaths: readonly string[]): { index: ImageIndex; remove(): void } {
  const root = mkdtempSync(path.join(os.tmpdir(), 'sam-store-dataset-'));
  for (const rel of relPaths) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), rel);
  }
  return { index: ImageIndex.open(root), remove: () => rmSync(root, { recursive: true }) };
}

describe('syncImages', () => {
  it('registers new entries, keeps ids across re-syncs and counts what changed', () => {
    const first = t.store.images.sync([
      syncEntry('b.jpg'),
      syncEntry('a.jpg'),
      syncEntry('c/d.png'),
    ]);
    expect(first).toEqual({ added: 3, changed: 0, unchanged: 0, missing: 0, total: 3 });
    const ids = Object.fromEntries(
      ['a.jpg', 'b.jpg', 'c/d.png'].map((p) => [p, t.store.images.findByPath(p)!.id]),
    );
    expect(new Set(Object.values(ids)).size).toBe(3);

    const second = t.store.images.sync([
      syncEntry('c/d.png'),
      syncEntry('b.jpg', 2000),
      syncEntry('e.jpg'),
    ]);
    expect(second).toEqual({ added: 1, changed: 1, unchanged: 1, missing: 1, total: 4 });
    for (const [p, id] of Object.entries(ids)) expect(t.store.images.findByPath(p)!.id).toBe(id);
    expect(t.store.images.findByPath('b.jpg')!.bytes).toBe(2000);
    // The missing image is kept: its objects must not vanish because a folder was unmounted.
    expect(t.store.images.get(ids['a.jpg']!).path).toBe('a.jpg');
    expect(t.store.images.findByPath('e.jpg')!.id).toBeGreaterThan(Math.max(...Object.values(ids)));
  });

  it('a changed file forgets its size and leaves the broken status; an unchanged one keeps both', () => {
    const [broken, fine] = addImages(t.store, ['x.png', 'y.png']);
    t.store.images.setStatus(broken!, 'broken', 'truncated');
    t.store.images.setStatus(fine!, 'done');
    t.store.images.sync([syncEntry('x.png', 1000, 1_800_000_000_000), syncEntry('y.png')]);
    expect(t.store.images.get(broken!)).toMatchObject({
      width: null,
      height: null,
      status: 'new',
      note: 'truncated',
      mtimeMs: 1_800_000_000_000,
    });
    expect(t.store.images.get(fine!)).toMatchObject({ width: 64, height: 48, status: 'done' });
  });

  it('matches a known image by path when its key changed', () => {
    t.store.images.sync([{ id: 'old-key', relPath: 'p.png', bytes: 1, mtimeMs: 1 }]);
    const id = t.store.images.findByPath('p.png')!.id;
    const result = t.store.images.sync([{ id: 'new-key', relPath: 'p.png', bytes: 1, mtimeMs: 1 }]);
    expect(result).toMatchObject({ added: 0, changed: 1 });
    expect(t.store.images.get(id).key).toBe('new-key');
  });

  it('refuses a bad entry, naming it, and writes nothing', () => {
    expect(() =>
      t.store.images.sync([
        syncEntry('a.png'),
        { id: 'k', relPath: 'b.png', bytes: -1, mtimeMs: 0 },
      ]),
    ).toThrow(/entries\[1\]\.bytes must be a whole number >= 0, got -1/);
    expect(t.store.images.countByStatus().total).toBe(0);
  });

  it('registers 100,000 entries in one transaction and re-syncs them unchanged', () => {
    const entries = Array.from({ length: 100_000 }, (_, i) => {
      const relPath = `folder${i % 100}/image${i}.jpg`;
      return { id: imageIdOf(relPath), relPath, bytes: 1000 + i, mtimeMs: 1_700_000_000_000 + i };
    });
    expect(t.store.images.sync(entries)).toMatchObject({ added: 100_000, total: 100_000 });
    const written = rowsWritten(t.store);
    expect(t.store.images.sync(entries)).toMatchObject({ added: 0, unchanged: 100_000 });
    expect(rowsWritten(t.store)).toBe(written);
    expect(t.store.images.findByPath('folder7/image99907.jpg')!.bytes).toBe(100_907);
  });
});

describe('image fields and queries', () => {
  it('sets size and status with checks that name the field', () => {
    const [id] = addImages(t.store, ['a.png']);
    expect(t.store.images.setSize(id!, 800, 600)).toMatchObject({ width: 800, height: 600 });
    expect(() => t.store.images.setSize(id!, 0, 600)).toThrow(/width must be .*got 0/);
    expect(() => t.store.images.setSize(999, 1, 1)).toThrow(UnknownImageIdError);
    expect(t.store.images.setStatus(id!, 'faulty', 'blurred')).toMatchObject({
      status: 'faulty',
      note: 'blurred',
    });
    // No note keeps it; an empty one clears it.
    expect(t.store.images.setStatus(id!, 'done').note).toBe('blurred');
    expect(t.store.images.setStatus(id!, 'done', '').note).toBe('');
    expect(() => t.store.images.setStatus(id!, 'finished' as 'done')).toThrow(
      /status must be one of new, in_progress, done, faulty, broken, got "finished"/,
    );
    expect(() => t.store.images.get(-1)).toThrow(/No image with id -1/);
  });

  it('lists in order with status, class and search filters, pages and counts', () => {
    const paths = ['a/1.png', 'a/10%.png', 'b/2.png', 'c/x_y.png', 'c/xay.png'];
    const ids = addImages(t.store, paths);
    const byPath = Object.fromEntries(paths.map((p, i) => [p, ids[i]!]));
    const car = t.store.classes.add('car');
    const dog = t.store.classes.add('dog');
    const rle = rectRle(64, 48, 1, 1, 10, 10);
    t.store.objects.add({ imageId: byPath['b/2.png']!, classId: car.id, rle, source: 'sam' });
    t.store.objects.add({ imageId: byPath['b/2.png']!, classId: car.id, rle, source: 'sam' });
    t.store.objects.add({ imageId: byPath['c/x_y.png']!, classId: dog.id, rle, source: 'sam' });
    t.store.images.setStatus(byPath['a/1.png']!, 'done');
    t.store.images.setStatus(byPath['c/xay.png']!, 'in_progress');

    const all = t.store.images.list();
    expect(all.total).toBe(5);
    expect(all.items.map((i) => i.path)).toEqual([
      'a/1.png',
      'a/10%.png',
      'b/2.png',
      'c/x_y.png',
      'c/xay.png',
    ]);
    expect(all.items.map((i) => i.objectCount)).toEqual([0, 0, 2, 1, 0]);
    expect(t.store.images.list({ status: 'done' }).items.map((i) => i.path)).toEqual(['a/1.png']);
    expect(
      t.store.images.list({ status: ['done', 'in_progress'] }).items.map((i) => i.path),
    ).toEqual(['a/1.png', 'b/2.png', 'c/x_y.png', 'c/xay.png']);
    expect(t.store.images.list({ classId: car.id }).items.map((i) => i.path)).toEqual(['b/2.png']);
    // % and _ are literal in a search, and ASCII letters match either case.
    expect(t.store.images.list({ search: '0%' }).items.map((i) => i.path)).toEqual(['a/10%.png']);
    expect(t.store.images.list({ search: 'X_' }).items.map((i) => i.path)).toEqual(['c/x_y.png']);
    const page = t.store.images.list({ status: 'in_progress', offset: 1, limit: 2 });
    expect(page).toMatchObject({ total: 3, offset: 1 });
    expect(page.items.map((i) => i.path)).toEqual(['c/x_y.png', 'c/xay.png']);
    expect(() => t.store.images.list({ limit: 0 })).toThrow(InvalidValueError);
    expect(() => t.store.images.list({ status: ['done', 'nope' as 'done'] })).toThrow(
      /status\[1\]/,
    );
    expect(t.store.images.countByStatus()).toEqual({
      new: 1,
      in_progress: 3,
      done: 1,
      faulty: 0,
      broken: 0,
      total: 5,
    });
  });

  it('gives positions and neighbours in the order of the entries synced', () => {
    const ids = addImages(t.store, ['a.png', 'b.png', 'c.png']);
    const [a, b, c] = ids;
    expect([a, b, c].map((id) => t.store.images.positionOf(id!))).toEqual([0, 1, 2]);
    expect(t.store.images.atPosition(1)!.id).toBe(b);
    expect(t.store.images.atPosition(3)).toBeUndefined();
    expect(() => t.store.images.atPosition(-1)).toThrow(/index must be a whole number/);
    expect(t.store.images.neighbours(b!)).toEqual({ previous: a, next: c });
    expect(t.store.images.neighbours(a!)).toEqual({ previous: null, next: b });
    expect(t.store.images.neighbours(c!)).toEqual({ previous: b, next: null });
    expect(() => t.store.images.positionOf(99)).toThrow(UnknownImageIdError);
  });

  it('finds an image by the NFC spelling of a decomposed path', () => {
    const [id] = addImages(t.store, ['caf\u00e9.png']);
    expect(t.store.images.findByPath('cafe\u0301.png')!.id).toBe(id);
    expect(t.store.images.findByPath('missing.png')).toBeUndefined();
  });
});

describe('dataset order', () => {
  // Natural order, folder by folder: "img2" before "img10" (byte order has them the other way).
  const natural = ['a/img3.png', 'img1.png', 'img2.png', 'img10.png', 'z/img0.png'];

  it('list, positions, neighbours and exports follow the ImageIndex order, not byte order', () => {
    const dataset = datasetIndex(['img10.png', 'z/img0.png', 'img1.png', 'a/img3.png', 'img2.png']);
    try {
      expect(dataset.index.entries().map((e) => e.relPath)).toEqual(natural);
      t.store.images.sync(dataset.index.entries());
    } finally {
      dataset.remove();
    }
    const images = t.store.images;
    expect(images.list().items.map((i) => i.path)).toEqual(natural);
    expect([...t.store.iterateImages()].map((i) => i.path)).toEqual(natural);
    const idOf = (p: string) => images.findByPath(p)!.id;
    expect(natural.map((p) => images.positionOf(idOf(p)))).toEqual([0, 1, 2, 3, 4]);
    expect(natural.map((_, k) => images.atPosition(k)!.path)).toEqual(natural);
    expect(images.neighbours(idOf('img2.png'))).toEqual({
      previous: idOf('img1.png'),
      next: idOf('img10.png'),
    });
    expect(images.neighbours(idOf('img10.png')).next).toBe(idOf('z/img0.png'));
    // Filters and pages keep the order.
    expect(images.list({ search: 'img1' }).items.map((i) => i.path)).toEqual([
      'img1.png',
      'img10.png',
    ]);
    expect(images.list({ offset: 2, limit: 2 }).items.map((i) => i.path)).toEqual([
      'img2.png',
      'img10.png',
    ]);
  });

  it('a re-sync rewrites only the places that moved; images it leaves out go last, by path', () => {
    t.store.images.sync(natural.map((p) => syncEntry(p)));
    const ids = natural.map((p) => t.store.images.findByPath(p)!.id);
    const order = () => t.store.images.list().items.map((i) => i.path);

    // Unchanged: nothing is written.
    let before = rowsWritten(t.store);
    t.store.images.sync(natural.map((p) => syncEntry(p)));
    expect(rowsWritten(t.store) - before).toBe(0);

    // Two images swap places: two rows are written.
    before = rowsWritten(t.store);
    const swapped = ['a/img3.png', 'img2.png', 'img1.png', 'img10.png', 'z/img0.png'];
    t.store.images.sync(swapped.map((p) => syncEntry(p)));
    expect(rowsWritten(t.store) - before).toBe(2);
    expect(order()).toEqual(swapped);

    // img1 and a/img3 vanish from the dataset (kept, with their ids) and a new image arrives.
    const result = t.store.images.sync(
      ['img2.png', 'img10.png', 'new.png', 'z/img0.png'].map((p) => syncEntry(p)),
    );
    expect(result).toMatchObject({ added: 1, missing: 2, total: 6 });
    expect(order()).toEqual([
      'img2.png',
      'img10.png',
      'new.png',
      'z/img0.png',
      'a/img3.png',
      'img1.png',
    ]);
    expect(order().map((p) => t.store.images.positionOf(t.store.images.findByPath(p)!.id))).toEqual(
      [0, 1, 2, 3, 4, 5],
    );
    expect([0, 1, 2, 3, 4, 5].map((k) => t.store.images.atPosition(k)!.path)).toEqual(order());
    expect(t.store.images.atPosition(6)).toBeUndefined();
    expect(t.store.images.neighbours(ids[0]!)).toEqual({
      previous: t.store.images.findByPath('z/img0.png')!.id,
      next: ids[1],
    });
    expect(natural.map((p) => t.store.images.findByPath(p)!.id)).toEqual(ids);
  });
});

describe('setSizes', () => {
  it('records many sizes in one transaction, or none when one is refused', () => {
    t.store.images.sync(['a.png', 'b.png', 'c.png'].map((p) => syncEntry(p)));
    const [a, b, c] = ['a.png', 'b.png', 'c.png'].map((p) => t.store.images.findByPath(p)!.id);
    expect(
      t.store.images.setSizes([
        { id: a!, width: 640, height: 480 },
        { id: c!, width: 20, height: 10 },
      ]),
    ).toBe(2);
    expect(t.store.images.get(a!)).toMatchObject({ width: 640, height: 480 });
    expect(t.store.images.get(b!)).toMatchObject({ width: null, height: null });
    expect(t.store.images.get(c!)).toMatchObject({ width: 20, height: 10 });

    expect(() =>
      t.store.images.setSizes([
        { id: b!, width: 5, height: 5 },
        { id: c!, width: 7, height: 1.5 },
      ]),
    ).toThrow(/sizes\[1\]\.height must be a whole number of pixels >= 1, got 1.5/);
    expect(() =>
      t.store.images.setSizes([
        { id: b!, width: 5, height: 5 },
        { id: 999, width: 7, height: 7 },
      ]),
    ).toThrow(UnknownImageIdError);
    expect(t.store.images.get(b!)).toMatchObject({ width: null, height: null });
    expect(t.store.images.setSizes([])).toBe(0);
  });
});
