/** Public API of formats/export: one function per format, and one that picks by name. */
import type { AnnotationSource } from '../../store/records.js';
import { exportCoco } from './coco.js';
import { ExportError } from './errors.js';
import { exportSeed } from './seed.js';
import {
  EXPORT_FORMATS,
  type CocoExportOptions,
  type ExportFormat,
  type ExportResult,
  type SeedExportOptions,
  type VocExportOptions,
  type YoloExportOptions,
} from './types.js';
import { exportVoc } from './voc.js';
import { exportYolo } from './yolo.js';

export { exportCoco } from './coco.js';
export { exportYolo, type YoloTask } from './yolo.js';
export { exportVoc } from './voc.js';
export { exportSeed, classesCsv } from './seed.js';
export { ExportError } from './errors.js';
export { parseSplits, splitOf, type SplitSpec } from './splits.js';
export { mergeMultiSegment } from './merge-segments.js';
export { vocColormap } from './palette-png.js';
export {
  COCO_SEGMENTATIONS,
  EXPORT_FORMATS,
  type CocoExportOptions,
  type CocoInfo,
  type CocoSegmentation,
  type ExportFormat,
  type ExportOptions,
  type ExportProgress,
  type ExportResult,
  type SeedExportOptions,
  type VocExportOptions,
  type YoloExportOptions,
} from './types.js';

/** Every option of every format; each exporter reads the ones it knows. */
export type AnyExportOptions = CocoExportOptions &
  Partial<YoloExportOptions> &
  VocExportOptions &
  SeedExportOptions;

/** Runs the exporter of `format` (the CLI's `export --format`). */
export function exportAnnotations(
  format: ExportFormat,
  source: AnnotationSource,
  destination: string,
  options: AnyExportOptions = {},
): Promise<ExportResult> {
  switch (format) {
    case 'coco':
      return exportCoco(source, destination, options);
    case 'yolo-det':
      return exportYolo(source, destination, 'detect', options as YoloExportOptions);
    case 'yolo-seg':
      return exportYolo(source, destination, 'segment', options as YoloExportOptions);
    case 'voc':
      return exportVoc(source, destination, options);
    case 'seed':
      return exportSeed(source, destination, options);
    default:
      return Promise.reject(
        new ExportError(
          `format must be one of ${EXPORT_FORMATS.join(', ')}, got ${JSON.stringify(format)}`,
          'format',
          format,
        ),
      );
  }
}
