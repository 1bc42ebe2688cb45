import { describe, expect, it } from 'vitest';
import { levelScale } from './image-layer';

describe('levelScale', () => {
  it('is exactly 2^L for a pyramid of halvings rounded up', () => {
    expect(levelScale({ level: 0, width: 6001, height: 4001 }, 6001, 4001)).toBe(1);
    expect(levelScale({ level: 1, width: 3001, height: 2001 }, 6001, 4001)).toBe(2);
    expect(levelScale({ level: 3, width: 751, height: 501 }, 6001, 4001)).toBe(8);
  });

  it('falls back to the width ratio for other levels', () => {
    expect(levelScale({ level: 1, width: 2400, height: 1600 }, 6000, 4000)).toBe(2.5);
  });
});
