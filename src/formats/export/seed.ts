import type { AnnotationSource, ClassRecord } from '../../store/records.js';
import { exportClasses, readImages } from './export-images.js';
import { labelFileText, polygonLines } from './label-lines.js';
import { OutputClaims, stemPath } from './label-paths.js';
import { runExport, toleranceOption } from './run-export.js';
import type { ExportResult, SeedExportOptions } from './types.js';

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
 * The seed keeps one outline per object; a multi-part object is joined into one polygon as
 * Ultralytics joins them, and holes are filled (with a warning). Images in sub-folders keep their
 * folders under labels/ (the seed itself reads a flat images/ folder).
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
      const lines = polygonLines(image, tolerance, warnings, 'seed-tool');
      await dir.writeFile(labelPath, labelFileText(lines));
      objects += lines.length;
      images++;
    }
    await dir.writeFile('classes.csv', classesCsv(classes.list));
    return { images, objects };
  });
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
