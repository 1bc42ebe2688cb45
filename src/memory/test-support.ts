import { pino } from 'pino';
import { BudgetedCache, type BudgetedCacheOptions } from '../cache/budgeted-cache.js';
import { defaultConfig } from '../config/index.js';
import type { Logger } from '../log/logger.js';
import { CACHE_PRIORITY } from './cache-registry.js';
import { MemoryManager, type MemoryEvents } from './memory-manager.js';
import type { CgroupMemory, GpuDevice, ManagedCache, MemoryProbe, MemorySample } from './types.js';

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
  gpu: GpuDevice[] | null = null;
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
      gpu: this.gpu ? this.gpu.map((device) => ({ ...device })) : null,
      at: Date.now(),
    };
  }
}

/** Small numbers keep the arithmetic readable: a 1,000,000-byte budget, 10,000-byte entries. */
export const BUDGET = 1_000_000;
export const ENTRY = 10_000;

export function makeCache(
  name: string,
  options: Pick<BudgetedCacheOptions<Buffer>, 'ttlMs' | 'onEvict' | 'clock'> = {},
): BudgetedCache<Buffer> {
  return new BudgetedCache<Buffer>({ name, budgetBytes: 0, sizeOf: (b) => b.length, ...options });
}

export function fill(cache: BudgetedCache<Buffer>, bytes: number): void {
  for (let i = 0; i < bytes / ENTRY; i++) cache.set(`${cache.name}-${i}`, Buffer.alloc(ENTRY, i));
}

export interface ManagerSetup {
  manager: MemoryManager;
  probe: SimulatedProbe;
  lines: LogLine[];
  events: Array<{ [K in keyof MemoryEvents]: [K, MemoryEvents[K]] }[keyof MemoryEvents]>;
}

/** A manager with a BUDGET-byte configured budget over a SimulatedProbe, recording its events. */
export function setup(
  options: { watchSystem?: boolean; gc?: () => void; releaserTimeoutMs?: number } = {},
): ManagerSetup {
  const { logger, lines } = capturingLogger();
  const probe = new SimulatedProbe({ systemTotal: 10 * BUDGET });
  const config = defaultConfig().with({ 'memory.watchSystem': options.watchSystem ?? false });
  const manager = new MemoryManager({
    config,
    logger,
    probe,
    gc: options.gc ?? null,
    releaserTimeoutMs: options.releaserTimeoutMs,
  });
  // Below the 64 MiB floor of the memory.budget key, which guards operators, not this arithmetic.
  manager.setConfiguredBudget(BUDGET);
  const events: ManagerSetup['events'] = [];
  for (const name of ['level', 'evicted', 'released', 'budget'] as const) {
    manager.on(name, (payload) => events.push([name, payload] as ManagerSetup['events'][number]));
  }
  return { manager, probe, lines, events };
}

/** The four caches of the design, registered in an order unlike their shrink order. */
export function registerDesignCaches(manager: MemoryManager, probe: SimulatedProbe) {
  const caches = {
    embeddings: makeCache('embeddings'),
    decoded: makeCache('decoded'),
    predictions: makeCache('predictions'),
    display: makeCache('display'),
  };
  manager.registerCache(caches.embeddings, { share: 0.4, priority: CACHE_PRIORITY.embeddings });
  manager.registerCache(caches.decoded, { share: 0.1, priority: CACHE_PRIORITY.decodedImages });
  manager.registerCache(caches.predictions, { share: 0.05, priority: CACHE_PRIORITY.predictions });
  manager.registerCache(caches.display, { share: 0.2, priority: CACHE_PRIORITY.displayImages });
  probe.watch(...Object.values(caches));
  return caches;
}
