/**
 * COCO instance annotations (instances_*.json). Masks come from `segmentation`: RLE with
 * compressed (string) or uncompressed (number list) counts, or polygons, rasterised by pixel
 * centres at the image size and joined as pycocotools joins them (each polygon filled on its
 * own, then united). Annotations without segmentation but with a bbox become rectangle masks.
 * The file's `area` and `bbox` are never used: for crowd annotations they do not even come from
 * the RLE; the store derives both from the mask.
 */
import path from 'node:path';
import { parseRle, rasterizeRings, type Bitmap, type RleRuns } from '../../geometry/index.js';
import { BatchBuilder, type ImportResult } from './batch-builder.js';
import { datasetRelative, imageSizesFor, type ImageSize, type ImportContext } from './context.js';
import { ImportError, describeValue, withGeometry } from './errors.js';
import { DatasetImageLookup } from './image-match.js';
import { parseJson } from './json-syntax.js';
import type { UnmatchedPolicy } from './label-files.js';
import { decodeUtf8, formatBytes, readInputBytes } from './read-input.js';

/**
 * The file is read whole and parsed with JSON.parse, which needs several times its size in
 * memory (and V8 strings stop at 512 MiB): larger files are refused with this limit named.
 */
export const COCO_MAX_BYTES = 256 * 1024 * 1024;

export interface CocoImportOptions {
  maxBytes?: number;
  unmatched?: UnmatchedPolicy;
}

type Json = Record<string, unknown>;

interface CocoImage {
  relPath: string;
  field: string;
  declared: { width: unknown; height: unknown };
}

