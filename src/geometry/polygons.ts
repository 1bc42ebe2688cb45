import type { Bitmap } from './bitmap.js';
import { GeometryError, describeValue } from './errors.js';
import { simplifyRing } from './simplify.js';
import { signedArea, traceMask } from './trace.js';
import type { FlatRing, PolygonWithHoles } from './types.js';

export interface MaskToPolygonsOptions {
  /** Douglas-Peucker tolerance in pixels; 0 (the default) keeps every corner: exact outlines. */
  tolerance?: number;
  /**
   * Rings enclosing fewer pixels than this are dropped (default 0: nothing is dropped). Areas
   * are measured on the exact outline before simplification; dropping an outer ring drops
   * its holes with it.
   */
  minArea?: number;
}

/**
 * Outlines of every connected part of a mask (8-connected, see trace.ts) with their holes, in
 * the mask's pixel coordinates. With tolerance 0, `rasterizePolygons` of the result
 * reproduces the mask exactly.
 */
export function maskToPolygons(
  mask: Bitmap,
  options: MaskToPolygonsOptions = {},
): PolygonWithHoles[] {
  const tolerance = options.tolerance ?? 0;
  const minArea = options.minArea ?? 0;
  if (!(minArea >= 0) || !Number.isFinite(minArea)) {
    throw new GeometryError(
      `minArea must be a number >= 0 (pixels), got ${describeValue(minArea)}`,
      'minArea',
      minArea,
    );
  }
  const out: PolygonWithHoles[] = [];
  for (const part of traceMask(mask)) {
    if (part.outerArea < minArea) continue;
    const holes: FlatRing[] = [];
    part.holes.forEach((hole, i) => {
      if (part.holeAreas[i]! >= minArea) holes.push(simplifyRing(hole, tolerance));
    });
    out.push({ outer: simplifyRing(part.outer, tolerance), holes });
  }
  return out;
}

/** Area in pixels of a ring, whichever way it runs. */
export function ringArea(ring: FlatRing): number {
  return Math.abs(signedArea(ring));
}

/** Area of a polygon with holes: outer ring minus its holes. */
export function polygonArea(polygon: PolygonWithHoles): number {
  return polygon.holes.reduce((area, hole) => area - ringArea(hole), ringArea(polygon.outer));
}

/** All rings, outer and holes, as a COCO-style list of flat arrays (fill them even-odd). */
export function polygonRings(polygons: readonly PolygonWithHoles[]): FlatRing[] {
  return polygons.flatMap((p) => [p.outer, ...p.holes]);
}

export function vertexCount(polygons: readonly PolygonWithHoles[]): number {
  return polygonRings(polygons).reduce((n, ring) => n + ring.length / 2, 0);
}
