import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED_EXPORT_STATS_FIELDS } from '../../store/test-support.js';
import { EXIT } from '../io.js';
import { annotate, photoDataset, PHOTOS, run, tempRoot } from './project-test-support.js';

const root = tempRoot('sam-cli-stats-');
let dataset: string;
beforeAll(() => {
  dataset = photoDataset(root.path, 'photos');
  annotate(dataset);
});
afterAll(() => root.cleanup());

/** The areas annotate() draws: horse 200x150; coins 60x60 less a 20x20 hole, and 40x50; rocket 30x380. */
const AREAS = { horse: 30_000, coin: 3_600 - 400 + 2_000, rocket: 11_400 };

describe('sam-annotator stats', () => {
  it("prints the seed tool's --export_stats fields first, then per-class areas, statuses and rate", async () => {
    const { code, out } = await run('stats', dataset, '--json');
    expect(code).toBe(EXIT.ok);
    const stats = JSON.parse(out);
    expect(Object.keys(stats).slice(0, 6)).toEqual(SEED_EXPORT_STATS_FIELDS);
    // Images in path order: chelsea.png, horse.png, sub/coins.png, sub/deeper/rocket.jpg.
    expect(stats).toMatchObject({
      total_images: 4,
      total_annotations: 4,
      class_distribution: { '0': 1, '1': 2, '2': 1 },
      objects_per_image: [0, 1, 2, 1],
      faulty_count: 0,
      annotated_images: 3,
      images_by_status: { new: 1, in_progress: 3, done: 0, faulty: 0, broken: 0 },
      objects_per_image_histogram: { '0': 1, '1': 2, '2': 1 },
      objects_by_source: { manual: 4 },
      vertices: { tolerance: 1, measured: 4, total: 4, sampled: false },
    });
    // Rectangles have 4 corners; the coin with a hole has two rings of 4.
    expect(stats.avg_vertices_per_mask).toBe((4 + 8 + 4 + 4) / 4);
    expect(
      stats.classes.map((c: { name: string; total_area: number }) => [c.name, c.total_area]),
    ).toEqual(Object.entries(AREAS));
    const days = stats.annotation_rate.per_day;
    expect(
      days.map((d: { objects: number }) => d.objects).reduce((a: number, b: number) => a + b),
    ).toBe(4);
    for (const { day } of days) expect(day).toMatch(/^\d{4}-\d\d-\d\d$/);
  });

  it('counts vertices of a sample, of none or of all objects as asked', async () => {
    const none = JSON.parse((await run('stats', dataset, '--json', '--vertex-sample', '0')).out);
    expect(none.vertices).toMatchObject({ measured: 0, total: 4, sampled: true, mean: null });
    expect(none.avg_vertices_per_mask).toBe(0);
    const two = JSON.parse((await run('stats', dataset, '--json', '--vertex-sample', '2')).out);
    expect(two.vertices).toMatchObject({ measured: 2, sampled: true });
    const all = JSON.parse((await run('stats', dataset, '--json', '--vertex-sample', 'all')).out);
    expect(all.vertices).toMatchObject({ measured: 4, sampled: false, mean: 5 });
    for (const bad of ['-1', '1.5', 'some']) {
      const refused = await run('stats', dataset, '--vertex-sample', bad);
      expect(refused.code).toBe(EXIT.usage);
      expect(refused.err).toContain(`"${bad}"`);
    }
  });

  it('prints a readable summary', async () => {
    const { code, out } = await run('stats', dataset);
    expect(code).toBe(EXIT.ok);
    const lines = out.split('\n');
    expect(lines[0]).toBe(`${dataset}: 4 images (3 annotated), 4 objects in 3 classes`);
    expect(lines[1]).toBe('images by status: new 1, in_progress 3, done 0, faulty 0, broken 0');
    expect(out).toMatch(/^ +1 {2}coin +2 +1 +5200 +2600\.0$/m);
    expect(out).toContain('images by object count (objects: images): 0: 1, 1: 2, 2: 1');
    expect(out).toContain('objects by source: manual 4');
    expect(out).toContain('polygon vertices per object: 5.0 (tolerance 1 px, all 4 objects)');
    expect(out).toMatch(
      /annotation rate: [\d.]+ objects per active day over \d+ days?\n {2}\d{4}-\d\d-\d\d {2}\d+\n/,
    );
  });

  it('counts the images of a dataset nobody has annotated yet', async () => {
    const fresh = photoDataset(root.path, 'fresh');
    const stats = JSON.parse((await run('stats', fresh, '--json')).out);
    expect(stats).toMatchObject({
      total_images: Object.keys(PHOTOS).length,
      total_annotations: 0,
      class_distribution: {},
      avg_vertices_per_mask: 0,
      classes: [],
    });
    const text = await run('stats', fresh);
    expect(text.out).toContain('0 objects in 0 classes');
    expect(text.out).not.toContain('annotation rate');
  });
});
