import { describe, expect, it } from 'vitest';
import { BudgetedCache } from '../cache/budgeted-cache.js';
import { defaultConfig } from '../config/index.js';
import { CACHE_PRIORITY } from './cache-registry.js';
import { HostMemoryProbe } from './host-probe.js';
import { MemoryManager } from './memory-manager.js';
import { capturingLogger } from './test-support.js';

/**
 * The real thing: this process's RSS against a budget just above it, real caches holding real
 * Buffers, real collection. Assertions are about where memory ends up, never about time.
 */

const MiB = 1024 * 1024;
/** The size of one SAM embedding (256 x 64 x 64 float32). */
const ENTRY = 4 * MiB;
const HEADROOM = 96 * MiB;

function collect(): void {
  globalThis.gc!();
  globalThis.gc!();
}

function rss(): number {
  return process.memoryUsage.rss();
}

/**
 * Adds entries until `stop()` says enough or the cache is full. A separate function so that no
 * Buffer lingers in the test's own frame. The fill value is not zero on purpose: calloc'ed zero
 * pages are not touched, so a zero-filled Buffer does not show in RSS.
 */
function fill(cache: BudgetedCache<Buffer>, stop: () => boolean = () => false): number {
  let added = 0;
  while (cache.sizeBytes + ENTRY <= cache.budgetBytes && !stop()) {
    cache.set(`${cache.name}-${added}`, Buffer.alloc(ENTRY, 1 + (added % 250)));
    added++;
  }
  return added;
}

/** A manager whose budget is the current RSS plus HEADROOM, watching this process only. */
function realSetup() {
  collect();
  const budget = rss() + HEADROOM;
  const { logger, lines } = capturingLogger('info');
  const manager = new MemoryManager({
    config: defaultConfig().with({ 'memory.budget': budget, 'memory.watchSystem': false }),
    logger,
    probe: new HostMemoryProbe({ logger, gpu: false }),
  });
  const predictions = new BudgetedCache<Buffer>({
    name: 'predictions',
    budgetBytes: 0,
    sizeOf: (b) => b.length,
  });
  const embeddings = new BudgetedCache<Buffer>({
    name: 'embeddings',
    budgetBytes: 0,
    sizeOf: (b) => b.length,
  });
  manager.registerCache(predictions, { share: 0.25, priority: CACHE_PRIORITY.predictions });
  manager.registerCache(embeddings, { share: 0.5, priority: CACHE_PRIORITY.embeddings });
  return { manager, budget, predictions, embeddings, lines };
}

describe('MemoryManager on this process', () => {
  it('clears real caches filled beyond the budget and brings RSS back under it', async () => {
    const { manager, budget, predictions, embeddings, lines } = realSetup();
    // The cgroup of a constrained CI runner could also drive usage; this test is about RSS.
    expect(manager.status().budgetSource).toBe('config');
    fill(predictions);
    fill(embeddings);
    expect(rss()).toBeGreaterThan(budget);

    const status = await manager.check();

    expect(status.level).toBe('critical');
    expect(status.driver).toBe('process');
    expect(predictions.sizeBytes).toBe(0);
    expect(embeddings.sizeBytes).toBe(0);
    expect(lines.some((l) => l.msg === 'Memory usage reached the critical threshold')).toBe(true);
    // The manager collected before its re-probe; the freed Buffers left the process.
    expect(status.process!.rss).toBeLessThan(budget);
    collect();
    expect(rss()).toBeLessThan(budget);
  });

  it('shrinks the cheapest cache first at warning and really lets the Buffers go', async () => {
    const { manager, budget, predictions, embeddings, lines } = realSetup();
    const { warning, critical } = manager.thresholds;
    fill(predictions);
    fill(embeddings, () => rss() >= ((warning + critical) / 2) * budget);
    collect();
    const before = {
      predictions: predictions.sizeBytes,
      embeddings: embeddings.sizeBytes,
      arrayBuffers: process.memoryUsage().arrayBuffers,
    };
    expect(rss()).toBeGreaterThanOrEqual(warning * budget);

    const status = await manager.check();

    // On a quiet machine this is 'warning'; a burst of unrelated allocation may make it critical.
    expect(['warning', 'critical']).toContain(status.level);
    const freed = before.predictions - predictions.sizeBytes;
    expect(freed).toBeGreaterThan(0);
    if (status.level === 'warning') {
      const shrink = lines.find((l) => l.msg === 'Shrank caches toward the memory target');
      expect(shrink?.freedBytes).toBe(freed);
      expect(freed).toBeGreaterThanOrEqual(shrink?.wantedBytes as number);
      // The shrink fits in the predictions cache: embeddings, the costliest, are untouched.
      expect(embeddings.sizeBytes).toBe(before.embeddings);
    }
    // The evicted Buffers left the process, not merely the cache's books. (RSS may lag: glibc
    // keeps freed heap chunks that sit below live ones, so it is only held to the budget.)
    collect();
    expect(before.arrayBuffers - process.memoryUsage().arrayBuffers).toBeGreaterThanOrEqual(
      freed - ENTRY,
    );
    expect(rss()).toBeLessThan(budget);
  });
});
