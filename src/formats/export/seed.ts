import { simplifyRing } from '../../geometry/index.js';
import type { AnnotationSource, ClassRecord } from '../../store/records.js';
import { exportClasses, readImages, type ExportImage } from './export-images.js';
import {
  CoordinateText,
  labelFileText,
  objectLabel,
  polygonLine,
  warnEmpty,
} from './label-lines.js';
import { OutputClaims, stemPath } from './label-paths.js';
import { mergeMultiSegment } from './merge-segments.js';
import { decodeInBox, measureMask } from './object-outline.js';
import { pixelOutline } from './pixel-contours.js';
import { runExport, toleranceOption } from './run-export.js';
import type { ExportResult, SeedExportOptions } from './types.js';
import { plural, type ExportWarnings } from './warnings.js';

/**
 * pandas.read_csv reads these cells as NaN rather than as names (its default na_values), so the
 * seed tool would lose such a class.
 */
const PANDAS_NA = new Set([
  '',
  '#N/A',
  '#N/A N/A',
  '#NA',
  '-1.#IND',
  '-1.#QNAN',
  '-NaN',
  '-nan',
  '1.#IND',
  '1.#QNAN',
  '<NA>',
  'N/A',
  'NA',
  'NULL',
  'NaN',
  'None',
  'n/a',
  'nan',
  'null',
]);

/**
 * The layout of the seed tool (pavodi-nm/sam_annotator, `sam-annotator` on PyPI):
 *
 *   labels/<stem>.txt   one object a line: `class_id x1 y1 x2 y2 ...`, the outline normalised
 *                       by the image size with six decimals (its FileManager.save_annotations
 *                       writes `f" {x_norm:.6f} {y_norm:.6f}"`), class_id the 0-based row of
 *                       the class in the CSV; an image without objects gets an empty file
 *   classes.csv         header `class_name`, one class a row (pandas to_csv quoting)
 *
 * The outline is what the seed writes: cv2.findContours(RETR_EXTERNAL, CHAIN_APPROX_SIMPLE)
 * points, i.e. boundary pixel indices, which it reads back as int(x * w) and fills with
 * cv2.fillPoly, outline pixels included. We write those points at pixel centres,
 * (x + 0.5) / w, so int() gives the index back with half a pixel to spare for the six-decimal
 * rounding, and other readers see the middle of the boundary pixel. Holes are filled (with a
 * warning). The seed keeps one outline per object (the largest, when a mask falls apart); we keep
 * every part, joined into one polygon as Ultralytics joins them, and warn that the seed fills the
 * pixels under the joining cuts as well. Images in sub-folders keep their folders under labels/
 * (the seed itself reads a flat images/ folder).
 */
export async function exportSeed(
  source: AnnotationSource,
  destination: string,
  options: SeedExportOptions = {},
): Promise<ExportResult> {
  const tolerance = toleranceOption(options.tolerance);
  return runExport('seed', destination, options, async ({ dir, warnings }) => {
    const classes = exportClasses(source);
    for (const c of classes.list) {
      if (PANDAS_NA.has(c.name)) {
        warnings.note(
          `seed-na-${c.id}`,
          `class ${JSON.stringify(c.name)}: pandas reads this name as a missing value, so the seed tool will not see it`,
        );
      }
    }
    const labels = new OutputClaims('the label');
    let images = 0;
    let objects = 0;
    for await (const image of readImages(source, classes, options)) {
      const labelPath = `labels/${stemPath(image.record.path)}.txt`;
      labels.claim(labelPath, image.record.path);
      if (image.record.path.includes('/')) {
        warnings.note(
          'seed-subfolders',
          'images in sub-folders: the seed tool reads only the top level of its images/ folder; their labels keep the folders',
        );
      }
      const lines = seedLines(image, tolerance, warnings);
      await dir.writeFile(labelPath, labelFileText(lines));
      objects += lines.length;
      images++;
    }
    await dir.writeFile('classes.csv', classesCsv(classes.list));
    return { images, objects };
  });
}

/** The label lines of one image; empty masks are left out with a warning. */
function seedLines(image: ExportImage, tolerance: number, warnings: ExportWarnings): string[] {
  const lines: string[] = [];
  // (2x + 1) / (2w) is the same double as (x + 0.5) / w, and whole values are cached.
  const text = new CoordinateText(2 * image.width, 2 * image.height);
  for (const object of image.objects) {
    const { bbox } = measureMask(object.runs);
    const { contours, hasHoles } =
      bbox[2] === 0
        ? { contours: [], hasHoles: false }
        : pixelOutline(decodeInBox(object.runs, bbox), bbox[0], bbox[1]);
    if (contours.length === 0) {
      warnEmpty(warnings, image, object, 'seed-tool');
      continue;
    }
    if (hasHoles) {
      warnings.add(
        'holes-filled',
        (n) =>
          `${plural(n, 'object')} with holes: seed-tool polygons cannot keep holes, so they are filled in`,
        objectLabel(image, object),
      );
    }
    if (contours.length > 1) {
      warnings.add(
        'seed-parts-joined',
        (n) =>
          `${plural(n, 'object')} in several parts: joined into one outline, and the seed tool also fills the pixels under the joining cuts`,
        objectLabel(image, object),
      );
    }
    const simplified = contours.map((c) => simplifyRing(c, tolerance));
    const points = atLeastThreePoints(mergeMultiSegment(simplified));
    lines.push(polygonLine(object.classIndex, points.map(pixelCentre), text));
  }
  return lines;
}

/** Doubled pixel index + 1: the centre of the pixel on a half-pixel grid. */
function pixelCentre(index: number): number {
  return 2 * index + 1;
}

/**
 * The seed skips lines of fewer than 3 points, which findContours gives for a one-pixel part
 * (one point) or a straight one-pixel-wide one (two). Going back to the first point keeps what
 * cv2.fillPoly paints: the line between them.
 */
function atLeastThreePoints(points: number[]): number[] {
  while (points.length < 6) points.push(points[0]!, points[1]!);
  return points;
}

/** The class CSV as pandas' DataFrame.to_csv(index=False) writes it: minimal quoting, \n rows. */
export function classesCsv(classes: readonly ClassRecord[]): string {
  return ['class_name', ...classes.map((c) => csvCell(c.name))].map((row) => `${row}\n`).join('');
}

function csvCell(text: string): string {
  // Python's csv module quotes a lone empty field, or the row would read as a blank line.
  if (text === '') return '""';
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
