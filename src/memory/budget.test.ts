import { describe, expect, it } from 'vitest';
import { resolveBudget } from './budget.js';

const GiB = 1024 ** 3;

describe('resolveBudget', () => {
  it('uses physical RAM when nothing else limits', () => {
    expect(resolveBudget({ configured: 'auto', cgroupLimit: null, physical: 16 * GiB })).toEqual({
      bytes: 16 * GiB,
      source: 'physical',
    });
  });

  it('uses the cgroup limit when it is below physical RAM', () => {
    expect(resolveBudget({ configured: 'auto', cgroupLimit: 2 * GiB, physical: 16 * GiB })).toEqual(
      { bytes: 2 * GiB, source: 'cgroup' },
    );
  });

  it('uses the configured budget when it is the smallest', () => {
    expect(
      resolveBudget({ configured: 1 * GiB, cgroupLimit: 2 * GiB, physical: 16 * GiB }),
    ).toEqual({ bytes: 1 * GiB, source: 'config' });
  });

  it('ignores a configured budget above what the container or machine has', () => {
    expect(
      resolveBudget({ configured: 8 * GiB, cgroupLimit: 2 * GiB, physical: 16 * GiB }),
    ).toEqual({ bytes: 2 * GiB, source: 'cgroup' });
    expect(resolveBudget({ configured: 64 * GiB, cgroupLimit: null, physical: 16 * GiB })).toEqual({
      bytes: 16 * GiB,
      source: 'physical',
    });
    // A cgroup limit above physical RAM (common: "unlimited" written as a large number) loses too.
    expect(
      resolveBudget({ configured: 'auto', cgroupLimit: 64 * GiB, physical: 16 * GiB }),
    ).toEqual({ bytes: 16 * GiB, source: 'physical' });
  });

  it('names the deliberate setting on a tie', () => {
    expect(
      resolveBudget({ configured: 2 * GiB, cgroupLimit: 2 * GiB, physical: 2 * GiB }).source,
    ).toBe('config');
    expect(
      resolveBudget({ configured: 'auto', cgroupLimit: 2 * GiB, physical: 2 * GiB }).source,
    ).toBe('cgroup');
  });
});
