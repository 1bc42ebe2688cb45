import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { AnnotationSource, ClassRecord } from '../../store/records.js';
import { ExportError } from './errors.js';
import { exportClasses, readImages } from './export-images.js';
import { detectionLines, labelFileText, polygonLines } from './label-lines.js';
import { OutputClaims, checkListablePath, yoloLabelPath } from './label-paths.js';
import { runExport, splitsOption, toleranceOption } from './run-export.js';
import { splitOf, type SplitSpec } from './splits.js';
import type { StagedDirectory, TextFile } from './staged-directory.js';
import type { ExportResult, YoloExportOptions } from './types.js';
import { plural, type ExportWarnings } from './warnings.js';

export type YoloTask = 'detect' | 'segment';

/** Extensions Ultralytics loads (IMG_FORMATS in every release since 8.0); it skips other files. */
const ULTRALYTICS_IMAGE_EXTENSIONS = new Set([
  'bmp',
  'dng',
  'jpeg',
  'jpg',
  'mpo',
  'png',
  'tif',
  'tiff',
  'webp',
]);

/** The split names data.yaml can point at; other splits only get their list file. */
const YAML_SPLITS = ['train', 'val', 'test'] as const;

/**
 * An Ultralytics YOLO dataset (detection boxes or segmentation polygons):
 *
 *   data.yaml                 path (absolute), train/val(/test) lists, names as id -> name
 *   train.txt (val.txt ...)   one `./images/<image path>` per line
 *   images/<image path>       links to the dataset's images (copies with copyImages)
 *   labels/<folders>/<stem>.txt
 *
 * Ultralytics finds a label by swapping the last `/images/` of the image's path for `/labels/`,
 * so the images must sit under the export's images/ folder: linked, not referenced by their
 * dataset paths (a label beside the dataset image would be needed otherwise). Folders are
 * mirrored, so equal names in different folders never collide.
 */
export async function exportYolo(
  source: AnnotationSource,
  destination: string,
  task: YoloTask,
  options: YoloExportOptions,
): Promise<ExportResult> {
  if (task !== 'detect' && task !== 'segment') {
    throw new ExportError(`task must be "detect" or "segment", got ${String(task)}`, 'task', task);
  }
  const root = datasetRootOption(options.datasetRoot);
  const tolerance = toleranceOption(options.tolerance);
  const splits = splitsOption(options.splits);
  if (splits && !splits.some((s) => s.name === 'train')) {
    throw new ExportError(
      'splits must include "train": Ultralytics needs a train list',
      'splits',
      options.splits,
    );
  }
  const format = task === 'detect' ? 'yolo-det' : 'yolo-seg';
  return runExport(format, destination, options, async ({ dir, warnings }) => {
    const classes = exportClasses(source);
    const names = splits ? splits.map((s) => s.name) : ['train'];
    const lists = new Map<string, { file: TextFile; count: number }>();
    for (const name of names)
      lists.set(name, { file: await dir.openText(`${name}.txt`), count: 0 });
    const labels = new OutputClaims('the label');
    let images = 0;
    let objects = 0;
    for await (const image of readImages(source, classes, options)) {
      const imagePath = image.record.path;
      checkListablePath(imagePath, 'the YOLO image list');
      const labelPath = yoloLabelPath(imagePath);
      labels.claim(labelPath, imagePath);
      warnUnloadable(imagePath, warnings);
      const lines =
        task === 'detect'
          ? detectionLines(image, warnings)
          : polygonLines(image, tolerance, warnings, 'YOLO segmentation');
      await dir.writeFile(labelPath, labelFileText(lines));
      const inExport = `images/${imagePath}`;
      await placeImage(dir, path.join(root, ...imagePath.split('/')), inExport, options, warnings);
      const list = lists.get(splits ? splitOf(imagePath, splits) : 'train')!;
      list.file.write(`${listEntry(inExport, dir.destination)}\n`);
      list.count++;
      await list.file.flushIfFull();
      objects += lines.length;
      images++;
    }
    for (const [name, list] of lists) {
      if (list.count === 0) {
        warnings.note(
          `empty-split-${name}`,
          `split "${name}" has no images: Ultralytics refuses an empty ${name}.txt`,
        );
      }
    }
    if (splits && !splits.some((s) => s.name === 'val')) {
      warnings.note('no-val', 'no "val" split: data.yaml validates on the train list');
    }
    await dir.writeFile('data.yaml', dataYaml(dir.destination, splits, classes.list, task));
    return { images, objects };
  });
}

