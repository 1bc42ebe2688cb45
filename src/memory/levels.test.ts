import { describe, expect, it } from 'vitest';
import { nextLevel, type Thresholds } from './levels.js';
import type { MemoryLevel } from './types.js';

const t: Thresholds = { warning: 0.85, critical: 0.95, shrinkTarget: 0.75, hysteresis: 0.02 };

/** Feeds usages through nextLevel from 'normal' and returns the levels visited. */
function walk(usages: number[]): MemoryLevel[] {
  let level: MemoryLevel = 'normal';
  return usages.map((u) => (level = nextLevel(level, u, t)));
}

describe('nextLevel', () => {
  it('enters each level at its threshold', () => {
    expect(walk([0.5, 0.849, 0.85])).toEqual(['normal', 'normal', 'warning']);
    expect(walk([0.95])).toEqual(['critical']);
  });

  it('stays in warning while usage jitters just below the threshold', () => {
    expect(walk([0.86, 0.84, 0.85, 0.831, 0.84])).toEqual([
      'warning',
      'warning',
      'warning',
      'warning',
      'warning',
    ]);
  });

  it('leaves warning only below threshold - hysteresis', () => {
    expect(walk([0.86, 0.83, 0.829])).toEqual(['warning', 'warning', 'normal']);
  });

  it('steps down from critical through warning to normal with the same margin', () => {
    expect(walk([0.97, 0.94, 0.929, 0.84, 0.8])).toEqual([
      'critical',
      'critical',
      'warning',
      'warning',
      'normal',
    ]);
  });

  it('drops from critical straight to normal when usage collapses', () => {
    expect(walk([0.99, 0.3])).toEqual(['critical', 'normal']);
  });

  it('keeps the current level for a usage that is not a finite number', () => {
    for (const level of ['normal', 'warning', 'critical'] as const) {
      for (const usage of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
        expect(nextLevel(level, usage, t)).toBe(level);
      }
    }
  });
});
