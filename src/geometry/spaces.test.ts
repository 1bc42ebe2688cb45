import { describe, expect, it } from 'vitest';
import { GeometryError } from './errors.js';
import {
  displaySize,
  modelInputGeometry,
  modelResizeSize,
  originalToDisplay,
  originalToModel,
  originalToSamPrompt,
  type ResizeContract,
} from './spaces.js';
import { seededRandom } from './testdata/shapes.js';
import { ScaleTransform } from './transform.js';
import type { Size } from './types.js';

const random = seededRandom(20240601);

/** Sizes that stress rounding: 1xN, Nx1, odd, prime, square, huge. */
function testSizes(): Size[] {
  const sizes: Size[] = [
    { width: 1, height: 1 },
    { width: 1, height: 7919 },
    { width: 5000, height: 1 },
    { width: 20000, height: 15000 },
    { width: 15000, height: 20000 },
    { width: 1023, height: 1025 },
    { width: 1024, height: 1024 },
    { width: 333, height: 500 },
    { width: 4001, height: 2999 },
  ];
  for (let i = 0; i < 300; i++) {
    sizes.push({
      width: 1 + Math.floor(random() ** 3 * 30000),
      height: 1 + Math.floor(random() ** 3 * 30000),
    });
  }
  return sizes;
}

function randomPointIn(size: Size): { x: number; y: number } {
  return { x: random() * size.width, y: random() * size.height };
}

describe('displaySize', () => {
  it('keeps pictures that already fit and never scales up', () => {
    expect(displaySize({ width: 800, height: 600 }, 2048)).toEqual({ width: 800, height: 600 });
    expect(displaySize({ width: 2048, height: 10 }, 2048)).toEqual({ width: 2048, height: 10 });
  });

  it('puts the longest side at the maximum and rounds the other', () => {
    expect(displaySize({ width: 6000, height: 4000 }, 2048)).toEqual({ width: 2048, height: 1365 });
    expect(displaySize({ width: 3000, height: 4001 }, 1000)).toEqual({ width: 750, height: 1000 });
    // A sliver keeps at least one pixel.
    expect(displaySize({ width: 100000, height: 3 }, 1000)).toEqual({ width: 1000, height: 1 });
  });

  it('refuses sizes that are not whole positive pixels', () => {
    expect(() => displaySize({ width: 0, height: 10 }, 100)).toThrow(GeometryError);
    expect(() => displaySize({ width: 10.5, height: 10 }, 100)).toThrow(/width/);
    expect(() => displaySize({ width: 10, height: 10 }, 0)).toThrow(/maxSide/);
  });
});

