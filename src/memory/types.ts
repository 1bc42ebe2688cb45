/**
 * What the memory manager needs from a cache. Caches never pick their own budget: the manager
 * gives each one a share of the host budget and shrinks or clears them under pressure.
 */
export interface ManagedCache {
  readonly name: string;
  /** Bytes held now. */
  readonly sizeBytes: number;
  /** Bytes allowed now. */
  readonly budgetBytes: number;
  /** Sets the budget and evicts least-recently-used entries until the cache fits. */
  setBudget(bytes: number): void;
  /** Evicts least-recently-used entries until at most `bytes` are held; returns bytes freed. */
  shrinkTo(bytes: number): number;
  /** Drops every entry; returns bytes freed. */
  clear(): number;
  /** Drops entries older than their TTL; returns bytes freed. */
  purgeStale(): number;
}

/**
 * Something that can give memory back on demand (an idle model session, a pool). Called, in
 * registration order, when usage reaches the critical threshold.
 */
export interface Releaser {
  readonly name: string;
  /** Frees what it can; resolves to the bytes it believes it freed (0 when unknown). */
  release(): Promise<number> | number;
}

export type MemoryLevel = 'normal' | 'warning' | 'critical';

/** Bytes, as reported by `process.memoryUsage()`. */
export interface ProcessMemory {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
}

/** The whole machine (or what the kernel shows us of it). */
export interface SystemMemory {
  totalBytes: number;
  /** Memory that can be handed out without swapping (MemAvailable), not merely "free". */
  availableBytes: number;
  /** `meminfo` when read from /proc/meminfo, `os` for the os.totalmem()/freemem() fallback. */
  source: 'meminfo' | 'os';
}

/** The memory controller of the cgroup this process belongs to. */
export interface CgroupMemory {
  version: 1 | 2;
  /** Directory of the cgroup whose usage is reported. */
  dir: string;
  /** The tightest limit on this cgroup or any ancestor; null when none is set. */
  limitBytes: number | null;
  /** memory.current / memory.usage_in_bytes: includes reclaimable page cache. */
  usageBytes: number;
  /** Usage minus inactive file cache: what the kernel cannot simply drop before an OOM kill. */
  workingSetBytes: number;
}

export interface GpuDevice {
  index: number;
  name: string;
  totalBytes: number;
  usedBytes: number;
}

/** One reading of every probe. */
export interface MemorySample {
  process: ProcessMemory;
  system: SystemMemory;
  cgroup: CgroupMemory | null;
  /** One entry per device; null when no GPU (or no working nvidia-smi) is present. */
  gpu: GpuDevice[] | null;
  /** Epoch milliseconds. */
  at: number;
}

export interface MemoryProbe {
  sample(): Promise<MemorySample>;
}
