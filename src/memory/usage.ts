import type { MemorySample } from './types.js';

/** What drove the usage ratio. */
export type UsageDriver = 'process' | 'cgroup' | 'system';

export interface Usage {
  /** The largest of the ratios below; 1 means the budget (or limit) is exhausted. */
  ratio: number;
  driver: UsageDriver;
  byDriver: {
    /** Process RSS / host budget. */
    process: number;
    /** cgroup working set / cgroup limit; null without a limit. */
    cgroup: number | null;
    /** (total - available) / total; null when the system is not watched. */
    system: number | null;
  };
}

/**
 * The cgroup ratio uses the working set rather than raw usage: page cache of files we read counts
 * in memory.current but the kernel drops it before it OOM-kills anyone.
 */
export function measureUsage(
  sample: MemorySample,
  budgetBytes: number,
  watchSystem: boolean,
): Usage {
  const byDriver: Usage['byDriver'] = {
    process: sample.process.rss / budgetBytes,
    cgroup:
      sample.cgroup?.limitBytes != null
        ? sample.cgroup.workingSetBytes / sample.cgroup.limitBytes
        : null,
    system: watchSystem
      ? (sample.system.totalBytes - sample.system.availableBytes) / sample.system.totalBytes
      : null,
  };
  let usage: Usage = { ratio: byDriver.process, driver: 'process', byDriver };
  for (const driver of ['cgroup', 'system'] as const) {
    const ratio = byDriver[driver];
    if (ratio !== null && ratio > usage.ratio) usage = { ratio, driver, byDriver };
  }
  return usage;
}
