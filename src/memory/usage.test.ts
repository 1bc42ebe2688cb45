import { describe, expect, it } from 'vitest';
import { MemoryProbeError } from './errors.js';
import type { MemorySample } from './types.js';
import { measureUsage } from './usage.js';

const MiB = 1024 * 1024;

function sample(over: Partial<MemorySample> = {}): MemorySample {
  return {
    process: { rss: 500 * MiB, heapUsed: 0, heapTotal: 0, external: 0, arrayBuffers: 0 },
    system: { totalBytes: 4000 * MiB, availableBytes: 3000 * MiB, source: 'meminfo' },
    cgroup: null,
    gpu: null,
    at: 0,
    ...over,
  };
}

describe('measureUsage', () => {
  it('is process RSS over the budget when nothing else is watched', () => {
    const usage = measureUsage(sample(), 1000 * MiB, false);
    expect(usage).toEqual({
      ratio: 0.5,
      driver: 'process',
      byDriver: { process: 0.5, cgroup: null, system: null },
    });
  });

  it('is driven by the cgroup working set when that is fuller', () => {
    const cgroup = {
      version: 2 as const,
      dir: '/sys/fs/cgroup',
      limitBytes: 1000 * MiB,
      usageBytes: 950 * MiB,
      workingSetBytes: 800 * MiB,
    };
    const usage = measureUsage(sample({ cgroup }), 1000 * MiB, false);
    expect(usage.driver).toBe('cgroup');
    expect(usage.ratio).toBe(0.8);
  });

  it('ignores a cgroup without a limit', () => {
    const cgroup = {
      version: 1 as const,
      dir: '/x',
      limitBytes: null,
      usageBytes: 1,
      workingSetBytes: 1,
    };
    expect(measureUsage(sample({ cgroup }), 1000 * MiB, true).byDriver.cgroup).toBeNull();
  });

  it('counts whole-machine pressure only when the system is watched', () => {
    const busy = sample({
      system: { totalBytes: 4000 * MiB, availableBytes: 200 * MiB, source: 'meminfo' },
    });
    expect(measureUsage(busy, 1000 * MiB, true)).toMatchObject({ driver: 'system', ratio: 0.95 });
    expect(measureUsage(busy, 1000 * MiB, false)).toMatchObject({ driver: 'process', ratio: 0.5 });
  });

  it('rejects a reading that gives no finite ratio, naming the field and value', () => {
    const cgroup = (workingSetBytes: number, limitBytes: number) => ({
      version: 2 as const,
      dir: '/sys/fs/cgroup',
      limitBytes,
      usageBytes: 0,
      workingSetBytes,
    });
    const process = (rss: number) => ({ ...sample().process, rss });
    const system = (totalBytes: number, availableBytes: number) => ({
      totalBytes,
      availableBytes,
      source: 'meminfo' as const,
    });
    const cases: Array<[MemorySample, number, RegExp]> = [
      [sample({ process: process(Number.NaN) }), 1000 * MiB, /process .*rss = NaN/],
      [sample({ process: process(-1) }), 1000 * MiB, /process .*rss = -1/],
      [sample(), Number.NaN, /process .*budget = NaN/],
      [sample(), 0, /process .*budget = 0/],
      [sample(), Number.POSITIVE_INFINITY, /process .*budget = Infinity/],
      [sample({ process: process(Number.MAX_VALUE) }), 0.5, /rss = 1\.79.*e\+308/],
      [sample({ cgroup: cgroup(Number.NaN, MiB) }), MiB, /cgroup .*workingSetBytes = NaN/],
      [sample({ cgroup: cgroup(MiB, 0) }), MiB, /cgroup .*limitBytes = 0/],
      [sample({ system: system(Number.NaN, 0) }), MiB, /system .*totalBytes = NaN/],
      [sample({ system: system(MiB, Number.NaN) }), MiB, /system .*availableBytes = NaN/],
    ];
    for (const [reading, budget, message] of cases) {
      expect(() => measureUsage(reading, budget, true)).toThrow(MemoryProbeError);
      expect(() => measureUsage(reading, budget, true)).toThrow(message);
    }
  });
});
