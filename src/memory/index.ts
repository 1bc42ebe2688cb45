export type {
  CgroupMemory,
  GpuDevice,
  ManagedCache,
  MemoryLevel,
  MemoryProbe,
  MemorySample,
  ProcessMemory,
  Releaser,
  SystemMemory,
} from './types.js';
export { MemoryConfigError, MemoryPressureError, MemoryProbeError } from './errors.js';
export { BackgroundGate, type GateState } from './background-gate.js';
export { resolveBudget, type Budget, type BudgetInputs, type BudgetSource } from './budget.js';
export { CACHE_PRIORITY, type CacheRegistration } from './cache-registry.js';
export { DEFAULT_HYSTERESIS, nextLevel, type Thresholds } from './levels.js';
export { measureUsage, type Usage, type UsageDriver } from './usage.js';
export { readProcessMemory } from './process-probe.js';
export { readSystemMemory, systemMemoryFromMeminfo } from './system-probe.js';
export { readCgroupMemory, parseProcCgroup, parseMountinfo, parseLimit } from './cgroup-probe.js';
export { GpuProbe, GpuProbeError, parseNvidiaSmiCsv, type GpuProbeOptions } from './gpu-probe.js';
export { HostMemoryProbe, type HostMemoryProbeOptions } from './host-probe.js';
export { releaseAll, type ReleaseOutcome } from './releasers.js';
export {
  MemoryManager,
  type CacheStatus,
  type MemoryCounters,
  type MemoryEvents,
  type MemoryEvictionReason,
  type MemoryManagerOptions,
  type MemoryStatus,
} from './memory-manager.js';
