import type { FlatRing } from '../../geometry/index.js';

/**
 * One polygon from several, as Ultralytics joins the parts of a multi-part COCO object for a
 * YOLO segmentation label (ultralytics/data/converter.py, merge_multi_segment): neighbouring
 * parts are joined at their closest pair of points by a zero-width cut that goes there and
 * back, so filling the result covers every part and nothing between them. Ported step by step,
 * quirks included (the index bookkeeping after reversing a middle part), so that our labels match
 * what `convert_coco(..., use_segments=True)` writes for the same polygons.
 *
 * Rings and the result are flat [x0, y0, x1, y1, ...] lists of points.
 */
export function mergeMultiSegment(rings: readonly FlatRing[]): number[] {
  if (rings.length === 1) return [...rings[0]!];
  const segments = rings.map((ring) => [...ring]);
  const indexList: number[][] = segments.map(() => []);

  // The closest pair of points between each part and the next.
  for (let i = 1; i < segments.length; i++) {
    const [a, b] = minIndex(segments[i - 1]!, segments[i]!);
    indexList[i - 1]!.push(a);
    indexList[i]!.push(b);
  }

  const last = indexList.length - 1;
  const out: number[][] = [];
  // First round: from the first part forwards, each middle part up to its second cut point.
  for (let i = 0; i <= last; i++) {
    let idx = indexList[i]!;
    let s = segments[i]!;
    if (idx.length === 2 && idx[0]! > idx[1]!) {
      idx = [idx[1]!, idx[0]!];
      s = reversePoints(s);
    }
    s = roll(s, idx[0]!);
    s.push(s[0]!, s[1]!);
    segments[i] = s;
    if (i === 0 || i === last) out.push(s);
    else out.push(s.slice(0, 2 * (idx[1]! - idx[0]! + 1)));
  }
  // Second round: back from the last part, the rest of each middle part.
  for (let i = last - 1; i > 0; i--) {
    const idx = indexList[i]!;
    out.push(segments[i]!.slice(2 * Math.abs(idx[1]! - idx[0]!)));
  }
  return out.flat();
}

function reversePoints(points: readonly number[]): number[] {
  const out = new Array<number>(points.length);
  for (let i = 0, j = points.length - 2; j >= 0; i += 2, j -= 2) {
    out[i] = points[j]!;
    out[i + 1] = points[j + 1]!;
  }
  return out;
}

/** numpy.roll(points, -start, axis=0): the points from `start` on, then the ones before it. */
function roll(points: readonly number[], start: number): number[] {
  const n = points.length / 2;
  const k = ((start % n) + n) % n;
  return [...points.slice(2 * k), ...points.slice(0, 2 * k)];
}

/**
 * The pair (i, j) with the smallest squared distance between point i of `first` and point j of
 * `second`; on ties the first in row-major order, as numpy.argmin over the distance matrix.
 */
function minIndex(first: readonly number[], second: readonly number[]): [number, number] {
  let best = Infinity;
  let bi = 0;
  let bj = 0;
  for (let i = 0; i < first.length; i += 2) {
    const x = first[i]!;
    const y = first[i + 1]!;
    for (let j = 0; j < second.length; j += 2) {
      const dx = x - second[j]!;
      const dy = y - second[j + 1]!;
      const d = dx * dx + dy * dy;
      if (d < best) {
        best = d;
        bi = i;
        bj = j;
      }
    }
  }
  return [bi / 2, bj / 2];
}
