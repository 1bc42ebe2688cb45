import { describe, expect, it } from 'vitest';
import { imageIdOf } from '../dataset/image-id.js';
import { InvalidValueError, UnknownImageIdError } from './errors.js';
import { addImages, projectPerTest, rectRle, syncEntry } from './test-support.js';

const t = projectPerTest();

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
    expect(t.store.images.sync(entries)).toMatchObject({ added: 0, unchanged: 100_000 });
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

  it('lists by path with status, class and search filters, pages and counts', () => {
    const paths = ['b/2.png', 'a/1.png', 'a/10%.png', 'c/x_y.png', 'c/xay.png'];
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
    ).toEqual(['a/1.png', 'c/xay.png']);
    expect(t.store.images.list({ classId: car.id }).items.map((i) => i.path)).toEqual(['b/2.png']);
    // % and _ are literal in a search, and ASCII letters match either case.
    expect(t.store.images.list({ search: '0%' }).items.map((i) => i.path)).toEqual(['a/10%.png']);
    expect(t.store.images.list({ search: 'X_' }).items.map((i) => i.path)).toEqual(['c/x_y.png']);
    const page = t.store.images.list({ status: 'new', offset: 1, limit: 2 });
    expect(page).toMatchObject({ total: 3, offset: 1 });
    expect(page.items.map((i) => i.path)).toEqual(['b/2.png', 'c/x_y.png']);
    expect(() => t.store.images.list({ limit: 0 })).toThrow(InvalidValueError);
    expect(() => t.store.images.list({ status: ['done', 'nope' as 'done'] })).toThrow(
      /status\[1\]/,
    );
    expect(t.store.images.countByStatus()).toEqual({
      new: 3,
      in_progress: 1,
      done: 1,
      faulty: 0,
      broken: 0,
      total: 5,
    });
  });

  it('gives positions and neighbours in path order', () => {
    const ids = addImages(t.store, ['c.png', 'a.png', 'b.png']);
    const [c, a, b] = ids;
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
