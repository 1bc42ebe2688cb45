export interface LatencySummary {
  /** Samples recorded since the start (the percentiles use the latest `window` of them). */
  count: number;
  p50Ms: number | null;
  p95Ms: number | null;
  maxMs: number | null;
}

/**
 * Durations of one kind of work, for metrics: the latest `window` samples in a ring, so the
 * percentiles follow the present (a model switch, a change of pressure) rather than the whole run.
 */
export class LatencyWindow {
  private readonly samples: Float64Array;
  private recorded = 0;

  constructor(readonly window = 256) {
    this.samples = new Float64Array(window);
  }

  record(ms: number): void {
    this.samples[this.recorded % this.window] = ms;
    this.recorded++;
  }

  summary(): LatencySummary {
    const held = Math.min(this.recorded, this.window);
    if (held === 0) return { count: 0, p50Ms: null, p95Ms: null, maxMs: null };
    const sorted = this.samples.slice(0, held).sort();
    return {
      count: this.recorded,
      p50Ms: nearestRank(sorted, 0.5),
      p95Ms: nearestRank(sorted, 0.95),
      maxMs: sorted[held - 1]!,
    };
  }
}

/** The nearest-rank percentile: a value that was actually observed. */
function nearestRank(sorted: Float64Array, p: number): number {
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!;
}
