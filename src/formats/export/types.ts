import type { Size } from '../../geometry/index.js';
import type { ImageRecord } from '../../store/records.js';
import type { SplitSpec } from './splits.js';

export const EXPORT_FORMATS = ['coco', 'yolo-det', 'yolo-seg', 'voc', 'seed'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const COCO_SEGMENTATIONS = ['rle', 'polygon', 'auto'] as const;
/**
 * `rle`: every mask as compressed RLE (exact). `polygon`: outer rings only (holes are filled,
 * with a warning). `auto`: RLE for masks with holes, polygons for the rest.
 */
export type CocoSegmentation = (typeof COCO_SEGMENTATIONS)[number];

export interface ExportProgress {
  /** Images finished. */
  done: number;
  total: number;
}

/** Options every exporter takes. */
export interface ExportOptions {
  /**
   * Replace an existing destination folder. Without it an existing destination is refused
   * before any work starts. Either way the destination changes only once the export is complete.
   */
  overwrite?: boolean;
  /** Called after each image (the server's export job shows it). */
  onProgress?: (progress: ExportProgress) => void;
  /** Stops the export between images; nothing is left at the destination. */
  signal?: AbortSignal;
  /**
   * Size of an image whose record has none yet (its header was never read). Without it such an
   * image takes the size of its masks, and an image with neither is an error.
   */
  imageSize?: (image: ImageRecord) => Size | null | Promise<Size | null>;
}

/** Options of the formats that can cut the images into splits (COCO, YOLO, VOC). */
export interface SplitOptions {
  /** `train=0.8,val=0.2` or parsed specs; each image's split is fixed by a hash of its path. */
  splits?: string | readonly SplitSpec[];
}

/** Options of the formats that write polygons. */
export interface PolygonOptions {
  /** Douglas-Peucker tolerance in pixels; 0 (default) writes exact pixel-edge outlines. */
  tolerance?: number;
}

export interface CocoInfo {
  description?: string;
  version?: string;
  contributor?: string;
  url?: string;
  year?: number;
  /** Written as given; no clock is read, so the same data gives the same file. */
  dateCreated?: string;
}

export interface CocoExportOptions extends ExportOptions, SplitOptions, PolygonOptions {
  /** Default `rle`. */
  segmentation?: CocoSegmentation;
  info?: CocoInfo;
}

export interface YoloExportOptions extends ExportOptions, SplitOptions, PolygonOptions {
  /** Absolute folder the image paths are relative to; images/ links (or copies) point there. */
  datasetRoot: string;
  /** Copy the images into images/ instead of linking them. */
  copyImages?: boolean;
}

export type VocExportOptions = ExportOptions & SplitOptions;

export type SeedExportOptions = ExportOptions & PolygonOptions;

export interface ExportResult {
  format: ExportFormat;
  /** Absolute path of the finished export. */
  destination: string;
  /** Files written (labels, lists, images linked or copied, ...). */
  files: number;
  images: number;
  /** Objects written (an object dropped with a warning is not counted). */
  objects: number;
  /** Grouped, human-readable; empty when everything was written as it is stored. */
  warnings: string[];
}
