/** Importers: files on disk -> ImportBatch. They read and check; they never write. */
import type { ImportResult } from './batch-builder.js';
import { importCoco, type CocoImportOptions } from './coco.js';
import type { ImportContext } from './context.js';
import { detectImportFormat, type ImportFormat } from './detect.js';
import { importSeed, type SeedImportOptions } from './seed.js';
import { importVoc, type VocImportOptions } from './voc.js';
import { importYolo, type YoloImportOptions } from './yolo.js';

export type { ImportResult } from './batch-builder.js';
export { importContextFromIndex, type ImageSize, type ImportContext } from './context.js';
export { ImportError, type ImportLocation } from './errors.js';
export { COCO_MAX_BYTES, importCoco, type CocoImportOptions } from './coco.js';
export { importYolo, type YoloImportOptions } from './yolo.js';
export { importVoc, type VocImportOptions } from './voc.js';
export { importSeed, type SeedImportOptions } from './seed.js';
export type { UnmatchedPolicy } from './label-files.js';
export { detectImportFormat, IMPORT_FORMATS, type ImportFormat } from './detect.js';

export type ImportOptions = CocoImportOptions &
  YoloImportOptions &
  VocImportOptions &
  SeedImportOptions & { format?: ImportFormat };

/** Imports `source` with the importer `options.format` names, or the one detectImportFormat picks. */
export async function importAnnotations(
  source: string,
  ctx: ImportContext,
  options: ImportOptions = {},
): Promise<ImportResult> {
  const format = options.format ?? (await detectImportFormat(source));
  switch (format) {
    case 'coco':
      return importCoco(source, ctx, options);
    case 'yolo':
      return importYolo(source, ctx, options);
    case 'voc':
      return importVoc(source, ctx, options);
    case 'seed':
      return importSeed(source, ctx, options);
  }
}
