import { describe, expect, it } from 'vitest';
import { cropBoxes, isNearCropEdge, pointGrid } from './crop-boxes.js';

describe('cropBoxes', () => {
  it('is the whole picture without layers', () => {
    expect(cropBoxes({ width: 640, height: 480 }, 0, 512 / 1500)).toEqual([
      { x0: 0, y0: 0, x1: 640, y1: 480, layer: 0 },
    ]);
  });

  it('cuts layer 1 into 2 x 2 overlapping crops as generate_crop_boxes does', () => {
    // short side 872: overlap int(512/1500 * 872) = 297; crop width ceil((297 + 1000) / 2) = 649,
    // height ceil((297 + 872) / 2) = 585; second crop starts at 649 - 297 = 352 / 585 - 297 = 288.
    const boxes = cropBoxes({ width: 1000, height: 872 }, 1, 512 / 1500);
    expect(boxes.slice(1)).toEqual([
      { x0: 0, y0: 0, x1: 649, y1: 585, layer: 1 },
      { x0: 0, y0: 288, x1: 649, y1: 872, layer: 1 },
      { x0: 352, y0: 0, x1: 1000, y1: 585, layer: 1 },
      { x0: 352, y0: 288, x1: 1000, y1: 872, layer: 1 },
    ]);
  });

  it('adds 4^i crops per layer i, covering the picture with overlaps', () => {
    const size = { width: 800, height: 600 };
    const boxes = cropBoxes(size, 2, 512 / 1500);
    expect(boxes.filter((b) => b.layer === 2)).toHaveLength(16);
    for (const layer of [1, 2]) {
      const ofLayer = boxes.filter((b) => b.layer === layer);
      expect(Math.max(...ofLayer.map((b) => b.x1))).toBe(800);
      expect(Math.max(...ofLayer.map((b) => b.y1))).toBe(600);
      for (const b of ofLayer)
        expect(b.x0 >= 0 && b.y0 >= 0 && b.x1 > b.x0 && b.y1 > b.y0).toBe(true);
    }
  });
});

describe('pointGrid', () => {
  it('puts n x n points at cell centres, row by row', () => {
    expect(pointGrid(2, { width: 100, height: 50 })).toEqual([
      { x: 25, y: 12.5 },
      { x: 75, y: 12.5 },
      { x: 25, y: 37.5 },
      { x: 75, y: 37.5 },
    ]);
    expect(pointGrid(1, { width: 7, height: 9 })).toEqual([{ x: 3.5, y: 4.5 }]);
  });
});

describe('isNearCropEdge', () => {
  const image = { width: 1000, height: 800 };
  const crop = { x0: 300, y0: 0, x1: 700, y1: 500 };

  it('flags boxes within the margin of an inner crop edge', () => {
    expect(isNearCropEdge([310, 100, 50, 50], crop, image, 20)).toBe(true);
    expect(isNearCropEdge([400, 100, 290, 50], crop, image, 20)).toBe(true);
    expect(isNearCropEdge([400, 300, 50, 190], crop, image, 20)).toBe(true);
  });

  it('does not flag crop edges that are picture edges, nor boxes away from the edges', () => {
    expect(isNearCropEdge([400, 0, 50, 50], crop, image, 20)).toBe(false);
    expect(isNearCropEdge([330, 30, 300, 400], crop, image, 20)).toBe(false);
    const whole = { x0: 0, y0: 0, x1: 1000, y1: 800 };
    expect(isNearCropEdge([0, 0, 1000, 800], whole, image, 20)).toBe(false);
  });
});
