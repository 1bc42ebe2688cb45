import type { ObjectPrompts, ObjectRecord, ObjectSource } from './records.js';

/** The columns an object row shares with its history snapshots (see migrations.ts). */
export const OBJECT_DATA_COLUMNS =
  'image_id, class_id, rle_height, rle_width, rle_counts, bbox_x, bbox_y, bbox_w, bbox_h, area, score, source, prompts, created_at, updated_at';

export interface ObjectRow {
  id: number;
  image_id: number;
  class_id: number;
  rle_height: number;
  rle_width: number;
  rle_counts: string;
  bbox_x: number;
  bbox_y: number;
  bbox_w: number;
  bbox_h: number;
  area: number;
  score: number | null;
  source: ObjectSource;
  prompts: string | null;
  created_at: string;
  updated_at: string;
}

export function objectFromRow(row: ObjectRow): ObjectRecord {
  return {
    id: row.id,
    imageId: row.image_id,
    classId: row.class_id,
    rle: { size: [row.rle_height, row.rle_width], counts: row.rle_counts },
    bbox: [row.bbox_x, row.bbox_y, row.bbox_w, row.bbox_h],
    area: row.area,
    score: row.score,
    source: row.source,
    prompts: row.prompts === null ? null : (JSON.parse(row.prompts) as ObjectPrompts),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Ids as one bound parameter: `WHERE id IN (SELECT value FROM json_each(?))`. */
export function idList(ids: readonly number[]): string {
  return JSON.stringify(ids);
}