describe('model input geometry', () => {
  it('follows ResizeLongestSide.get_preprocess_shape for contract A', () => {
    // scale = 1024 / 4000 = 0.256 -> 3000 * 0.256 = 768
    expect(modelResizeSize({ width: 4000, height: 3000 }, 'longest-side')).toEqual({
      width: 1024,
      height: 768,
    });
    // 333 * 2.048 = 681.984 -> int(682.484) = 682
    expect(modelResizeSize({ width: 500, height: 333 }, 'longest-side')).toEqual({
      width: 1024,
      height: 682,
    });
    // 1.5 * (1024 / 3) = 512 exactly -> int(512.5) = 512; 2 * 341.33 = 682.67 -> 683
    expect(modelResizeSize({ width: 2, height: 3 }, 'longest-side')).toEqual({
      width: 683,
      height: 1024,
    });
    // The reference would round 5000x1 to 1024x0; a picture needs at least one row.
    expect(modelResizeSize({ width: 5000, height: 1 }, 'longest-side')).toEqual({
      width: 1024,
      height: 1,
    });
  });

  it('scales prompts with the rounded per-axis ratios like apply_coords', () => {
    const t = originalToModel({ width: 500, height: 333 }, 'longest-side');
    // new_w / old_w = 1024 / 500, new_h / old_h = 682 / 333
    expect(t.forwardPoint({ x: 250, y: 100 })).toEqual({
      x: 250 * (1024 / 500),
      y: 100 * (682 / 333),
    });
    // Bit for bit what numpy computes: 333 * (682 / 333) is 681.9999999999999, not 682.
    expect(t.forwardBox({ x0: 0, y0: 0, x1: 500, y1: 333 })).toEqual({
      x0: 0,
      y0: 0,
      x1: 500 * (1024 / 500),
      y1: 333 * (682 / 333),
    });
  });

  it('pads contract A to a square input and squashes contract B', () => {
    const a = modelInputGeometry({ width: 1920, height: 1080 }, 'longest-side');
    expect(a.resizeSize).toEqual({ width: 1024, height: 576 });
    expect(a.inputSize).toEqual({ width: 1024, height: 1024 });
    expect(a.transform.forwardPoint({ x: 960, y: 540 })).toEqual({ x: 512, y: 288 });
    const b = modelInputGeometry({ width: 1920, height: 1080 }, 'squash');
    expect(b.resizeSize).toEqual({ width: 1024, height: 1024 });
    expect(b.transform.forwardPoint({ x: 960, y: 540 })).toEqual({ x: 512, y: 512 });
    expect(b.transform.forwardPoint({ x: 1920, y: 1080 })).toEqual({ x: 1024, y: 1024 });
  });

  it('supports another encoder length', () => {
    expect(modelResizeSize({ width: 4000, height: 3000 }, 'longest-side', 512)).toEqual({
      width: 512,
      height: 384,
    });
  });

  it('names an unknown contract', () => {
    expect(() => modelResizeSize({ width: 10, height: 10 }, 'stretch' as ResizeContract)).toThrow(
      /unknown resize contract "stretch"/,
    );
  });
});

