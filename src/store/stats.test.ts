import { describe, expect, it } from 'vitest';
import { encodeMask, maskToPolygons, vertexCount } from '../geometry/index.js';
import { randomBlobMask } from '../geometry/testdata/shapes.js';
import {
  addImages,
  projectPerTest,
  rectRle,
  SEED_EXPORT_STATS_FIELDS,
  steppingClock,
} from './test-support.js';

const W = 60;
const H = 40;

// Each clock reading is 20 minutes later: objects spread over hours and days.
const t = projectPerTest({ clock: steppingClock('2024-03-01T22:00:00Z', 20 * 60_000) });

describe('stats', () => {
  it('holds the seed tool’s --export_stats fields and ours, from a known project', () => {
    const [a, b, c, d] = addImages(t.store, ['b.png', 'a.png', 'c.png', 'd.png'], {
      width: W,
      height: H,
    });
    const dog = t.store.classes.add('dog');
    const cat = t.store.classes.add('cat');
    t.store.classes.add('unused');
    const rect = (x: number, w: number) => rectRle(W, H, x, 0, w, 10);
    t.store.objects.add({ imageId: a!, classId: cat.id, rle: rect(0, 10), source: 'sam' });
    t.store.objects.add({ imageId: a!, classId: cat.id, rle: rect(20, 5), source: 'manual' });
    t.store.objects.add({ imageId: b!, classId: dog.id, rle: rect(0, 3), source: 'sam' });
    t.store.objects.add({ imageId: c!, classId: cat.id, rle: rect(0, 2), source: 'import' });
    t.store.images.setStatus(d!, 'faulty');
    t.store.images.setStatus(c!, 'done');

    const stats = t.store.stats({ vertexSample: Infinity });
    expect(Object.keys(stats).slice(0, 6)).toEqual(SEED_EXPORT_STATS_FIELDS);
    expect(stats).toMatchObject({
      total_images: 4,
      total_annotations: 4,
      // Keyed by export index: dog 0, cat 1; the class without objects is left out.
      class_distribution: { '0': 1, '1': 3 },
      // Path order: a.png (b), b.png (a), c.png, d.png.
      objects_per_image: [1, 2, 1, 0],
      avg_vertices_per_mask: 4,
      faulty_count: 1,
      images_by_status: { new: 0, in_progress: 2, done: 1, faulty: 1, broken: 0 },
      annotated_images: 3,
      objects_per_image_histogram: { '0': 1, '1': 2, '2': 1 },
      objects_by_source: { sam: 2, manual: 1, import: 1, default: 0, auto: 0 },
      vertices: { tolerance: 1, measured: 4, total: 4, sampled: false, mean: 4 },
    });
    expect(stats.classes).toEqual([
      {
        id: dog.id,
        name: 'dog',
        color: dog.color,
        index: 0,
        objects: 1,
        images: 1,
        total_area: 30,
        mean_area: 30,
      },
      {
        id: cat.id,
        name: 'cat',
        color: cat.color,
        index: 1,
        objects: 3,
        images: 2,
        total_area: 170,
        mean_area: 170 / 3,
      },
      expect.objectContaining({
        name: 'unused',
        objects: 0,
        images: 0,
        total_area: 0,
        mean_area: null,
      }),
    ]);
    const created = t.store
      .objectsOf(a!)
      .concat(t.store.objectsOf(b!), t.store.objectsOf(c!))
      .map((o) => o.createdAt);
    const days = new Map<string, number>();
    const hours = new Map<string, number>();
    for (const t of created) {
      days.set(t.slice(0, 10), (days.get(t.slice(0, 10)) ?? 0) + 1);
      hours.set(t.slice(0, 13), (hours.get(t.slice(0, 13)) ?? 0) + 1);
    }
    expect(days.size).toBeGreaterThan(1);
    expect(stats.annotation_rate.per_day).toEqual(
      [...days].sort().map(([day, objects]) => ({ day, objects })),
    );
    expect(stats.annotation_rate.per_hour).toEqual(
      [...hours].sort().map(([hour, objects]) => ({ hour, objects })),
    );
    expect(JSON.parse(JSON.stringify(stats))).toEqual(stats);
  });

  it('counts polygon vertices at tolerance 1 as tracing the whole mask does, sampled when asked', () => {
    const [id] = addImages(t.store, ['blobs.png'], { width: 200, height: 150 });
    const cls = t.store.classes.add('blob');
    const counts: number[] = [];
    for (let seed = 1; seed <= 6; seed++) {
      const mask = randomBlobMask(200, 150, seed, { parts: 2, holes: 1, specks: 2 });
      counts.push(vertexCount(maskToPolygons(mask, { tolerance: 1 })));
      t.store.objects.add({ imageId: id!, classId: cls.id, rle: encodeMask(mask), source: 'auto' });
    }
    const all = t.store.stats({ vertexSample: Infinity });
    expect(all.vertices).toMatchObject({ measured: 6, total: 6, sampled: false });
    expect(all.avg_vertices_per_mask).toBeCloseTo(counts.reduce((s, n) => s + n, 0) / 6, 10);
    const sampled = t.store.stats({ vertexSample: 2 });
    // Evenly spread by id: the 1st and the 4th object.
    expect(sampled.vertices).toMatchObject({ measured: 2, total: 6, sampled: true });
    expect(sampled.avg_vertices_per_mask).toBeCloseTo((counts[0]! + counts[3]!) / 2, 10);
    const none = t.store.stats({ vertexSample: 0 });
    expect(none.vertices).toMatchObject({ measured: 0, mean: null });
    expect(none.avg_vertices_per_mask).toBe(0);
    expect(() => t.store.stats({ vertexSample: 1.5 })).toThrow(/vertexSample/);
  });

  it('an empty project has zero everything', () => {
    const stats = t.store.stats();
    expect(stats).toMatchObject({
      total_images: 0,
      total_annotations: 0,
      class_distribution: {},
      objects_per_image: [],
      avg_vertices_per_mask: 0,
      faulty_count: 0,
      annotation_rate: { per_day: [], per_hour: [] },
    });
  });
});
