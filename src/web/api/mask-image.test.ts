import { describe, expect, it } from 'vitest';
import { maskEdges, maskRegion, paintMask, parseHexColor } from './mask-image';

describe('maskRegion', () => {
  it('aligns the box to whole pixels inside the image', () => {
    expect(maskRegion([2.5, 3.2, 4, 1.1], 100, 100, 1e6)).toEqual({
      x: 2,
      y: 3,
      width: 5,
      height: 2,
      step: 1,
    });
    expect(maskRegion([-3, 95, 10, 10], 100, 100, 1e6)).toEqual({
      x: 0,
      y: 95,
      width: 7,
      height: 5,
      step: 1,
    });
  });

  it('samples a frame-filling object down to the pixel budget', () => {
    const region = maskRegion([0, 0, 8000, 6000], 8000, 6000, 4_000_000);
    expect(region.step).toBe(4);
    expect(Math.ceil(8000 / region.step) * Math.ceil(6000 / region.step)).toBeLessThanOrEqual(
      4_000_000,
    );
  });
});

describe('maskEdges', () => {
  it('keeps the border of a filled square and drops its inside', () => {
    const w = 5;
    const data = new Uint8Array(25);
    for (let y = 1; y < 4; y++) for (let x = 1; x < 4; x++) data[y * w + x] = 1;
    const edges = maskEdges(data, 5, 5);
    expect(edges[2 * w + 2]).toBe(0);
    expect(edges[1 * w + 1]).toBe(1);
    expect(edges[1 * w + 2]).toBe(1);
    expect(edges[0]).toBe(0);
    expect(edges.reduce((a, b) => a + b, 0)).toBe(8);
  });
});

describe('paintMask and parseHexColor', () => {
  it('colours set pixels only', () => {
    const rgba = paintMask(new Uint8Array([0, 1]), parseHexColor('#10a0ff'), 200);
    expect(Array.from(rgba)).toEqual([0, 0, 0, 0, 0x10, 0xa0, 0xff, 200]);
  });

  it('reads short colours and falls back to grey', () => {
    expect(parseHexColor('#f0a')).toEqual([255, 0, 170]);
    expect(parseHexColor('red')).toEqual([160, 160, 160]);
  });
});
