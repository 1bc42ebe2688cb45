import simplify from 'simplify-js';
import { GeometryError, describeValue } from './errors.js';
import type { FlatRing } from './types.js';

interface XY {
  x: number;
  y: number;
}

function toPoints(ring: FlatRing): XY[] {
  const points: XY[] = [];
  for (let i = 0; i + 1 < ring.length; i += 2) points.push({ x: ring[i]!, y: ring[i + 1]! });
  return points;
}

function toFlat(points: readonly XY[]): FlatRing {
  const out: number[] = [];
  for (const p of points) out.push(p.x, p.y);
  return out;
}

function squaredDistance(a: XY, b: XY): number {
  return (a.x - b.x) ** 2 + (a.y - b.y) ** 2;
}

/** Squared distance from p to the line through a and b (to a when they coincide). */
function squaredLineDistance(p: XY, a: XY, b: XY): number {
  const len = squaredDistance(a, b);
  if (len === 0) return squaredDistance(p, a);
  const cross = (b.x - a.x) * (p.y - a.y) - (b.y - a.y) * (p.x - a.x);
  return (cross * cross) / len;
}

/**
 * Douglas-Peucker simplification of a closed ring (simplify-js, high quality) with `tolerance`
 * in pixels. A closed ring has no natural end points, so it is cut at its first point and the
 * point farthest from it, and both halves are simplified with those two points kept. The result
 * always keeps at least 3 points: if the halves shrink to their end points, the point farthest
 * from the line between them is kept as well.
 */
export function simplifyRing(ring: FlatRing, tolerance: number): FlatRing {
  if (!(tolerance >= 0) || !Number.isFinite(tolerance)) {
    throw new GeometryError(
      `tolerance must be a number >= 0 (pixels), got ${describeValue(tolerance)}`,
      'tolerance',
      tolerance,
    );
  }
  const points = toPoints(ring);
  if (tolerance === 0 || points.length <= 3) return toFlat(points);
  const a = points[0]!;
  let far = 1;
  for (let i = 2; i < points.length; i++) {
    if (squaredDistance(points[i]!, a) > squaredDistance(points[far]!, a)) far = i;
  }
  const first = simplify(points.slice(0, far + 1), tolerance, true);
  const second = simplify([...points.slice(far), a], tolerance, true);
  const kept = [...first, ...second.slice(1, -1)];
  if (kept.length >= 3) return toFlat(kept);
  const b = points[far]!;
  let apex = -1;
  let best = -1;
  for (let i = 1; i < points.length; i++) {
    if (i === far) continue;
    const dist = squaredLineDistance(points[i]!, a, b);
    if (dist > best) {
      best = dist;
      apex = i;
    }
  }
  return toFlat(apex < far ? [a, points[apex]!, b] : [a, b, points[apex]!]);
}
