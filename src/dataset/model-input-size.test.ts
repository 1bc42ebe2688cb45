import { describe, expect, it } from 'vitest';
import { modelInputSize } from './model-input-size.js';

describe('modelInputSize (contract A)', () => {
  it('follows scale = 1024 / max(h, w), floor(side * scale + 0.5)', () => {
    expect(modelInputSize(1000, 872)).toEqual({ width: 1024, height: 893 }); // 892.9 -> 893
    expect(modelInputSize(451, 300)).toEqual({ width: 1024, height: 681 }); // 681.2 -> 681
    expect(modelInputSize(6000, 4000)).toEqual({ width: 1024, height: 683 }); // 682.67 -> 683
    expect(modelInputSize(300, 451)).toEqual({ width: 681, height: 1024 });
    expect(modelInputSize(1411, 1411)).toEqual({ width: 1024, height: 1024 });
  });

  it('rounds halves up, as floor(x + 0.5) does', () => {
    // 2048 x 1025: scale 0.5, 1025 * 0.5 = 512.5 -> 513
    expect(modelInputSize(2048, 1025)).toEqual({ width: 1024, height: 513 });
  });

  it('never gives a side of 0', () => {
    expect(modelInputSize(3000, 1)).toEqual({ width: 1024, height: 1 });
  });
});
