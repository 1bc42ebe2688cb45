import type { BboxXywh } from '../../geometry/index.js';

/** IoU of two COCO boxes (pixel-edge rectangles); two empty boxes give 0. */
export function boxIou(a: BboxXywh, b: BboxXywh): number {
  const w = Math.min(a[0] + a[2], b[0] + b[2]) - Math.max(a[0], b[0]);
  const h = Math.min(a[1] + a[3], b[1] + b[3]) - Math.max(a[1], b[1]);
  const inter = w > 0 && h > 0 ? w * h : 0;
  const union = a[2] * a[3] + b[2] * b[3] - inter;
  return union > 0 ? inter / union : 0;
}

/**
 * Greedy non-maximum suppression (torchvision.ops.nms): items by descending score, each kept
 * unless its box overlaps an already kept one by more than `threshold`. Returns the kept items
 * best first; equal scores keep their input order.
 */
export function boxNms<T extends { bbox: BboxXywh }>(
  items: readonly T[],
  score: (item: T) => number,
  threshold: number,
): T[] {
  const order = items
    .map((item, index) => ({ item, index, score: score(item) }))
    .sort((a, b) => b.score - a.score || a.index - b.index);
  const kept: T[] = [];
  for (const { item } of order) {
    if (kept.every((k) => boxIou(k.bbox, item.bbox) <= threshold)) kept.push(item);
  }
  return kept;
}
