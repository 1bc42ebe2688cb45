import { describe, expect, it } from 'vitest';
import { Camera, MAX_SCALE, wheelZoomFactor } from './camera';

function camera(viewW = 800, viewH = 600, imageW = 4000, imageH = 3000): Camera {
  const c = new Camera();
  c.setViewport(viewW, viewH);
  c.setImage(imageW, imageH);
  return c;
}

describe('Camera', () => {
  it('fits the image centred with padding', () => {
    const c = camera(800, 600, 4000, 1000);
    expect(c.scale).toBeCloseTo((800 - 32) / 4000, 12);
    const topLeft = c.toScreen(0, 0);
    const bottomRight = c.toScreen(4000, 1000);
    expect(topLeft.x).toBeCloseTo(16, 9);
    expect(800 - bottomRight.x).toBeCloseTo(16, 9);
    expect(topLeft.y).toBeCloseTo(600 - bottomRight.y, 9);
  });

  it('round-trips screen -> image -> screen exactly at any zoom and pan', () => {
    const c = camera();
    const points = [
      [0, 0],
      [799.5, 599.5],
      [123.25, 456.75],
    ] as const;
    for (const [factor, dx, dy] of [
      [1, 0, 0],
      [7.3, -120, 33],
      [0.3, 5, 5],
      [300, 1000, -2000],
    ] as const) {
      c.zoomAt(400, 300, factor);
      c.panBy(dx, dy);
      for (const [sx, sy] of points) {
        const p = c.toImage(sx, sy);
        const back = c.toScreen(p.x, p.y);
        expect(back.x).toBeCloseTo(sx, 9);
        expect(back.y).toBeCloseTo(sy, 9);
      }
    }
  });

  it('keeps the image point under the cursor fixed while zooming', () => {
    const c = camera();
    for (const [sx, sy, factor] of [
      [100, 100, 2],
      [713, 22, 1.1],
      [400, 580, 0.5],
      [37, 411, 9],
    ] as const) {
      const before = c.toImage(sx, sy);
      c.zoomAt(sx, sy, factor);
      const after = c.toImage(sx, sy);
      expect(after.x).toBeCloseTo(before.x, 9);
      expect(after.y).toBeCloseTo(before.y, 9);
    }
  });

  it('uses the continuous pixel convention: pixel (i, j) covers [i, i+1)', () => {
    const c = camera(100, 100, 10, 10);
    c.zoomTo(10, 0, 0); // 10 screen px per image px
    const o = c.toScreen(0, 0);
    // The screen point one third into pixel (3, 4).
    const p = c.toImage(o.x + 33.3, o.y + 43.3);
    expect(p.x).toBeCloseTo(3.33, 9);
    expect(p.y).toBeCloseTo(4.33, 9);
    expect(c.pixelAt(o.x + 33.3, o.y + 43.3)).toEqual({ i: 3, j: 4 });
    // The left edge of pixel 3 belongs to it, its right edge to pixel 4.
    expect(c.pixelAt(o.x + 30, o.y)).toEqual({ i: 3, j: 0 });
    expect(c.pixelAt(o.x + 40 - 1e-9, o.y)).toEqual({ i: 3, j: 0 });
    expect(c.isInsideImage({ x: 10, y: 5 })).toBe(false);
    expect(c.isInsideImage({ x: 9.999, y: 0 })).toBe(true);
  });

  it('clamps zoom between a quarter of fit and 64 screen px per pixel', () => {
    const c = camera();
    const fit = c.scale;
    c.zoomAt(10, 10, 1e9);
    expect(c.scale).toBe(MAX_SCALE);
    c.zoomAt(10, 10, 1e-9);
    expect(c.scale).toBeCloseTo(fit / 4, 12);
  });

  it('reports the visible part of the image, clipped', () => {
    const c = camera(800, 600, 4000, 3000);
    c.zoomTo(1, 0, 0);
    const o = c.toScreen(0, 0);
    c.panBy(-o.x - 100, -o.y - 50); // image pixel (100, 50) at the screen's top-left
    const r = c.visibleImageRect();
    expect([r.x, r.y, r.width, r.height].map((v) => Math.round(v * 1e6) / 1e6)).toEqual([
      100, 50, 800, 600,
    ]);
    c.fit();
    expect(c.visibleImageRect()).toEqual({ x: 0, y: 0, width: 4000, height: 3000 });
  });

  it('keeps the centre when the viewport resizes', () => {
    const c = camera();
    const centre = c.toImage(400, 300);
    c.setViewport(1000, 700);
    const after = c.toImage(500, 350);
    expect(after.x).toBeCloseTo(centre.x, 9);
    expect(after.y).toBeCloseTo(centre.y, 9);
  });

  it('zooms about 10% per wheel notch, in for a negative delta', () => {
    expect(wheelZoomFactor(-100, 0)).toBeGreaterThan(1.1);
    expect(wheelZoomFactor(100, 0)).toBeCloseTo(1 / wheelZoomFactor(-100, 0), 12);
    expect(wheelZoomFactor(3, 1)).toBeCloseTo(wheelZoomFactor(48, 0), 12);
  });
});
