import { RleError, parseRle, type RleRuns, type Size } from '../../geometry/index.js';
import type {
  AnnotationSource,
  ClassRecord,
  ImageRecord,
  ObjectRecord,
} from '../../store/records.js';
import { ExportError, objectField } from './errors.js';
import type { ExportOptions } from './types.js';

/** The project's classes in export order, with each class id's 0-based index. */
export interface ExportClasses {
  list: readonly ClassRecord[];
  indexOf: ReadonlyMap<number, number>;
}

export interface ExportObject {
  record: ObjectRecord;
  /** 0-based position of its class in ExportClasses.list. */
  classIndex: number;
  /** The mask, checked: its size is the image's. */
  runs: RleRuns;
}

export interface ExportImage {
  record: ImageRecord;
  width: number;
  height: number;
  objects: ExportObject[];
}

export function exportClasses(source: AnnotationSource): ExportClasses {
  const list = [...source.listClasses()].sort((a, b) => a.position - b.position || a.id - b.id);
  return { list, indexOf: new Map(list.map((c, i) => [c.id, i])) };
}

/**
 * The images of `source` one at a time, each with its checked objects: a mask that cannot be
 * read, a mask of another size than its image, or an unknown class is an ExportError naming
 * the image and object. Reports progress after the caller is done with each image, and stops
 * with an AbortError when the signal fires.
 */
export async function* readImages(
  source: AnnotationSource,
  classes: ExportClasses,
  options: ExportOptions,
): AsyncGenerator<ExportImage> {
  let total = 0;
  for (const _ of source.iterateImages()) total++;
  let done = 0;
  options.onProgress?.({ done, total });
  for (const record of source.iterateImages()) {
    options.signal?.throwIfAborted();
    const objects = source
      .objectsOf(record.id)
      .map((object) => checkObject(record, object, classes));
    const size = await imageSize(record, objects, options);
    for (const object of objects) checkMaskSize(record, object, size);
    yield { record, width: size.width, height: size.height, objects };
    done++;
    options.onProgress?.({ done, total });
  }
}

function checkObject(
  image: ImageRecord,
  object: ObjectRecord,
  classes: ExportClasses,
): ExportObject {
  const field = objectField(image.path, object.id);
  const classIndex = classes.indexOf.get(object.classId);
  if (classIndex === undefined) {
    throw new ExportError(
      `${field}: class id ${object.classId} is not one of the project's classes`,
      `${field}.classId`,
      object.classId,
    );
  }
  try {
    return { record: object, classIndex, runs: parseRle(object.rle, `${field}.rle`) };
  } catch (err) {
    if (err instanceof RleError) {
      throw new ExportError(`cannot export a damaged mask: ${err.message}`, err.field, err.value, {
        cause: err,
      });
    }
    throw err;
  }
}

async function imageSize(
  image: ImageRecord,
  objects: readonly ExportObject[],
  options: ExportOptions,
): Promise<Size> {
  if (image.width !== null && image.height !== null) {
    return checkedSize({ width: image.width, height: image.height }, image, 'record');
  }
  const asked = options.imageSize ? await options.imageSize(image) : null;
  if (asked) return checkedSize(asked, image, 'imageSize()');
  const first = objects[0];
  if (first) return { width: first.runs.width, height: first.runs.height };
  throw new ExportError(
    `images[${image.path}]: size unknown (its header was never read and it has no objects); open the image once or pass imageSize`,
    `images[${image.path}].width`,
    null,
  );
}

function checkedSize(size: Size, image: ImageRecord, from: string): Size {
  for (const side of ['width', 'height'] as const) {
    const v = size[side];
    if (!Number.isSafeInteger(v) || v < 1) {
      throw new ExportError(
        `images[${image.path}].${side} must be a whole number >= 1 (from ${from}), got ${String(v)}`,
        `images[${image.path}].${side}`,
        v,
      );
    }
  }
  return { width: size.width, height: size.height };
}

function checkMaskSize(image: ImageRecord, object: ExportObject, size: Size): void {
  const { width, height } = object.runs;
  if (width !== size.width || height !== size.height) {
    const field = objectField(image.path, object.record.id);
    throw new ExportError(
      `${field}: mask is ${width}x${height} but the image is ${size.width}x${size.height}`,
      `${field}.rle.size`,
      [height, width],
    );
  }
}
