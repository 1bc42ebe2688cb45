import { describe, expect, it } from 'vitest';
import {
  AutoMaskOptionError,
  DEFAULT_SEGMENTER_POINTS_PER_SIDE,
  SAM1_AUTO_MASK_DEFAULTS,
  autoMaskDefaults,
  resolveAutoMaskSettings,
} from './options.js';

describe('autoMaskDefaults', () => {
  it('uses the reference defaults: SAM 1 IoU 0.88, SAM 2 IoU 0.8, a small grid for the default segmenter', () => {
    expect(autoMaskDefaults('sam1')).toEqual(SAM1_AUTO_MASK_DEFAULTS);
    expect(SAM1_AUTO_MASK_DEFAULTS).toMatchObject({
      pointsPerSide: 32,
      pointsPerBatch: 64,
      predIouThresh: 0.88,
      stabilityThresh: 0.95,
      boxNmsThresh: 0.7,
      cropOverlapRatio: 512 / 1500,
      cropEdgeMargin: 20,
    });
    expect(autoMaskDefaults('sam2')).toEqual({ ...SAM1_AUTO_MASK_DEFAULTS, predIouThresh: 0.8 });
    expect(autoMaskDefaults('default').pointsPerSide).toBe(DEFAULT_SEGMENTER_POINTS_PER_SIDE);
  });
});

describe('resolveAutoMaskSettings', () => {
  it('overrides the defaults and ignores undefined values', () => {
    const settings = resolveAutoMaskSettings('sam2', {
      pointsPerSide: 4,
      minRegionArea: undefined,
    });
    expect(settings.pointsPerSide).toBe(4);
    expect(settings.minRegionArea).toBe(0);
    expect(settings.predIouThresh).toBe(0.8);
    // Above 1 is allowed: it keeps nothing, as in the reference.
    expect(resolveAutoMaskSettings('sam1', { predIouThresh: 1.01 }).predIouThresh).toBe(1.01);
  });

  it.each([
    ['pointsPerSide', 0],
    ['pointsPerSide', 2.5],
    ['predIouThresh', -0.1],
    ['stabilityThresh', Number.NaN],
    ['boxNmsThresh', 1.5],
    ['cropLayers', 5],
    ['cropOverlapRatio', 1],
    ['minRegionArea', -1],
  ] as const)('refuses %s = %s with an error naming the option', (field, value) => {
    const attempt = () => resolveAutoMaskSettings('sam1', { [field]: value });
    expect(attempt).toThrow(AutoMaskOptionError);
    expect(attempt).toThrow(new RegExp(`^${field} must be`));
    try {
      attempt();
    } catch (err) {
      expect((err as AutoMaskOptionError).field).toBe(field);
    }
  });

  it('refuses an unknown option', () => {
    expect(() => resolveAutoMaskSettings('sam1', { pointsPerSid: 3 } as never)).toThrow(
      /unknown automatic mask option "pointsPerSid"/,
    );
  });
});