export async function importCoco(
  file: string,
  ctx: ImportContext,
  options: CocoImportOptions = {},
): Promise<ImportResult> {
  const maxBytes = options.maxBytes ?? COCO_MAX_BYTES;
  const bytes = await readInputBytes(
    file,
    maxBytes,
    `COCO files are parsed whole; split a larger file, e.g. by image folder (limit ${formatBytes(maxBytes)})`,
  );
  const root = parseJson(decodeUtf8(bytes, file), file);
  const at = (field: string, expected: string, value: unknown): ImportError =>
    new ImportError({ file, field }, expected, describeValue(value));
  if (Array.isArray(root)) {
    throw new ImportError(
      { file },
      'a COCO instances object {images, annotations, categories}',
      'a list (a COCO results file needs its instances file: import that)',
    );
  }
  if (!isObject(root))
    throw at('(top level)', 'a COCO instances object {images, annotations, categories}', root);
  for (const key of ['images', 'annotations', 'categories']) {
    if (!Array.isArray(root[key])) throw at(key, 'a list', root[key]);
  }
  const builder = new BatchBuilder('coco');
  const categories = readCategories(root.categories as unknown[], file, builder);
  const imagesById = await readImages(
    root.images as unknown[],
    file,
    ctx,
    builder,
    options.unmatched ?? 'error',
  );

  (root.annotations as unknown[]).forEach((a, i) => {
    const field = `annotations[${i}]`;
    if (!isObject(a)) throw at(field, 'an annotation object', a);
    const image = imagesById.get(idKey(a.image_id));
    if (image === undefined)
      throw at(`${field}.image_id`, 'the id of an entry of images', a.image_id);
    if (image === null) {
      builder.tally('annotations of images not in the dataset were left out', field);
      return;
    }
    const className = categories.get(idKey(a.category_id));
    if (className === undefined)
      throw at(`${field}.category_id`, 'the id of an entry of categories', a.category_id);
    let score: number | null = null;
    if (a.score !== undefined && a.score !== null) {
      if (typeof a.score !== 'number' || !Number.isFinite(a.score))
        throw at(`${field}.score`, 'a number', a.score);
      score = a.score;
    }
    if (a.iscrowd === 1)
      builder.tally('crowd annotations (iscrowd 1) imported as ordinary objects', field);
    const mask = annotationMask(a, field, file, image.size, builder);
    builder.addObject(image.relPath, className, mask, field, score);
  });
  return builder.build();
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** COCO ids are whole numbers; some tools write strings. Keys keep 1 and "1" apart. */
function idKey(id: unknown): string | null {
  if (typeof id === 'number' && Number.isSafeInteger(id)) return `n${id}`;
  if (typeof id === 'string' && id !== '') return `s${id}`;
  return null;
}

function readCategories(
  list: unknown[],
  file: string,
  builder: BatchBuilder,
): Map<string | null, string> {
  const byId = new Map<string | null, string>();
  const byName = new Map<string, number>();
  list.forEach((c, i) => {
    const field = `categories[${i}]`;
    if (!isObject(c))
      throw new ImportError({ file, field }, 'a category object {id, name}', describeValue(c));
    const key = idKey(c.id);
    if (key === null)
      throw new ImportError(
        { file, field: `${field}.id` },
        'a whole-number id',
        describeValue(c.id),
      );
    if (byId.has(key))
      throw new ImportError(
        { file, field: `${field}.id` },
        'an id no other category has',
        describeValue(c.id),
      );
    if (typeof c.name !== 'string' || c.name.trim() === '') {
      throw new ImportError(
        { file, field: `${field}.name` },
        'a non-empty name',
        describeValue(c.name),
      );
    }
    const name = c.name.trim();
    const first = byName.get(name.toLowerCase());
    if (first !== undefined) {
      builder.note(
        `${field} ${JSON.stringify(name)} has the name of categories[${first}]: both are one class`,
      );
    } else byName.set(name.toLowerCase(), i);
    byId.set(key, name);
    builder.addClass(name);
  });
  return byId;
}

/** Images by id key: the matched dataset image with its size, or null when left out. */
async function readImages(
  list: unknown[],
  file: string,
  ctx: ImportContext,
  builder: BatchBuilder,
  unmatched: UnmatchedPolicy,
): Promise<Map<string | null, { relPath: string; size: ImageSize } | null>> {
  const lookup = new DatasetImageLookup(ctx.images.keys());
  const baseDir = datasetRelative(ctx, path.dirname(file));
  const keys: (string | null)[] = [];
  const matched: CocoImage[] = [];
  const seenKeys = new Set<string | null>();
  const byPath = new Map<string, string>();
  const result = new Map<string | null, { relPath: string; size: ImageSize } | null>();
  list.forEach((im, i) => {
    const field = `images[${i}]`;
    if (!isObject(im))
      throw new ImportError(
        { file, field },
        'an image object {id, file_name, width, height}',
        describeValue(im),
      );
    const key = idKey(im.id);
    if (key === null)
      throw new ImportError(
        { file, field: `${field}.id` },
        'a whole-number id',
        describeValue(im.id),
      );
    if (seenKeys.has(key))
      throw new ImportError(
        { file, field: `${field}.id` },
        'an id no other image has',
        describeValue(im.id),
      );
    seenKeys.add(key);
    if (typeof im.file_name !== 'string' || im.file_name === '') {
      throw new ImportError(
        { file, field: `${field}.file_name` },
        'a file name',
        describeValue(im.file_name),
      );
    }
    for (const side of ['width', 'height'] as const) {
      const v = im[side];
      if (v !== undefined && !(typeof v === 'number' && Number.isSafeInteger(v) && v > 0)) {
        throw new ImportError(
          { file, field: `${field}.${side}` },
          'a whole number of pixels above 0',
          describeValue(v),
        );
      }
    }
    const match = lookup.matchFileName(im.file_name, baseDir);
    if (match.kind === 'ambiguous') {
      throw new ImportError(
        { file, field: `${field}.file_name` },
        'a file name that selects one dataset image',
        `${JSON.stringify(im.file_name)}, which ${match.candidates.length} images share: ${match.candidates.slice(0, 5).join(', ')}`,
      );
    }
    if (match.kind === 'none') {
      if (unmatched === 'skip') {
        builder.tally(
          'images not in the dataset were left out',
          `${field} ${JSON.stringify(im.file_name)}`,
        );
        result.set(key, null);
        return;
      }
      throw new ImportError(
        { file, field: `${field}.file_name` },
        'the path or the name of an image in the dataset',
        `${JSON.stringify(im.file_name)}, which matches none`,
      );
    }
    const other = byPath.get(match.path);
    if (other !== undefined) {
      throw new ImportError(
        { file, field: `${field}.file_name` },
        `one entry per image, but ${other} is ${match.path} too`,
        JSON.stringify(im.file_name),
      );
    }
    byPath.set(match.path, field);
    keys.push(key);
    matched.push({ relPath: match.path, field, declared: { width: im.width, height: im.height } });
  });
  const sizes = await imageSizesFor(
    ctx,
    matched.map((m) => ({ relPath: m.relPath, where: { file, field: m.field } })),
  );
  matched.forEach((m, k) => {
    const size = sizes[k]!;
    const { width, height } = m.declared;
    if (
      (width !== undefined && width !== size.width) ||
      (height !== undefined && height !== size.height)
    ) {
      const turned =
        width === size.height && height === size.width ? ' (turned by EXIF orientation?)' : '';
      throw new ImportError(
        { file, field: m.field },
        `the size of ${m.relPath}, ${size.width} x ${size.height}`,
        `${String(width)} x ${String(height)}${turned}`,
      );
    }
    builder.claimImage(m.relPath, size, m.field);
    result.set(keys[k]!, { relPath: m.relPath, size });
  });
  return result;
}

/** Polygon points may sit this far outside the image (tools round outwards); more is an error. */
function margin(side: number): number {
  return Math.max(2, side * 0.01);
}

function annotationMask(
  a: Json,
  field: string,
  file: string,
  size: ImageSize,
  builder: BatchBuilder,
): Bitmap | RleRuns {
  const seg = a.segmentation;
  const where = { file, field: `${field}.segmentation` };
  if (seg === undefined || seg === null || (Array.isArray(seg) && seg.length === 0)) {
    builder.tally('annotations without segmentation imported as their bbox rectangle', field);
    return bboxMask(a.bbox, file, `${field}.bbox`, size);
  }
  if (Array.isArray(seg)) {
    if (typeof seg[0] === 'number') {
      throw new ImportError(
        where,
        'a list of polygons [[x1, y1, x2, y2, ...], ...]',
        'one flat list of numbers (wrap it in [ ])',
      );
    }
    const rings = seg.map((ring: unknown, j) =>
      checkRing(ring, file, `${field}.segmentation[${j}]`, size),
    );
    return withGeometry(where, () => rasterizeRings(rings, size, 'union'));
  }
  if (isObject(seg)) {
    const declared = seg.size;
    if (
      Array.isArray(declared) &&
      declared.length === 2 &&
      (declared[0] !== size.height || declared[1] !== size.width)
    ) {
      throw new ImportError(
        { file, field: `${field}.segmentation.size` },
        `[height, width] of the image, [${size.height}, ${size.width}]`,
        describeValue(declared),
      );
    }
    const runs = withGeometry(where, () => parseRle(seg, where.field));
    if (runs.height !== size.height || runs.width !== size.width) {
      throw new ImportError(
        { file, field: `${field}.segmentation.size` },
        `[${size.height}, ${size.width}]`,
        describeValue(seg.size),
      );
    }
    return runs;
  }
  throw new ImportError(where, 'polygons (a list) or an RLE {size, counts}', describeValue(seg));
}

function checkRing(ring: unknown, file: string, field: string, size: ImageSize): number[] {
  if (!Array.isArray(ring) || ring.length < 6 || ring.length % 2 !== 0) {
    throw new ImportError(
      { file, field },
      'a polygon [x1, y1, x2, y2, ...] of at least 3 points',
      describeValue(ring),
    );
  }
  ring.forEach((v: unknown, k) => {
    const side = k % 2 === 0 ? size.width : size.height;
    if (
      typeof v !== 'number' ||
      !Number.isFinite(v) ||
      v < -margin(side) ||
      v > side + margin(side)
    ) {
      throw new ImportError(
        { file, field: `${field}[${k}]` },
        `a ${k % 2 === 0 ? 'x' : 'y'} coordinate within 0..${side}`,
        describeValue(v),
      );
    }
  });
  return ring as number[];
}

function bboxMask(bbox: unknown, file: string, field: string, size: ImageSize): Bitmap {
  if (
    !Array.isArray(bbox) ||
    bbox.length !== 4 ||
    !bbox.every((v) => typeof v === 'number' && Number.isFinite(v))
  ) {
    throw new ImportError(
      { file, field },
      'segmentation, or a bbox [x, y, width, height]',
      describeValue(bbox),
    );
  }
  const [x, y, w, h] = bbox as [number, number, number, number];
  if (!(w > 0 && h > 0))
    throw new ImportError({ file, field }, 'a bbox width and height above 0', describeValue(bbox));
  const ring = checkRing([x, y, x + w, y, x + w, y + h, x, y + h], file, field, size);
  return withGeometry({ file, field }, () => rasterizeRings([ring], size));
}