describe('SAM prompt coordinates', () => {
  const contracts: ResizeContract[] = ['longest-side', 'squash'];

  it('sends the centre of pixel (i, j) to i * newW / w, j * newH / h, as the reference click on (i, j)', () => {
    for (const size of testSizes().slice(0, 80)) {
      for (const contract of contracts) {
        const { width: newW, height: newH } = modelResizeSize(size, contract);
        const prompt = originalToSamPrompt(size, contract);
        for (let k = 0; k < 5; k++) {
          const i = Math.floor(random() * size.width);
          const j = Math.floor(random() * size.height);
          // apply_coords: coords[..., 0] * (new_w / old_w), bit for bit.
          expect(prompt.forwardPoint({ x: i + 0.5, y: j + 0.5 })).toEqual({
            x: i * (newW / size.width),
            y: j * (newH / size.height),
          });
        }
      }
    }
    // Worked example, contract A 500x333 -> 1024x682: pixel (250, 100) centre.
    const a = originalToSamPrompt({ width: 500, height: 333 }, 'longest-side');
    expect(a.forwardPoint({ x: 250.5, y: 100.5 })).toEqual({ x: 512, y: 100 * (682 / 333) });
    // The top-left corner of the image is half a pixel before pixel 0's centre.
    expect(a.forwardPoint({ x: 0, y: 0 })).toEqual({ x: -0.5 * 2.048, y: -0.5 * (682 / 333) });
    // Contract B: 1920x1080 squashed to 1024x1024.
    const b = originalToSamPrompt({ width: 1920, height: 1080 }, 'squash');
    expect(b.forwardPoint({ x: 960.5, y: 540.5 })).toEqual({ x: 512, y: 512 });
  });

  it('maps a box over pixels x0..x1-1 to the reference XYXY box of its first and last pixel', () => {
    const size = { width: 500, height: 333 };
    const prompt = originalToSamPrompt(size, 'longest-side');
    const sx = 1024 / 500;
    const sy = 682 / 333;
    // Pixels 10..19 by 20..29: batched_mask_to_box gives [10, 20, 19, 29].
    expect(prompt.forwardBox({ x0: 10, y0: 20, x1: 20, y1: 30 })).toEqual({
      x0: 10 * sx,
      y0: 20 * sy,
      x1: 19 * sx,
      y1: 29 * sy,
    });
    // The whole image: first pixel to last pixel.
    expect(prompt.forwardBox({ x0: 0, y0: 0, x1: 500, y1: 333 })).toEqual({
      x0: 0,
      y0: 0,
      x1: 499 * sx,
      y1: 332 * sy,
    });
    // Corners given bottom-right first come out top-left first (labels 2 then 3).
    expect(prompt.forwardBox({ x0: 20, y0: 30, x1: 10, y1: 20 })).toEqual(
      prompt.forwardBox({ x0: 10, y0: 20, x1: 20, y1: 30 }),
    );
    // A one-pixel box has both corners on that pixel.
    const one = prompt.forwardBox({ x0: 7, y0: 8, x1: 8, y1: 9 });
    expect(one).toEqual({ x0: 7 * sx, y0: 8 * sy, x1: 7 * sx, y1: 8 * sy });
    expect(prompt.inverseBox(one)).toEqual({ x0: 7, y0: 8, x1: 8, y1: 9 });
  });

  it('collapses a box thinner than a pixel to its middle instead of turning it inside out', () => {
    const prompt = originalToSamPrompt({ width: 100, height: 100 }, 'squash');
    const s = 1024 / 100;
    // x spans 10.2..10.6 (middle 10.4 -> index 9.9); y is a normal two-pixel span.
    const box = prompt.forwardBox({ x0: 10.2, y0: 5, x1: 10.6, y1: 7 });
    expect(box.x0).toBe(box.x1);
    expect(box.x0).toBeCloseTo(9.9 * s, 10);
    expect([box.y0, box.y1]).toEqual([5 * s, 6 * s]);
    // Back: one pixel wide around the same middle.
    const back = prompt.inverseBox(box);
    expect(back.x0).toBeCloseTo(9.9, 10);
    expect(back.x1).toBeCloseTo(10.9, 10);
    expect([back.y0, back.y1]).toEqual([5, 7]);
  });

  it('round-trips points and boxes of at least a pixel within 1e-9', () => {
    for (const size of testSizes()) {
      for (const contract of contracts) {
        const prompt = originalToSamPrompt(size, contract);
        const p = randomPointIn(size);
        const q = prompt.inversePoint(prompt.forwardPoint(p));
        expect(Math.abs(q.x - p.x)).toBeLessThanOrEqual(1e-9);
        expect(Math.abs(q.y - p.y)).toBeLessThanOrEqual(1e-9);
        if (size.width < 2 || size.height < 2) continue;
        const x0 = random() * (size.width - 1);
        const y0 = random() * (size.height - 1);
        const box = {
          x0,
          y0,
          x1: x0 + 1 + random() * (size.width - 1 - x0),
          y1: y0 + 1 + random() * (size.height - 1 - y0),
        };
        const back = prompt.inverseBox(prompt.forwardBox(box));
        for (const key of ['x0', 'y0', 'x1', 'y1'] as const) {
          expect(Math.abs(back[key] - box[key])).toBeLessThanOrEqual(1e-9);
        }
      }
    }
  });

  it('names a coordinate that is not a finite number', () => {
    const prompt = originalToSamPrompt({ width: 10, height: 10 }, 'longest-side');
    expect(() => prompt.forwardPoint({ x: Number.NaN, y: 1 }, 'prompt.points[2]')).toThrow(
      'prompt.points[2].x must be a finite number, got null',
    );
    expect(() => prompt.forwardBox({ x0: 0, y0: 0, x1: Infinity, y1: 3 })).toThrow(GeometryError);
    expect(() => prompt.forwardBox({ x0: 0, y0: 0, x1: Infinity, y1: 3 })).toThrow(/^box\.x1 /);
    expect(() => prompt.inversePoint({ x: 1, y: '2' as unknown as number })).toThrow(
      'point.y must be a finite number, got "2"',
    );
  });
});

