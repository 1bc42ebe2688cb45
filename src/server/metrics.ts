import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { CacheStats } from '../cache/index.js';
import type { MemoryCounters, MemoryStatus } from '../memory/index.js';
import type { EngineStats } from '../model/embedding/index.js';

/** Where /metrics reads its numbers: functions, so that a scrape always sees the present. */
export interface MetricsSources {
  memory(): MemoryStatus;
  memoryCounters(): MemoryCounters;
  engine(): EngineStats | null;
  /** Caches outside the engine (display pictures, decoded pixels). */
  caches(): CacheStats[];
}

const LEVEL_VALUE = { normal: 0, warning: 1, critical: 2 } as const;

/** A counter whose value is read from a running total at scrape time. */
function totalCounter(
  registry: Registry,
  name: string,
  help: string,
  labelNames: string[],
  read: () => Array<[Record<string, string>, number]>,
): void {
  new Counter({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      this.reset();
      for (const [labels, value] of read()) if (value > 0) this.inc(labels, value);
    },
  });
}

function gauge(
  registry: Registry,
  name: string,
  help: string,
  labelNames: string[],
  read: () => Array<[Record<string, string>, number]>,
): void {
  new Gauge({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      this.reset();
      for (const [labels, value] of read()) this.set(labels, value);
    },
  });
}

/** Every cache the process has, with the engine's under their own names. */
function allCaches(sources: MetricsSources): CacheStats[] {
  const engine = sources.engine();
  const list = [...sources.caches()];
  if (engine) list.push(engine.embeddings.ram, engine.predictions);
  return list;
}

/**
 * The Prometheus registry of the server (`/metrics`): memory against the budget and thresholds,
 * every cache's size, budget, hits, misses and evictions by reason, the work queue, and latency
 * histograms for HTTP requests and predictions.
 */
export class ServerMetrics {
  readonly registry = new Registry();
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  readonly predictDuration: Histogram<'cached'>;

  constructor(sources: MetricsSources) {
    const registry = this.registry;
    collectDefaultMetrics({ register: registry, prefix: 'sam_node_' });
    this.httpDuration = new Histogram({
      name: 'sam_http_request_duration_seconds',
      help: 'HTTP request duration by route.',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
    this.predictDuration = new Histogram({
      name: 'sam_predict_duration_seconds',
      help: 'Click to candidates, in the engine, by whether the prediction cache answered.',
      labelNames: ['cached'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    });

    gauge(registry, 'sam_memory_usage_ratio', 'Memory usage against the budget.', [], () => [
      [{}, sources.memory().usage],
    ]);
    gauge(registry, 'sam_memory_budget_bytes', 'Effective host memory budget.', [], () => [
      [{}, sources.memory().budgetBytes],
    ]);
    gauge(
      registry,
      'sam_memory_level',
      'Memory level: 0 normal, 1 warning, 2 critical.',
      [],
      () => [[{}, LEVEL_VALUE[sources.memory().level]]],
    );
    gauge(registry, 'sam_memory_threshold_ratio', 'Configured thresholds.', ['level'], () => {
      const { thresholds } = sources.memory();
      return [
        [{ level: 'warning' }, thresholds.warning],
        [{ level: 'critical' }, thresholds.critical],
      ];
    });
    gauge(registry, 'sam_gpu_memory_used_bytes', 'GPU memory in use.', ['device'], () =>
      (sources.memory().gpu ?? []).map((gpu) => [{ device: String(gpu.index) }, gpu.usedBytes]),
    );
    gauge(registry, 'sam_cache_bytes', 'Bytes held by each cache.', ['cache'], () =>
      allCaches(sources).map((cache) => [{ cache: cache.name }, cache.sizeBytes]),
    );
    gauge(registry, 'sam_cache_budget_bytes', 'Byte budget of each cache.', ['cache'], () =>
      allCaches(sources).map((cache) => [{ cache: cache.name }, cache.budgetBytes]),
    );
    gauge(registry, 'sam_cache_entries', 'Entries in each cache.', ['cache'], () =>
      allCaches(sources).map((cache) => [{ cache: cache.name }, cache.entries]),
    );
    totalCounter(registry, 'sam_cache_hits_total', 'Cache hits.', ['cache'], () =>
      allCaches(sources).map((cache) => [{ cache: cache.name }, cache.hits]),
    );
    totalCounter(registry, 'sam_cache_misses_total', 'Cache misses.', ['cache'], () =>
      allCaches(sources).map((cache) => [{ cache: cache.name }, cache.misses]),
    );
    totalCounter(
      registry,
      'sam_cache_evictions_total',
      'Cache evictions by reason.',
      ['cache', 'reason'],
      () =>
        allCaches(sources).flatMap((cache) =>
          Object.entries(cache.evictions).map(
            ([reason, count]) =>
              [{ cache: cache.name, reason }, count] as [Record<string, string>, number],
          ),
        ),
    );
    totalCounter(
      registry,
      'sam_embedding_disk_total',
      'Disk cache of embeddings: hits, misses, writes.',
      ['outcome'],
      () => {
        const disk = sources.engine()?.embeddings.disk;
        if (!disk) return [];
        return [
          [{ outcome: 'hit' }, disk.hits],
          [{ outcome: 'miss' }, disk.misses],
          [{ outcome: 'write' }, disk.writes],
          [{ outcome: 'unusable' }, disk.unusable],
        ];
      },
    );
    totalCounter(
      registry,
      'sam_memory_freed_bytes_total',
      'Bytes the memory manager freed, by reason.',
      ['reason'],
      () =>
        Object.entries(sources.memoryCounters().freedBytesByReason).map(
          ([reason, bytes]) => [{ reason }, bytes] as [Record<string, string>, number],
        ),
    );
    gauge(registry, 'sam_queue_depth', 'Queued model work by priority.', ['priority'], () => {
      const queue = sources.engine()?.queue;
      if (!queue) return [];
      return Object.entries(queue.queued).map(([priority, n]) => [{ priority }, n]);
    });
    gauge(registry, 'sam_prefetch_active', 'Images with a prefetch in flight.', [], () => [
      [{}, sources.engine()?.prefetch.active.length ?? 0],
    ]);
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
