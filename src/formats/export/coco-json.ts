import type { BboxXywh, FlatRing } from '../../geometry/index.js';
import type { ClassRecord, ImageRecord } from '../../store/records.js';
import type { CocoInfo } from './types.js';

/**
 * Text of the pieces of a COCO instances file. Keys are written in a fixed order and every
 * value through JSON.stringify, so the same data always gives the same bytes.
 */

export function infoJson(info: CocoInfo = {}): string {
  const out: Record<string, unknown> = {
    description: info.description ?? 'Exported by sam-annotator',
    version: info.version ?? '1.0',
  };
  if (info.contributor !== undefined) out.contributor = info.contributor;
  if (info.url !== undefined) out.url = info.url;
  if (info.year !== undefined) out.year = info.year;
  if (info.dateCreated !== undefined) out.date_created = info.dateCreated;
  return JSON.stringify(out);
}

export function imageJson(image: ImageRecord, width: number, height: number): string {
  return `{"id":${image.id},"file_name":${JSON.stringify(image.path)},"width":${width},"height":${height}}`;
}

/** Compressed RLE ({size, counts: string}) or a list of outer rings. */
export type CocoSegmentationValue =
  { size: [number, number]; counts: string } | readonly FlatRing[];

export interface CocoAnnotationFields {
  id: number;
  imageId: number;
  categoryId: number;
  segmentation: CocoSegmentationValue;
  area: number;
  bbox: BboxXywh;
  score: number | null;
}

export function annotationJson(a: CocoAnnotationFields): string {
  const segmentation = Array.isArray(a.segmentation)
    ? `[${a.segmentation.map((ring) => `[${ring.join(',')}]`).join(',')}]`
    : segmentationRleJson(a.segmentation as { size: [number, number]; counts: string });
  const score = a.score === null ? '' : `,"score":${JSON.stringify(a.score)}`;
  return (
    `{"id":${a.id},"image_id":${a.imageId},"category_id":${a.categoryId},` +
    `"segmentation":${segmentation},"area":${a.area},"bbox":[${a.bbox.join(',')}],` +
    `"iscrowd":0${score}}`
  );
}

function segmentationRleJson(rle: { size: [number, number]; counts: string }): string {
  // The counts alphabet ('0'..'o') includes the backslash, which JSON must escape.
  return `{"size":[${rle.size[0]},${rle.size[1]}],"counts":${JSON.stringify(rle.counts)}}`;
}

export function categoryJson(cls: ClassRecord, index: number): string {
  return `{"id":${index + 1},"name":${JSON.stringify(cls.name)},"supercategory":""}`;
}