describe('round trips', () => {
  const sizes = testSizes();

  function expectClose(a: number[], b: number[]): void {
    expect(a.length).toBe(b.length);
    for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThanOrEqual(1e-9);
  }

  const cases: Array<[string, (s: Size) => ScaleTransform]> = [
    ['original -> display (2048)', (s) => originalToDisplay(s, 2048)],
    ['original -> display (256)', (s) => originalToDisplay(s, 256)],
    ['original -> model (A)', (s) => originalToModel(s, 'longest-side')],
    ['original -> model (B)', (s) => originalToModel(s, 'squash')],
  ];

  for (const [name, make] of cases) {
    it(`${name} -> original is exact within 1e-9 for ${sizes.length} sizes`, () => {
      let checked = 0;
      for (const size of sizes) {
        const t = make(size);
        const back = t.inverse();
        expect(back.from).toBe(t.to);
        expect(back.to).toBe('original');
        const points = [
          { x: 0, y: 0 },
          { x: size.width, y: size.height },
          randomPointIn(size),
          randomPointIn(size),
        ];
        for (const p of points) {
          const q = back.forwardPoint(t.forwardPoint(p));
          expectClose([q.x, q.y], [p.x, p.y]);
          const r = t.inversePoint(t.forwardPoint(p));
          expectClose([r.x, r.y], [p.x, p.y]);
        }
        const box = { x0: points[2]!.x, y0: points[2]!.y, x1: points[3]!.x, y1: points[3]!.y };
        const b = back.forwardBox(t.forwardBox(box));
        expectClose([b.x0, b.y0, b.x1, b.y1], [box.x0, box.y0, box.x1, box.y1]);
        const ring = points.flatMap((p) => [p.x, p.y]);
        expectClose(back.forwardRing(t.forwardRing(ring)), ring);
        // The far corner of the original lands on the far corner of the target grid.
        const corner = t.forwardPoint({ x: size.width, y: size.height });
        expectClose([corner.x, corner.y], [t.toSize.width, t.toSize.height]);
        checked++;
      }
      expect(checked).toBe(sizes.length);
    });
  }

  it('inverse of the inverse is the original direction', () => {
    const t = originalToDisplay({ width: 6000, height: 4000 }, 2048);
    const again = t.inverse().inverse();
    expect(again.from).toBe('original');
    expect(again.forwardPoint({ x: 3000, y: 2000 })).toEqual(t.forwardPoint({ x: 3000, y: 2000 }));
    expect(t.inverse().scaleX * t.scaleX).toBeCloseTo(1, 12);
  });

  it('refuses rings with an odd number of coordinates', () => {
    const t = ScaleTransform.between(
      'original',
      'display',
      { width: 10, height: 10 },
      { width: 5, height: 5 },
    );
    expect(() => t.forwardRing([1, 2, 3])).toThrow(/even number/);
  });
});

describe('modelResizeSize on the sample photographs (contract A worked examples)', () => {
  it('follows floor(side * 1024 / longest + 0.5), halves rounding up', () => {
    const a = (width: number, height: number): Size =>
      modelResizeSize({ width, height }, 'longest-side');
    expect(a(1000, 872)).toEqual({ width: 1024, height: 893 }); // hubble: 892.9 -> 893
    expect(a(451, 300)).toEqual({ width: 1024, height: 681 }); // chelsea: 681.2 -> 681
    expect(a(6000, 4000)).toEqual({ width: 1024, height: 683 }); // 682.67 -> 683
    expect(a(300, 451)).toEqual({ width: 681, height: 1024 });
    expect(a(2048, 1025)).toEqual({ width: 1024, height: 513 }); // 512.5 -> 513
  });
});
