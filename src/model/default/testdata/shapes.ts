/**
 * Object outlines for the generated scenes as flat rings, rasterised with geometry's even-odd
 * filler (so a ring inside another is a hole). Test and bench support.
 */
import type { FlatRing } from '../../../geometry/index.js';

const STEPS = 360;

/** A closed outline from a radius function of the angle, around (cx, cy). */
export function polarRing(cx: number, cy: number, radius: (angle: number) => number): FlatRing {
  const ring: FlatRing = [];
  for (let i = 0; i < STEPS; i++) {
    const angle = (i / STEPS) * 2 * Math.PI;
    const r = radius(angle);
    ring.push(cx + r * Math.cos(angle), cy + r * Math.sin(angle));
  }
  return ring;
}

/** An ellipse with semi-axes rx, ry rotated by `tilt` radians. */
export function ellipseRing(cx: number, cy: number, rx: number, ry: number, tilt = 0): FlatRing {
  const ring: FlatRing = [];
  const cos = Math.cos(tilt);
  const sin = Math.sin(tilt);
  for (let i = 0; i < STEPS; i++) {
    const t = (i / STEPS) * 2 * Math.PI;
    const x = rx * Math.cos(t);
    const y = ry * Math.sin(t);
    ring.push(cx + x * cos - y * sin, cy + x * sin + y * cos);
  }
  return ring;
}

/** A star with `arms` points between radii `inner` and `outer`. */
export function starRing(
  cx: number,
  cy: number,
  arms: number,
  inner: number,
  outer: number,
  turn = 0,
): FlatRing {
  const ring: FlatRing = [];
  for (let i = 0; i < arms * 2; i++) {
    const angle = turn + (i / (arms * 2)) * 2 * Math.PI;
    const r = i % 2 === 0 ? outer : inner;
    ring.push(cx + r * Math.cos(angle), cy + r * Math.sin(angle));
  }
  return ring;
}

/** A lumpy blob: radius * (1 + sum of a few seeded harmonics). */
export function blobRing(
  cx: number,
  cy: number,
  radius: number,
  random: () => number,
  lumpiness = 0.25,
): FlatRing {
  const harmonics = [2, 3, 5].map((k) => ({
    k,
    amplitude: (random() * lumpiness) / k ** 0.5,
    phase: random() * 2 * Math.PI,
  }));
  return polarRing(
    cx,
    cy,
    (angle) =>
      radius *
      (1 + harmonics.reduce((sum, h) => sum + h.amplitude * Math.sin(h.k * angle + h.phase), 0)),
  );
}

/** A rectangle with rounded corners of radius r. */
export function roundedRectRing(
  x0: number,
  y0: number,
  x1: number,
  y1: number,
  r: number,
): FlatRing {
  const ring: FlatRing = [];
  const corners: [number, number, number][] = [
    [x1 - r, y0 + r, -Math.PI / 2],
    [x1 - r, y1 - r, 0],
    [x0 + r, y1 - r, Math.PI / 2],
    [x0 + r, y0 + r, Math.PI],
  ];
  for (const [cx, cy, start] of corners) {
    for (let i = 0; i <= 16; i++) {
      const angle = start + (i / 16) * (Math.PI / 2);
      ring.push(cx + r * Math.cos(angle), cy + r * Math.sin(angle));
    }
  }
  return ring;
}
