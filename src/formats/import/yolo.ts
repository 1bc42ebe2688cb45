/**
 * Ultralytics YOLO labels: one labels/<stem>.txt per image, a line per object, coordinates
 * normalised to 0..1. "c cx cy w h" is a box (imported as a rectangle mask), "c x1 y1 x2 y2 ..."
 * (>= 3 points) a polygon, rasterised at the image's size by pixel centres (the project's
 * continuous pixel space, the one our exporter writes). Prediction files may end each line with
 * a confidence: "c cx cy w h conf" always reads so; polygons only with `withScores`.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { rasterizeRings } from '../../geometry/index.js';
import { readClassList, readClassText, readDataYaml, type ClassList } from '../classes/index.js';
import type { ImportResult } from './batch-builder.js';
import type { ImportContext } from './context.js';
import { ImportError, withGeometry } from './errors.js';
import {
  batchWithClasses,
  importLabelFiles,
  type LabelObject,
  type UnmatchedPolicy,
} from './label-files.js';
import { checkNormalised, classNameOf, type LabelLine } from './label-lines.js';
import { listFiles } from './list-files.js';

export interface YoloImportOptions {
  /** A class list (.yaml, .txt, .csv, .json) to use instead of the one found beside the labels. */
  classesFile?: string;
  unmatched?: UnmatchedPolicy;
  /** Every line ends with a confidence (Ultralytics `save_conf` prediction files). */
  withScores?: boolean;
}

const YAML_NAMES = ['data.yaml', 'data.yml', 'dataset.yaml', 'dataset.yml'];
const TEXT_NAMES = ['classes.txt', 'obj.names'];

/** `source`: the dataset's YOLO folder, its labels/ folder, or its data.yaml. */
export async function importYolo(
  source: string,
  ctx: ImportContext,
  options: YoloImportOptions = {},
): Promise<ImportResult> {
  const info = await stat(source).catch(() => null);
  if (!info) throw new ImportError({ file: source }, 'a YOLO folder or data.yaml', 'nothing there');
  let root = info.isDirectory() ? source : path.dirname(source);
  if (path.basename(root) === 'labels') root = path.dirname(root);
  const classes = await yoloClasses(root, info.isDirectory() ? null : source, options.classesFile);
  const classFile = path.resolve(classes.file);
  const all = await listFiles(root, '.txt');
  const inLabels = all.filter((rel) => rel.split('/').slice(0, -1).includes('labels'));
  const files = (inLabels.length > 0 ? inLabels : all).filter(
    (rel) =>
      path.resolve(root, rel) !== classFile && !TEXT_NAMES.includes(path.posix.basename(rel)),
  );
  if (files.length === 0) {
    throw new ImportError({ file: root }, 'label files (.txt) in a labels/ folder', 'none');
  }
  let polygons = 0;
  const builder = batchWithClasses('yolo', classes);
  await importLabelFiles({
    root,
    files,
    ctx,
    builder,
    unmatched: options.unmatched ?? 'error',
    toObject(line, size, file) {
      const object = yoloObject(line, size, file, classes, options.withScores ?? false);
      if (object.polygon) polygons++;
      return object;
    },
  });
  const result = builder.build();
  result.batch.format = polygons > 0 ? 'yolo-seg' : 'yolo-det';
  return result;
}

async function yoloClasses(
  root: string,
  yamlFile: string | null,
  classesFile?: string,
): Promise<ClassList> {
  if (classesFile) return readClassList(classesFile);
  if (yamlFile) return readDataYaml(yamlFile);
  for (const name of YAML_NAMES) {
    const file = path.join(root, name);
    if ((await stat(file).catch(() => null))?.isFile()) return readDataYaml(file);
  }
  for (const dir of [root, path.join(root, 'labels')]) {
    for (const name of TEXT_NAMES) {
      const file = path.join(dir, name);
      if ((await stat(file).catch(() => null))?.isFile()) return readClassText(file);
    }
  }
  throw new ImportError(
    { file: root },
    `class names: ${[...YAML_NAMES, ...TEXT_NAMES].join(', ')} in the folder, or a class list given`,
    'none found',
  );
}

function yoloObject(
  line: LabelLine,
  size: { width: number; height: number },
  file: string,
  classes: ClassList,
  withScores: boolean,
): LabelObject & { polygon: boolean } {
  const where = { file, line: line.line };
  const className = classNameOf(classes.names, line.classId, file, line.line, classes.file);
  const n = line.values.length;
  let coords = line.values;
  let score: number | null = null;
  if (n === 5 || (withScores && n >= 7)) {
    score = line.values[n - 1]!;
    if (!(score >= 0 && score <= 1)) {
      throw new ImportError(where, 'a confidence between 0 and 1 as the last value', String(score));
    }
    coords = line.values.slice(0, -1);
  }
  const { width: W, height: H } = size;
  if (coords.length === 4) {
    checkNormalised(coords, 0, file, line.line);
    const [cx, cy, w, h] = coords as [number, number, number, number];
    if (!(w > 0 && h > 0)) {
      throw new ImportError(where, 'a box width and height above 0', `${w} x ${h}`);
    }
    const x0 = (cx - w / 2) * W;
    const x1 = (cx + w / 2) * W;
    const y0 = (cy - h / 2) * H;
    const y1 = (cy + h / 2) * H;
    const mask = withGeometry(where, () =>
      rasterizeRings([[x0, y0, x1, y0, x1, y1, x0, y1]], size),
    );
    return { className, mask, score, polygon: false };
  }
  if (coords.length < 6 || coords.length % 2 !== 0) {
    const hint =
      !withScores && coords.length >= 7 && coords.length % 2 === 1
        ? ' (for polygons followed by a confidence, import with withScores)'
        : '';
    throw new ImportError(
      where,
      `4 box values or an even number (>= 6) of polygon coordinates${hint}`,
      `${coords.length} values`,
    );
  }
  checkNormalised(coords, 0, file, line.line);
  const ring = coords.map((v, k) => v * (k % 2 === 0 ? W : H));
  const mask = withGeometry(where, () => rasterizeRings([ring], size, 'even-odd'));
  return { className, mask, score, polygon: true };
}
