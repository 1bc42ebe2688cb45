import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { ImportError } from './errors.js';

export const IMPORT_FORMATS = ['coco', 'yolo', 'voc', 'seed'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

/**
 * Which importer fits `source`: a .json file is COCO, a .yaml file YOLO; a folder with
 * SegmentationObject/ or SegmentationClass/ is VOC, one with data.yaml or classes.txt YOLO,
 * one with labels/ and a .csv class list the seed tool's layout, one with labels/ alone YOLO.
 */
export async function detectImportFormat(source: string): Promise<ImportFormat> {
  const info = await stat(source).catch(() => null);
  if (!info)
    throw new ImportError({ file: source }, 'an annotation file or folder', 'nothing there');
  if (info.isFile()) {
    const ext = path.extname(source).toLowerCase();
    if (ext === '.json') return 'coco';
    if (ext === '.yaml' || ext === '.yml') return 'yolo';
    throw new ImportError(
      { file: source },
      'a COCO .json, a YOLO data.yaml, or a folder',
      JSON.stringify(ext),
    );
  }
  const names = new Set(await readdir(source));
  if (names.has('SegmentationObject') || names.has('SegmentationClass')) return 'voc';
  if (
    ['data.yaml', 'data.yml', 'dataset.yaml', 'dataset.yml', 'classes.txt'].some((n) =>
      names.has(n),
    )
  )
    return 'yolo';
  if (names.has('labels')) {
    return [...names].some((n) => n.toLowerCase().endsWith('.csv')) ? 'seed' : 'yolo';
  }
  if (path.basename(source) === 'labels') return 'yolo';
  throw new ImportError(
    { file: source },
    'a COCO .json, a YOLO folder (data.yaml, labels/), a VOC folder (SegmentationObject/) or a seed folder (labels/ + classes CSV)',
    'none of these',
  );
}
