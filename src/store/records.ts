import type { BboxXywh, CompressedRle } from '../geometry/index.js';

/**
 * What the project store holds, as plain data. formats/ reads these (exports) and produces
 * ImportBatch (imports); the store is the only one that writes them.
 */

export const OBJECT_SOURCES = ['sam', 'default', 'manual', 'import', 'auto'] as const;
export type ObjectSource = (typeof OBJECT_SOURCES)[number];

export const IMAGE_STATUSES = ['new', 'in_progress', 'done', 'faulty', 'broken'] as const;
export type ImageStatus = (typeof IMAGE_STATUSES)[number];

export interface ClassRecord {
  /** Stable within the project; exports renumber categories from 1 by position. */
  id: number;
  name: string;
  /** "#rrggbb". */
  color: string;
  /** 0-based display and export order. */
  position: number;
}

export interface ImageRecord {
  /** Stable integer id (COCO image_id), assigned when the image is first registered. */
  id: number;
  /** The dataset's stable string id (dataset/imageIdOf). */
  key: string;
  /** POSIX path relative to the dataset root. */
  path: string;
  /** Original (EXIF-oriented) size; null until the header has been read. */
  width: number | null;
  height: number | null;
  status: ImageStatus;
  note: string;
}

/** The prompts that produced an object, kept so it can be re-edited. Original pixel space. */
export interface ObjectPrompts {
  points: { x: number; y: number; label: 0 | 1 }[];
  box?: { x0: number; y0: number; x1: number; y1: number };
  model?: string;
}

export interface ObjectRecord {
  id: number;
  imageId: number;
  classId: number;
  /** Mask at original size: the truth. bbox and area are derived from it. */
  rle: CompressedRle;
  bbox: BboxXywh;
  area: number;
  score: number | null;
  source: ObjectSource;
  prompts: ObjectPrompts | null;
  /** ISO 8601 UTC. */
  createdAt: string;
  updatedAt: string;
}

/** Read side used by exporters and stats: everything in a deterministic order. */
export interface AnnotationSource {
  /** By position. */
  listClasses(): ClassRecord[];
  /** By path (natural order as the dataset lists them is not required; byte order of path). */
  iterateImages(): Iterable<ImageRecord>;
  /** By id. */
  objectsOf(imageId: number): ObjectRecord[];
}

/** One object read from an import file. */
export interface ImportedObject {
  className: string;
  rle: CompressedRle;
  score?: number | null;
}

/** One image of an import, matched to the dataset by its relative path. */
export interface ImportedImage {
  path: string;
  width: number;
  height: number;
  objects: ImportedObject[];
}

/** Everything an importer read; the store applies it in one transaction or not at all. */
export interface ImportBatch {
  /** e.g. "coco", "yolo-seg", "voc", "seed"; recorded in history. */
  format: string;
  /** Class names in the file's order (new ones are appended to the project's classes). */
  classes: string[];
  images: ImportedImage[];
}
