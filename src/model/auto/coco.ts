import type { BboxXywh, CompressedRle, Size } from '../../geometry/index.js';
import type { AutoMask } from './generate.js';

export interface CocoImage {
  id: number;
  /** Relative to the dataset folder, with forward slashes. */
  file_name: string;
  width: number;
  height: number;
}

export interface CocoAnnotation {
  id: number;
  image_id: number;
  category_id: number;
  segmentation: CompressedRle;
  area: number;
  bbox: BboxXywh;
  iscrowd: 0;
  /** The predicted IoU: what COCO result files rank by. */
  score: number;
  /** SamAutomaticMaskGenerator's output fields, as its amg.py script writes them. */
  predicted_iou: number;
  stability_score: number;
  point_coords: [[number, number]];
  crop_box: BboxXywh;
}

export interface CocoDocument {
  info: { description: string; date_created: string };
  images: CocoImage[];
  annotations: CocoAnnotation[];
  categories: { id: number; name: string }[];
}

/** Everything is one class: "segment everything" finds objects, not kinds of objects. */
export const OBJECT_CATEGORY = { id: 1, name: 'object' } as const;

/** A COCO instances document of automatic masks, built image by image (ids from 1). */
export class CocoAutoDocument {
  private readonly images: CocoImage[] = [];
  private readonly annotations: CocoAnnotation[] = [];

  constructor(private readonly description: string) {}

  /** Adds a picture and its masks; returns the picture's id. */
  addImage(fileName: string, size: Size, masks: readonly AutoMask[]): number {
    const imageId = this.images.length + 1;
    this.images.push({ id: imageId, file_name: fileName, width: size.width, height: size.height });
    for (const mask of masks) {
      this.annotations.push({
        id: this.annotations.length + 1,
        image_id: imageId,
        category_id: OBJECT_CATEGORY.id,
        segmentation: mask.rle,
        area: mask.area,
        bbox: mask.bbox,
        iscrowd: 0,
        score: mask.predictedIou,
        predicted_iou: mask.predictedIou,
        stability_score: mask.stabilityScore,
        point_coords: [[mask.point.x, mask.point.y]],
        crop_box: mask.cropBox,
      });
    }
    return imageId;
  }

  get imageCount(): number {
    return this.images.length;
  }

  get annotationCount(): number {
    return this.annotations.length;
  }

  toJSON(): CocoDocument {
    return {
      info: { description: this.description, date_created: new Date().toISOString() },
      images: this.images,
      annotations: this.annotations,
      categories: [{ ...OBJECT_CATEGORY }],
    };
  }
}
