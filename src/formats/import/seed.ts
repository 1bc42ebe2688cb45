/**
 * The seed tool's own layout (PyPI sam-annotator): <root>/images/<name>.<ext>,
 * <root>/labels/<name>.txt with one object per line as "class_id x1 y1 x2 y2 ..." (a contour,
 * normalised by the image size, 6 decimals), and the class CSV it was started with
 * (--classes_csv). The seed read a line back as int(x * width) pixel indices filled by
 * cv2.fillPoly, skipping lines with fewer than 3 points; we do the same.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { readClassCsv, type ClassList } from '../classes/index.js';
import type { BatchBuilder, ImportResult } from './batch-builder.js';
import type { ImportContext } from './context.js';
import { ImportError, withGeometry } from './errors.js';
import { batchWithClasses, importLabelFiles, type UnmatchedPolicy } from './label-files.js';
import { checkNormalised, classNameOf } from './label-lines.js';
import { listFiles, requireFolder } from './list-files.js';
import { fillPixelPolygon } from './pixel-polygon.js';

export interface SeedImportOptions {
  /** The class CSV (the seed's --classes_csv); default: the one .csv file in the root. */
  classesCsv?: string;
  unmatched?: UnmatchedPolicy;
}

export async function importSeed(
  root: string,
  ctx: ImportContext,
  options: SeedImportOptions = {},
): Promise<ImportResult> {
  await requireFolder(path.join(root, 'labels'), "the seed tool's labels/ folder");
  const classes = await readClassCsv(options.classesCsv ?? (await findClassCsv(root)));
  const files = (await listFiles(path.join(root, 'labels'), '.txt')).map((rel) => `labels/${rel}`);
  const builder = batchWithClasses('seed', classes);
  await importLabelFiles({
    root,
    files,
    ctx,
    builder,
    unmatched: options.unmatched ?? 'error',
    toObject(line, size, file) {
      return seedObject(line.classId, line.values, line.line, size, file, classes, builder);
    },
  });
  return builder.build();
}

async function findClassCsv(root: string): Promise<string> {
  const csvs = (await readdir(root)).filter((name) => name.toLowerCase().endsWith('.csv'));
  const preferred = csvs.find((name) => name === 'classes.csv');
  if (preferred) return path.join(root, preferred);
  if (csvs.length === 1 && (await stat(path.join(root, csvs[0]!))).isFile()) {
    return path.join(root, csvs[0]!);
  }
  throw new ImportError(
    { file: root },
    "the seed tool's class CSV (give it as classesCsv, or put one classes.csv in the folder)",
    csvs.length === 0 ? 'no .csv file' : `${csvs.length} .csv files: ${csvs.join(', ')}`,
  );
}

function seedObject(
  classId: number,
  values: readonly number[],
  lineNo: number,
  size: { width: number; height: number },
  file: string,
  classes: ClassList,
  builder: BatchBuilder,
): { className: string; mask: ReturnType<typeof fillPixelPolygon>; score: null } | null {
  const className = classNameOf(classes.names, classId, file, lineNo, classes.file);
  if (values.length % 2 !== 0) {
    throw new ImportError(
      { file, line: lineNo },
      'pairs of x y coordinates after the class id',
      `${values.length} values`,
    );
  }
  if (values.length < 6) {
    builder.tally(
      'lines with fewer than 3 points were skipped (as the seed tool does)',
      `${file}:${lineNo}`,
    );
    return null;
  }
  checkNormalised(values, 0, file, lineNo);
  // Python's int() truncates toward zero.
  const points = values.map((v, k) => Math.trunc(v * (k % 2 === 0 ? size.width : size.height)));
  const mask = withGeometry({ file, line: lineNo }, () => fillPixelPolygon(points, size));
  return { className, mask, score: null };
}
