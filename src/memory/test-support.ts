import { pino } from 'pino';
import type { Logger } from '../log/logger.js';
import type { CgroupMemory, ManagedCache, MemoryProbe, MemorySample } from './types.js';

/** Shared by this folder's tests; not part of the public API. */

export interface LogLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

/** A real pino logger whose lines are kept in memory for assertions. */
export function capturingLogger(level = 'debug'): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const logger = pino(
    { level },
    {
      write(chunk: string) {
        lines.push(JSON.parse(chunk) as LogLine);
      },
    },
  );
  return { logger, lines };
}

/**
 * A process whose RSS is a baseline the test moves plus whatever its caches hold, so that evicting
 * from a cache shows up in the next sample exactly as it would after a collection.
 */
export class SimulatedProbe implements MemoryProbe {
  baselineRss = 0;
  systemTotal: number;
  systemAvailable: number;
  cgroup: CgroupMemory | null = null;
  samples = 0;
  private readonly caches: ManagedCache[] = [];

  constructor(options: { systemTotal: number; systemAvailable?: number }) {
    this.systemTotal = options.systemTotal;
    this.systemAvailable = options.systemAvailable ?? options.systemTotal;
  }

  /** Counts these caches' bytes in the simulated RSS. */
  watch(...caches: ManagedCache[]): this {
    this.caches.push(...caches);
    return this;
  }

  get rss(): number {
    return this.baselineRss + this.caches.reduce((sum, c) => sum + c.sizeBytes, 0);
  }

  async sample(): Promise<MemorySample> {
    this.samples++;
    return {
      process: { rss: this.rss, heapUsed: 0, heapTotal: 0, external: 0, arrayBuffers: 0 },
      system: {
        totalBytes: this.systemTotal,
        availableBytes: this.systemAvailable,
        source: 'meminfo',
      },
      cgroup: this.cgroup ? { ...this.cgroup } : null,
      gpu: null,
      at: Date.now(),
    };
  }
}