/**
 * Links (or copies) one dataset image into images/. A missing image is linked anyway, with a
 * warning (the annotations are still worth having); it cannot be copied.
 */
async function placeImage(
  dir: StagedDirectory,
  original: string,
  inExport: string,
  options: YoloExportOptions,
  warnings: ExportWarnings,
): Promise<void> {
  const missing = await stat(original).then(
    () => false,
    (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return true;
      throw ioError(`cannot read ${original}`, original, err);
    },
  );
  if (missing && options.copyImages) {
    throw new ExportError(
      `cannot copy ${original}: the image file is missing from the dataset`,
      'datasetRoot',
      original,
    );
  }
  if (missing) {
    warnings.add(
      'yolo-missing-image',
      (n) =>
        `${plural(n, 'image')} missing from the dataset folder (linked anyway; Ultralytics will skip them)`,
      original,
    );
  }
  try {
    if (options.copyImages) await dir.copyFrom(original, inExport);
    else await dir.linkTo(original, inExport);
  } catch (err) {
    const how = options.copyImages ? 'copy' : 'link';
    const hint = options.copyImages ? '' : '; export with copyImages where links are not allowed';
    throw ioError(`cannot ${how} ${original} into the export${hint}`, original, err);
  }
}

function ioError(message: string, file: string, cause: unknown): ExportError {
  const code = (cause as NodeJS.ErrnoException)?.code;
  return new ExportError(`${message}${code ? ` (${code})` : ''}`, 'datasetRoot', file, { cause });
}

function datasetRootOption(value: unknown): string {
  if (typeof value !== 'string' || !path.isAbsolute(value)) {
    throw new ExportError(
      `datasetRoot must be the absolute path of the dataset folder (images are linked or copied from it), got ${JSON.stringify(value)}`,
      'datasetRoot',
      value,
    );
  }
  return value;
}

/**
 * The list line of an image. Ultralytics turns a leading `./` into the list file's folder, but
 * replaces every `./` in the line (Python's str.replace), so a path containing one elsewhere
 * is written absolute.
 */
function listEntry(inExport: string, destination: string): string {
  const relative = `./${inExport}`;
  if (!relative.slice(2).includes('./')) return relative;
  return path.join(destination, ...inExport.split('/'));
}

function warnUnloadable(imagePath: string, warnings: ExportWarnings): void {
  const dot = imagePath.lastIndexOf('.');
  const extension = dot < 0 ? '' : imagePath.slice(dot + 1).toLowerCase();
  if (!ULTRALYTICS_IMAGE_EXTENSIONS.has(extension)) {
    warnings.add(
      'yolo-extension',
      (n) => `${plural(n, 'image')} with a file type Ultralytics does not load (it skips them)`,
      imagePath,
    );
  }
}

/** data.yaml; names and the path are written as double-quoted (JSON) strings, valid YAML. */
function dataYaml(
  destination: string,
  splits: readonly SplitSpec[] | null,
  classes: readonly ClassRecord[],
  task: YoloTask,
): string {
  const names = splits ? new Set(splits.map((s) => s.name)) : new Set(['train']);
  const lines = [
    `# Ultralytics YOLO ${task === 'detect' ? 'detection' : 'segmentation'} dataset, exported by sam-annotator`,
    `path: ${JSON.stringify(destination)}`,
  ];
  for (const key of YAML_SPLITS) {
    if (names.has(key)) lines.push(`${key}: ${key}.txt`);
    else if (key === 'val') lines.push('val: train.txt');
  }
  lines.push(`nc: ${classes.length}`);
  lines.push(classes.length === 0 ? 'names: {}' : 'names:');
  classes.forEach((c, i) => lines.push(`  ${i}: ${JSON.stringify(c.name)}`));
  return `${lines.join('\n')}\n`;
}
