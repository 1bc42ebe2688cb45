import { countsFromString, decodeRuns, maskToPolygons, vertexCount } from '../geometry/index.js';
import { InvalidValueError } from './errors.js';
import { IMAGE_STATUSES, OBJECT_SOURCES, type ImageStatus, type ObjectSource } from './records.js';
import type { StoreContext } from './store-context.js';

export interface StatsOptions {
  /**
   * How many objects have their polygon vertices counted, spread evenly over all objects by id.
   * Each costs a full decode and trace of its mask (about 5-20 ms at 1000x800), so the default
   * is a sample of 100 (an estimate); Infinity counts every object (minutes on a project of
   * 100,000 objects); 0 skips the count.
   */
  vertexSample?: number;
}

export const DEFAULT_VERTEX_SAMPLE = 100;
/** Simplification tolerance of the counted polygons, in pixels (what exports use by default). */
export const VERTEX_TOLERANCE = 1;

export interface ClassStats {
  id: number;
  name: string;
  color: string;
  /** 0-based export index (YOLO class id). */
  index: number;
  objects: number;
  /** Images with at least one object of the class. */
  images: number;
  total_area: number;
  /** null without objects. */
  mean_area: number | null;
}

/**
 * The project's statistics as one JSON document: a superset of the seed tool's
 * `--export_stats` file (utils/standalone_viz.py export_dataset_stats: total_images,
 * total_annotations, class_distribution, objects_per_image, avg_vertices_per_mask,
 * faulty_count), with those fields first and their meaning kept.
 */
export interface ProjectStats {
  /** Images in the project. */
  total_images: number;
  /** Objects in the project. */
  total_annotations: number;
  /** Objects per class, keyed by the 0-based export index as the seed keyed by YOLO class id; classes without objects are left out, as in the seed. */
  class_distribution: Record<string, number>;
  /** Objects of each image, images in path order. */
  objects_per_image: number[];
  /** Mean vertex count of an object's polygons (tolerance 1 px, every ring); 0 when none measured. */
  avg_vertices_per_mask: number;
  /** Images with status "faulty". */
  faulty_count: number;

  generated_at: string;
  images_by_status: Record<ImageStatus, number>;
  /** Images with at least one object. */
  annotated_images: number;
  classes: ClassStats[];
  /** How many images have n objects, keyed by n. */
  objects_per_image_histogram: Record<string, number>;
  objects_by_source: Record<ObjectSource, number>;
  vertices: {
    tolerance: number;
    /** Objects measured ... */
    measured: number;
    /** ... out of. */
    total: number;
    sampled: boolean;
    mean: number | null;
  };
  /** Objects that exist now, by the UTC day and hour they were created. */
  annotation_rate: {
    per_day: { day: string; objects: number }[];
    per_hour: { hour: string; objects: number }[];
  };
}

export function projectStats(ctx: StoreContext, options: StatsOptions = {}): ProjectStats {
  const sample = options.vertexSample ?? DEFAULT_VERTEX_SAMPLE;
  if (!(sample >= 0) || (Number.isFinite(sample) && !Number.isInteger(sample))) {
    throw new InvalidValueError(
      `vertexSample must be a whole number >= 0 or Infinity, got ${String(sample)}`,
      'vertexSample',
      sample,
    );
  }
  const db = ctx.db;
  // One read transaction: every figure comes from the same snapshot.
  return db.transaction(() => {
    const perImage = db
      .prepare(
        `SELECT (SELECT count(*) FROM objects o WHERE o.image_id = i.id) FROM images i ORDER BY i.path`,
      )
      .pluck()
      .all() as number[];
    const histogram: Record<string, number> = {};
    for (const n of perImage) histogram[n] = (histogram[n] ?? 0) + 1;
    const classes = classStats(ctx);
    const byStatus = countBy<ImageStatus>(
      ctx,
      `SELECT status, count(*) FROM images GROUP BY status`,
      IMAGE_STATUSES,
    );
    const vertices = measureVertices(ctx, sample);
    return {
      total_images: perImage.length,
      total_annotations: classes.reduce((n, c) => n + c.objects, 0),
      class_distribution: Object.fromEntries(
        classes.filter((c) => c.objects > 0).map((c) => [String(c.index), c.objects]),
      ),
      objects_per_image: perImage,
      avg_vertices_per_mask: vertices.mean ?? 0,
      faulty_count: byStatus.faulty,
      generated_at: ctx.now(),
      images_by_status: byStatus,
      annotated_images: perImage.filter((n) => n > 0).length,
      classes,
      objects_per_image_histogram: histogram,
      objects_by_source: countBy<ObjectSource>(
        ctx,
        `SELECT source, count(*) FROM objects GROUP BY source`,
        OBJECT_SOURCES,
      ),
      vertices,
      annotation_rate: {
        per_day: rate(ctx, 10).map(([day, objects]) => ({ day, objects })),
        per_hour: rate(ctx, 13).map(([hour, objects]) => ({ hour, objects })),
      },
    };
  })();
}

function classStats(ctx: StoreContext): ClassStats[] {
  return ctx.db
    .prepare(
      `SELECT c.id, c.name, c.color, c.position AS "index", count(o.id) AS objects,
         count(DISTINCT o.image_id) AS images, coalesce(sum(o.area), 0) AS total_area,
         avg(o.area) AS mean_area
       FROM classes c LEFT JOIN objects o ON o.class_id = c.id
       GROUP BY c.id ORDER BY c.position, c.id`,
    )
    .all() as ClassStats[];
}

function countBy<K extends string>(
  ctx: StoreContext,
  sql: string,
  keys: readonly K[],
): Record<K, number> {
  const counts = Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
  for (const [key, n] of ctx.db.prepare(sql).raw().all() as [K, number][]) counts[key] = n;
  return counts;
}

/** Objects by the first `length` characters of created_at: 10 = "YYYY-MM-DD", 13 adds "THH". */
function rate(ctx: StoreContext, length: 10 | 13): [string, number][] {
  return ctx.db
    .prepare(
      `SELECT substr(created_at, 1, ?) AS bucket, count(*) FROM objects GROUP BY bucket ORDER BY bucket`,
    )
    .raw()
    .all(length) as [string, number][];
}

function measureVertices(ctx: StoreContext, sample: number): ProjectStats['vertices'] {
  const ids = ctx.db.prepare(`SELECT id FROM objects ORDER BY id`).pluck().all() as number[];
  const take = Math.min(sample, ids.length);
  const read = ctx.db.prepare(`SELECT rle_height, rle_width, rle_counts FROM objects WHERE id = ?`);
  let vertices = 0;
  for (let k = 0; k < take; k++) {
    const row = read.get(ids[Math.floor((k * ids.length) / take)]!) as {
      rle_height: number;
      rle_width: number;
      rle_counts: string;
    };
    const mask = decodeRuns({
      height: row.rle_height,
      width: row.rle_width,
      counts: countsFromString(row.rle_counts),
    });
    // The whole mask, not a crop of its box: simplification ties (a distance of exactly the
    // tolerance is common on a pixel grid) break differently once coordinates shift, and the
    // count should be the one an export of this mask produces.
    vertices += vertexCount(maskToPolygons(mask, { tolerance: VERTEX_TOLERANCE }));
  }
  return {
    tolerance: VERTEX_TOLERANCE,
    measured: take,
    total: ids.length,
    sampled: take < ids.length,
    mean: take > 0 ? vertices / take : null,
  };
}
