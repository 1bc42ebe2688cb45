/**
 * Polygons -> mask. A pixel is inside when its centre (i + 0.5, j + 0.5) is inside; rings are
 * filled together by the even-odd rule, so holes (and holes in holes) come out right whatever
 * way each ring runs. Rings that run along pixel edges (maskToPolygons with tolerance 0) never
 * pass through a centre, so they give back their mask exactly.
 */
import { createBitmap, type Bitmap } from './bitmap.js';
import { GeometryError, describeValue } from './errors.js';
import { checkSize } from './size.js';
import type { FlatRing, PolygonWithHoles, Size } from './types.js';
import { polygonRings } from './polygons.js';

/**
 * `even-odd`: all rings together, a centre is inside when it is enclosed an odd number of
 * times (holes work). `union`: each ring on its own, inside when inside any ring; this is how
 * pycocotools reads a COCO polygon list, where rings are separate parts and cannot cut holes.
 */
export type FillRule = 'even-odd' | 'union';

interface Edge {
  x1: number;
  y1: number;
  /** dx / dy of the edge. */
  slope: number;
  firstRow: number;
  lastRow: number;
}

/** Rasterises rings given as flat [x0, y0, x1, y1, ...] arrays (a COCO `segmentation` list). */
export function rasterizeRings(
  rings: readonly FlatRing[],
  size: Size,
  fillRule: FillRule = 'even-odd',
): Bitmap {
  checkSize(size, 'mask size', 0);
  rings.forEach(checkRing);
  const mask = createBitmap(size.width, size.height);
  if (fillRule === 'even-odd') fillEvenOdd(rings, mask);
  else if (fillRule === 'union') for (const ring of rings) fillEvenOdd([ring], mask);
  else {
    throw new GeometryError(
      `fillRule must be "even-odd" or "union", got ${describeValue(fillRule)}`,
      'fillRule',
      fillRule,
    );
  }
  return mask;
}

/** Rasterises polygons with holes (all rings even-odd). */
export function rasterizePolygons(polygons: readonly PolygonWithHoles[], size: Size): Bitmap {
  return rasterizeRings(polygonRings(polygons), size, 'even-odd');
}

function checkRing(ring: FlatRing, index: number): void {
  if (!Array.isArray(ring) || ring.length % 2 !== 0) {
    throw new GeometryError(
      `rings[${index}] must be a flat [x0, y0, x1, y1, ...] array of even length, got ${describeValue(ring)}`,
      `rings[${index}]`,
      ring,
    );
  }
  for (let i = 0; i < ring.length; i++) {
    if (typeof ring[i] !== 'number' || !Number.isFinite(ring[i])) {
      throw new GeometryError(
        `rings[${index}][${i}] must be a finite number, got ${describeValue(ring[i])}`,
        `rings[${index}][${i}]`,
        ring[i],
      );
    }
  }
}

/** First pixel index whose centre is at or right of `v`: the smallest i with i + 0.5 >= v. */
function firstCentreAtOrAfter(v: number): number {
  return Math.ceil(v - 0.5);
}

function buildEdges(rings: readonly FlatRing[], height: number): Edge[] {
  const edges: Edge[] = [];
  for (const ring of rings) {
    const n = ring.length;
    if (n < 6) continue;
    for (let i = 0; i < n; i += 2) {
      const x1 = ring[i]!;
      const y1 = ring[i + 1]!;
      const x2 = ring[(i + 2) % n]!;
      const y2 = ring[(i + 3) % n]!;
      if (y1 === y2) continue;
      // Half-open in y: the edge crosses row j when min(y) <= j + 0.5 < max(y).
      const firstRow = Math.max(0, firstCentreAtOrAfter(Math.min(y1, y2)));
      const lastRow = Math.min(height - 1, firstCentreAtOrAfter(Math.max(y1, y2)) - 1);
      if (firstRow > lastRow) continue;
      edges.push({ x1, y1, slope: (x2 - x1) / (y2 - y1), firstRow, lastRow });
    }
  }
  return edges.sort((a, b) => a.firstRow - b.firstRow);
}

/** Scanline fill with an active edge list; ORs the spans into `mask`. */
function fillEvenOdd(rings: readonly FlatRing[], mask: Bitmap): void {
  const { width, height, data } = mask;
  const edges = buildEdges(rings, height);
  if (edges.length === 0) return;
  let active: Edge[] = [];
  let next = 0;
  let crossings = new Float64Array(16);
  for (let row = edges[0]!.firstRow; row < height; row++) {
    active = active.filter((e) => e.lastRow >= row);
    while (next < edges.length && edges[next]!.firstRow === row) active.push(edges[next++]!);
    if (active.length === 0) {
      if (next >= edges.length) break;
      row = edges[next]!.firstRow - 1;
      continue;
    }
    if (crossings.length < active.length) crossings = new Float64Array(active.length * 2);
    const cy = row + 0.5;
    for (let k = 0; k < active.length; k++) {
      const e = active[k]!;
      crossings[k] = e.x1 + (cy - e.y1) * e.slope;
    }
    const xs = crossings.subarray(0, active.length).sort();
    const base = row * width;
    for (let k = 0; k + 1 < xs.length; k += 2) {
      const from = Math.max(0, firstCentreAtOrAfter(xs[k]!));
      const to = Math.min(width, firstCentreAtOrAfter(xs[k + 1]!));
      if (to > from) data.fill(1, base + from, base + to);
    }
  }
}
