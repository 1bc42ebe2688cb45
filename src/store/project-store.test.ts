import { describe, expect, it } from 'vitest';
import type { AnnotationSource } from './records.js';
import { addImages, projectPerTest, rectRle } from './test-support.js';

const t = projectPerTest();

describe('ProjectStore as an AnnotationSource', () => {
  it('gives classes by position, images in the dataset order, objects by id', () => {
    const source: AnnotationSource = t.store;
    // The index's natural order (case-insensitive); byte order would put "B.png" first.
    const paths = ['a.png', 'B.png', 'b/x.png', 'z.png', 'z\u00e9.png'];
    const ids = addImages(t.store, paths, { width: 30, height: 20 });
    const dog = t.store.classes.add('dog');
    const cat = t.store.classes.add('cat');
    t.store.classes.reorder([cat.id, dog.id]);
    const first = t.store.objects.add({
      imageId: ids[0]!,
      classId: dog.id,
      rle: rectRle(30, 20, 0, 0, 5, 5),
      source: 'sam',
    });
    const second = t.store.objects.add({
      imageId: ids[0]!,
      classId: cat.id,
      rle: rectRle(30, 20, 10, 10, 5, 5),
      source: 'manual',
    });
    t.store.images.setStatus(ids[0]!, 'done', 'checked');

    expect(source.listClasses().map((c) => c.name)).toEqual(['cat', 'dog']);
    const images = [...source.iterateImages()];
    expect(images.map((i) => i.path)).toEqual(paths);
    expect(images[0]).toEqual({
      id: ids[0],
      key: 'key:a.png',
      path: 'a.png',
      width: 30,
      height: 20,
      status: 'done',
      note: 'checked',
    });
    expect(source.objectsOf(ids[0]!)).toEqual([first.added[0], second.added[0]]);
    expect(source.objectsOf(ids[1]!)).toEqual([]);
  });

  it('releases its caches on demand and keeps working', () => {
    const [imageId] = addImages(t.store, ['a.png'], { width: 30, height: 20 });
    const cls = t.store.classes.add('c');
    for (let i = 0; i < 3; i++) {
      t.store.objects.add({
        imageId: imageId!,
        classId: cls.id,
        rle: rectRle(30, 20, i, i, 8, 8),
        source: 'sam',
      });
    }
    expect(t.store.objects.runsCache.size).toBe(3);
    t.store.releaseMemory();
    expect(t.store.objects.runsCache.size).toBe(0);
    expect(t.store.objects.imageWarnings(imageId!).map((w) => w.kind)).toEqual([
      'small-area',
      'overlap',
      'overlap',
      'small-area',
      'overlap',
      'small-area',
    ]);
    expect(t.store.integrityCheck()).toEqual(['ok']);
  });
});
