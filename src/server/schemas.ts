import { z } from 'zod';
import { IMAGE_STATUSES, OBJECT_SOURCES } from '../store/index.js';

/** Request schemas; the bodies match api-contract.ts. Unknown fields are refused, not ignored. */

const finite = z.number().finite();
const id = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
/** Ids in paths and queries: plain decimal digits only ("1e3", " 7" and "0x10" are refused). */
const idText = z
  .string()
  .regex(/^[1-9][0-9]{0,14}$/, { message: 'expected a positive whole number id' })
  .transform(Number);

export const idParams = z.strictObject({ id: idText });

export const imageListQuery = z.strictObject({
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  status: z.enum(IMAGE_STATUSES).optional(),
  classId: idText.optional(),
  search: z.string().max(500).optional(),
  token: z.string().optional(),
});

export const positionQuery = z
  .strictObject({
    path: z.string().min(1).max(4096).optional(),
    index: z.coerce.number().int().min(0).optional(),
    token: z.string().optional(),
  })
  .refine((q) => (q.path === undefined) !== (q.index === undefined), {
    message: 'give exactly one of path or index',
  });

export const versionQuery = z.strictObject({
  v: z.string().max(100).optional(),
  token: z.string().optional(),
});

export const tileParams = z.strictObject({
  id: idText,
  level: z.coerce.number().int().min(0).max(30),
  col: z.coerce.number().int().min(0),
  row: z.coerce.number().int().min(0),
});

const point = z.strictObject({
  x: finite,
  y: finite,
  label: z.union([z.literal(0), z.literal(1)]),
});
/** The rule every prompt box obeys (the predict body's hand check uses it too). */
export const BOX_ORDER_RULE = 'a box needs x1 > x0 and y1 > y0';
export function isOrderedBox(b: { x0: number; y0: number; x1: number; y1: number }): boolean {
  return b.x1 > b.x0 && b.y1 > b.y0;
}

const box = z
  .strictObject({ x0: finite, y0: finite, x1: finite, y1: finite })
  .refine(isOrderedBox, { message: BOX_ORDER_RULE });

const rle = z.strictObject({
  size: z.tuple([z.number().int().min(1), z.number().int().min(1)]),
  counts: z.string().min(1),
});

const prompts = z
  .strictObject({ points: z.array(point).max(1000), box: box.optional() })
  .nullable()
  .optional();

export const createObjectBody = z.strictObject({
  classId: id,
  rle,
  score: finite.min(0).max(1).nullable().optional(),
  source: z.enum(OBJECT_SOURCES),
  prompts,
});

export const updateObjectBody = z
  .strictObject({
    classId: id.optional(),
    rle: rle.optional(),
    score: finite.min(0).max(1).nullable().optional(),
    prompts,
  })
  .refine((b) => Object.keys(b).length > 0, { message: 'give at least one field to change' });

export const setStatusBody = z.strictObject({
  status: z.enum(IMAGE_STATUSES),
  note: z.string().max(10_000).optional(),
});

const color = z.string().regex(/^#[0-9a-fA-F]{6}$/, { message: 'a colour is "#rrggbb"' });
const className = z.string().trim().min(1).max(200);

export const createClassBody = z.strictObject({ name: className, color: color.optional() });

export const updateClassBody = z
  .strictObject({
    name: className.optional(),
    color: color.optional(),
    position: z.number().int().min(0).optional(),
  })
  .refine((b) => Object.keys(b).length > 0, { message: 'give at least one field to change' });

export const deleteClassQuery = z.strictObject({
  reassignTo: idText.optional(),
  token: z.string().optional(),
});

export const exportBody = z.strictObject({
  format: z.enum(['coco', 'yolo', 'yolo-seg', 'voc', 'seed']),
  segmentation: z.enum(['rle', 'polygon', 'auto']).optional(),
  split: z.record(z.string().regex(/^[A-Za-z0-9_-]{1,32}$/), z.number().gt(0).max(1)).optional(),
});

export const jobParams = z.strictObject({ id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/) });
