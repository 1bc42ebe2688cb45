import { MemoryProbeError } from './errors.js';
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
 *
 * Throws MemoryProbeError for a reading that gives no finite ratio (NaN, infinite, negative, a zero
 * denominator): every comparison with NaN is false, so such a ratio would read as "normal" and
 * reopen background work in the middle of an emergency. The caller counts it as a failed probe and
 * keeps the level it had.
 *
 * GPU memory (sample.gpu) is deliberately not part of the ratio: the GPU budget (device memory) is
 * applied once a GPU execution provider is active, which the model layer will report (later issue).
 * Until then GPU readings are only shown in the manager's status().
 */
export function measureUsage(
  sample: MemorySample,
  budgetBytes: number,
  watchSystem: boolean,
): Usage {
  const { process, system, cgroup } = sample;
  const byDriver: Usage['byDriver'] = {
    process: ratioOf('process', ['rss', process.rss], ['budget', budgetBytes]),
    cgroup:
      cgroup?.limitBytes != null
        ? ratioOf(
            'cgroup',
            ['workingSetBytes', cgroup.workingSetBytes],
            ['limitBytes', cgroup.limitBytes],
          )
        : null,
    system: watchSystem
      ? ratioOf(
          'system',
          ['totalBytes - availableBytes', system.totalBytes - system.availableBytes],
          ['totalBytes', system.totalBytes],
        )
      : null,
  };
  let usage: Usage = { ratio: byDriver.process, driver: 'process', byDriver };
  for (const driver of ['cgroup', 'system'] as const) {
    const ratio = byDriver[driver];
    if (ratio !== null && ratio > usage.ratio) usage = { ratio, driver, byDriver };
  }
  return usage;
}

type Reading = [field: string, bytes: number];

/** used / limit, or a MemoryProbeError naming the driver, the fields and their values. */
function ratioOf(
  driver: UsageDriver,
  [usedField, used]: Reading,
  [limitField, limit]: Reading,
): number {
  const ratio = used / limit;
  // A finite ratio rules out a NaN or infinite `used`; an infinite limit would give a false 0.
  if (used >= 0 && limit > 0 && Number.isFinite(limit) && Number.isFinite(ratio)) return ratio;
  throw new MemoryProbeError(
    `Cannot measure ${driver} memory usage from ${usedField} = ${String(used)} and ` +
      `${limitField} = ${String(limit)}: both must be finite, the first at least 0, the second above 0.`,
  );
}
