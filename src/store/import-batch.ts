import { describeValue } from '../geometry/errors.js';
import type { ClassStore } from './class-store.js';
import { checkClassName, classNameKey } from './class-values.js';
import { ImportPathError, InvalidValueError, MaskSizeError } from './errors.js';
import type { HistoryLog } from './history-log.js';
import type { ImageStore } from './image-store.js';
import type { ObjectStore } from './object-store.js';
import { checkScore, storedMaskOf, type StoredMask } from './object-values.js';
import type { ImportBatch, ImportedImage } from './records.js';
import { isWholeNumber, writeTransaction, type StoreContext } from './store-context.js';

/**
 * 'merge' adds the imported objects beside the existing ones; 'replace' first removes the
 * existing objects of the images the import names (images it does not name keep theirs). An
 * image named with no objects says "this image has no objects": 'replace' clears it (one undo
 * entry, like any other), 'merge' leaves it as it is.
 */
export type ImportMode = 'merge' | 'replace';

export interface ImportResult {
  format: string;
  mode: ImportMode;
  /** Images the import named. */
  images: number;
  /** Images whose objects changed (each got one undo entry). */
  imagesChanged: number;
  objectsAdded: number;
  /** Existing objects removed by 'replace'. */
  objectsRemoved: number;
  /** Names of the classes the import created. */
  classesAdded: string[];
}

interface CheckedObject {
  classKey: string;
  mask: StoredMask;
  score: number | null;
}

interface CheckedImage {
  index: number;
  path: string;
  width: number;
  height: number;
  objects: CheckedObject[];
}

export interface ImportStores {
  classes: ClassStore;
  images: ImageStore;
  objects: ObjectStore;
  history: HistoryLog;
}

/**
 * Applies what an importer read, in one transaction or not at all: creates missing classes,
 * matches images by relative path, recomputes bbox and area from each RLE, and writes one undo
 * entry per image it changed (so one image's import can be undone alone).
 */
export function applyImport(
  ctx: StoreContext,
  stores: ImportStores,
  batch: ImportBatch,
  options: { mode: ImportMode },
): ImportResult {
  const mode = options?.mode;
  if (mode !== 'merge' && mode !== 'replace') {
    throw new InvalidValueError(
      `mode must be "merge" or "replace", got ${describeValue(mode)}`,
      'mode',
      mode,
    );
  }
  const { format, classNames, images } = checkBatch(batch);
  return writeTransaction(ctx, () => {
    const { classes, added } = stores.classes.addMany(classNames);
    const classIds = new Map(classes.map((c) => [classNameKey(c.name), c.id]));
    const result: ImportResult = {
      format,
      mode,
      images: images.length,
      imagesChanged: 0,
      objectsAdded: 0,
      objectsRemoved: 0,
      classesAdded: added.map((c) => c.name),
    };
    for (const item of images) {
      const image = stores.images.findByPath(item.path);
      if (!image) throw new ImportPathError(item.path, `images[${item.index}].path`, format);
      stores.images.fitMask(image, item, `images[${item.index}] (${item.path})`);
      const existing = mode === 'replace' ? stores.objects.listOf(image.id).map((o) => o.id) : [];
      if (existing.length === 0 && item.objects.length === 0) continue;
      stores.history.record(
        image.id,
        'import',
        existing,
        () => {
          if (existing.length > 0) {
            ctx.db.prepare(`DELETE FROM objects WHERE image_id = ?`).run(image.id);
          }
          return item.objects.map((o) =>
            stores.objects.insertRow(
              image.id,
              classIds.get(o.classKey)!,
              o.mask,
              o.score,
              'import',
              null,
            ),
          );
        },
        format,
      );
      result.imagesChanged++;
      result.objectsAdded += item.objects.length;
      result.objectsRemoved += existing.length;
    }
    return result;
  });
}

/** Checks everything that does not need the database before the transaction starts. */
function checkBatch(batch: ImportBatch): {
  format: string;
  classNames: string[];
  images: CheckedImage[];
} {
  if (typeof batch !== 'object' || batch === null) {
    throw new InvalidValueError(
      `batch must be an object, got ${describeValue(batch)}`,
      'batch',
      batch,
    );
  }
  const format = batch.format;
  if (typeof format !== 'string' || format === '') {
    throw new InvalidValueError(
      `batch.format must name the import format, got ${describeValue(format)}`,
      'format',
      format,
    );
  }
  if (!Array.isArray(batch.classes) || !Array.isArray(batch.images)) {
    throw new InvalidValueError(
      `batch.classes and batch.images must be arrays (the ${format} import)`,
      Array.isArray(batch.classes) ? 'images' : 'classes',
    );
  }
  const classNames = batch.classes.map((name, i) => checkClassName(name, `classes[${i}]`));
  const seenPaths = new Map<string, number>();
  const images = batch.images.map((image, i) => {
    const checked = checkImage(image, i);
    const earlier = seenPaths.get(checked.path);
    if (earlier !== undefined) {
      throw new InvalidValueError(
        `images[${i}].path ${JSON.stringify(checked.path)} appears twice in the ${format} import (also images[${earlier}])`,
        `images[${i}].path`,
        checked.path,
      );
    }
    seenPaths.set(checked.path, i);
    return checked;
  });
  // Objects may name classes the file's class list left out: they are created too, after it.
  const known = new Set(classNames.map(classNameKey));
  batch.images.forEach((image, i) =>
    image.objects.forEach((object, j) => {
      const name = checkClassName(object.className, `images[${i}].objects[${j}].className`);
      if (!known.has(classNameKey(name))) {
        known.add(classNameKey(name));
        classNames.push(name);
      }
    }),
  );
  return { format, classNames, images };
}

function checkImage(image: ImportedImage, i: number): CheckedImage {
  const field = `images[${i}]`;
  if (typeof image?.path !== 'string' || image.path === '') {
    throw new InvalidValueError(
      `${field}.path must be a relative path, got ${describeValue(image?.path)}`,
      `${field}.path`,
      image?.path,
    );
  }
  for (const side of ['width', 'height'] as const) {
    if (!isWholeNumber(image[side], 1)) {
      throw new InvalidValueError(
        `${field}.${side} (${image.path}) must be a whole number of pixels >= 1, got ${describeValue(image[side])}`,
        `${field}.${side}`,
        image[side],
      );
    }
  }
  if (!Array.isArray(image.objects)) {
    throw new InvalidValueError(
      `${field}.objects (${image.path}) must be an array, got ${describeValue(image.objects)}`,
      `${field}.objects`,
      image.objects,
    );
  }
  const objects = image.objects.map((object, j): CheckedObject => {
    const objectField = `${field}.objects[${j}]`;
    const mask = storedMaskOf(object?.rle, `${objectField}.rle`);
    if (mask.width !== image.width || mask.height !== image.height) {
      throw new MaskSizeError(
        `${objectField}.rle.size`,
        [mask.height, mask.width],
        [image.height, image.width],
        `${JSON.stringify(image.path)} of the import`,
      );
    }
    return {
      classKey: classNameKey(checkClassName(object.className, `${objectField}.className`)),
      mask,
      score: checkScore(object.score, `${objectField}.score`),
    };
  });
  return { index: i, path: image.path, width: image.width, height: image.height, objects };
}
