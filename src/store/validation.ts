import { CONFIG_KEYS } from '../config/keys.js';
import { countsFromString, mergeRuns, runsArea, type RleRuns } from '../geometry/index.js';
import { InvalidValueError } from './errors.js';
import type { ObjectRecord } from './records.js';

/** Thresholds of the quality checks (config keys validation.minArea and validation.maxOverlap). */
export interface ValidationOptions {
  /** Objects with fewer pixels get a warning. */
  minArea: number;
  /** Two objects of one image whose intersection / smaller area exceeds this get a warning. */
  maxOverlap: number;
}

export const DEFAULT_VALIDATION: ValidationOptions = {
  minArea: CONFIG_KEYS['validation.minArea'].default,
  maxOverlap: CONFIG_KEYS['validation.maxOverlap'].default,
};

/**
 * Something worth a second look. Warnings never block a change or drop data: the annotator
 * decides (a tiny object may be real, overlapping masks may be intended).
 */
export type ObjectWarning =
  | { kind: 'small-area'; objectId: number; area: number; minArea: number; message: string }
  | {
      kind: 'overlap';
      objectId: number;
      otherId: number;
      /** Intersection / the smaller of the two areas. */
      overlap: number;
      maxOverlap: number;
      message: string;
    }
  | {
      kind: 'mask-size';
      objectId: number;
      maskSize: [height: number, width: number];
      imageSize: [height: number, width: number];
      message: string;
    };

export function checkValidationOptions(options: Partial<ValidationOptions>): ValidationOptions {
  const merged = { ...DEFAULT_VALIDATION, ...options };
  for (const key of ['minArea', 'maxOverlap'] as const) {
    const parsed = CONFIG_KEYS[`validation.${key}`].schema.safeParse(merged[key]);
    if (!parsed.success) {
      throw new InvalidValueError(
        `validation.${key} must be ${CONFIG_KEYS[`validation.${key}`].allowed}, got ${JSON.stringify(merged[key])}`,
        `validation.${key}`,
        merged[key],
      );
    }
  }
  return merged;
}

/** Intersection over the smaller area, 0 when either mask is empty or their boxes are apart. */
export function overlapRatio(a: ObjectRecord, b: ObjectRecord, runsOf: RunsOf): number {
  const smaller = Math.min(a.area, b.area);
  if (smaller === 0 || boxOverlapArea(a.bbox, b.bbox) === 0) return 0;
  const ra = runsOf(a);
  const rb = runsOf(b);
  if (ra.height !== rb.height || ra.width !== rb.width) return 0;
  return runsArea(mergeRuns([ra, rb], true).counts) / smaller;
}

/** Area of the intersection of two boxes: an upper bound of the masks' intersection. */
function boxOverlapArea(a: ObjectRecord['bbox'], b: ObjectRecord['bbox']): number {
  const w = Math.min(a[0] + a[2], b[0] + b[2]) - Math.max(a[0], b[0]);
  const h = Math.min(a[1] + a[3], b[1] + b[3]) - Math.max(a[1], b[1]);
  return w > 0 && h > 0 ? w * h : 0;
}

/** Whether the pair may overlap by more than `limit`: false is certain, true needs the masks. */
function mayOverlap(a: ObjectRecord, b: ObjectRecord, limit: number): boolean {
  const smaller = Math.min(a.area, b.area);
  return smaller > 0 && boxOverlapArea(a.bbox, b.bbox) > limit * smaller;
}

/** Decoded runs of an object, for intersections. */
export type RunsOf = (object: ObjectRecord) => RleRuns;

/** Default cap of RunsCache: 2 Mi counts (8 MiB), about a thousand typical 1000x800 masks. */
export const RUNS_CACHE_COUNTS = 2 * 1024 * 1024;

/**
 * Decoded runs by object id, least recently used dropped first once the counts held exceed the
 * cap. Decoding a counts string costs about as much as the intersection itself, and every add
 * or update compares the object with all others of its image: without the cache an image with
 * n objects is decoded n times per change. An entry is used only while the object's counts
 * string is unchanged.
 */
export class RunsCache {
  private readonly entries = new Map<number, { counts: string; runs: RleRuns }>();
  private held = 0;

  constructor(private readonly maxCounts = RUNS_CACHE_COUNTS) {}

  readonly runsOf: RunsOf = (object) => {
    const cached = this.entries.get(object.id);
    if (cached && cached.counts === object.rle.counts) {
      this.entries.delete(object.id);
      this.entries.set(object.id, cached);
      return cached.runs;
    }
    const [height, width] = object.rle.size;
    const runs = { height, width, counts: countsFromString(object.rle.counts) };
    this.remember(object.id, object.rle.counts, runs);
    return runs;
  };

  /** Keeps runs already decoded elsewhere (a mask just written). */
  remember(id: number, counts: string, runs: RleRuns): void {
    this.forget(id);
    this.entries.set(id, { counts, runs });
    this.held += runs.counts.length;
    // The newest entry stays even when it alone exceeds the cap.
    for (const oldest of this.entries.keys()) {
      if (this.held <= this.maxCounts || oldest === id) break;
      this.forget(oldest);
    }
  }

  clear(): void {
    this.entries.clear();
    this.held = 0;
  }

  get size(): number {
    return this.entries.size;
  }

  private forget(id: number): void {
    const entry = this.entries.get(id);
    if (!entry) return;
    this.held -= entry.runs.counts.length;
    this.entries.delete(id);
  }
}

/**
 * Warnings of `targets` among the objects of their image (`all`, which may include them).
 * With `pairsOnce`, an overlap between two targets is reported once (under the lower id).
 * Pairs whose boxes cannot overlap enough are never decoded.
 */
export function warningsOf(
  targets: readonly ObjectRecord[],
  all: readonly ObjectRecord[],
  image: { width: number | null; height: number | null },
  options: ValidationOptions,
  runsOf: RunsOf,
  pairsOnce = false,
): ObjectWarning[] {
  const warnings: ObjectWarning[] = [];
  const targetIds = new Set(targets.map((t) => t.id));
  for (const object of targets) {
    const [maskHeight, maskWidth] = object.rle.size;
    if (image.width !== null && image.height !== null) {
      if (maskWidth !== image.width || maskHeight !== image.height) {
        warnings.push({
          kind: 'mask-size',
          objectId: object.id,
          maskSize: [maskHeight, maskWidth],
          imageSize: [image.height, image.width],
          message: `object ${object.id}: its mask is ${maskWidth}x${maskHeight} but the image is now ${image.width}x${image.height} (the file changed)`,
        });
      }
    }
    if (object.area < options.minArea) {
      warnings.push({
        kind: 'small-area',
        objectId: object.id,
        area: object.area,
        minArea: options.minArea,
        message: `object ${object.id} covers ${object.area} pixels, less than validation.minArea (${options.minArea})`,
      });
    }
    for (const other of all) {
      if (other.id === object.id) continue;
      if (pairsOnce && targetIds.has(other.id) && other.id < object.id) continue;
      if (!mayOverlap(object, other, options.maxOverlap)) continue;
      const overlap = overlapRatio(object, other, runsOf);
      if (overlap > options.maxOverlap) {
        warnings.push({
          kind: 'overlap',
          objectId: object.id,
          otherId: other.id,
          overlap,
          maxOverlap: options.maxOverlap,
          message: `objects ${object.id} and ${other.id} overlap by ${(overlap * 100).toFixed(1)}% of the smaller one, more than validation.maxOverlap (${(options.maxOverlap * 100).toFixed(1)}%)`,
        });
      }
    }
  }
  return warnings;
}
