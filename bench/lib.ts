/**
 * Shared helpers for benchmarks: flags, timing, percentiles, garbage collection and a peak-RSS
 * sampler.
 */

export interface Benchmark {
  name: string;
  description: string;
  /** Runs the benchmark, printing progress lines; returns the figures for the final JSON line. */
  run(args: string[]): Promise<Record<string, unknown>>;
}

/** `--name N` from the arguments: a positive whole number, or `fallback` when absent. */
export function flagValue(args: string[], name: string, fallback: number): number {
  const at = args.indexOf(name);
  if (at < 0) return fallback;
  const value = Number(args[at + 1]);
  if (!Number.isInteger(value) || value <= 0) {
    throw new Error(`${name} expects a positive whole number, got ${String(args[at + 1])}`);
  }
  return value;
}

/** A full garbage collection when node runs with --expose-gc (npm run bench does). */
export function collect(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

export function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

export async function timeMs<T>(fn: () => Promise<T> | T): Promise<{ ms: number; value: T }> {
  const start = nowMs();
  const value = await fn();
  return { ms: nowMs() - start, value };
}

export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx]!;
}

export function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

export const MiB = 1024 * 1024;

/** Samples process RSS every `intervalMs` and remembers the peak. */
export class PeakRss {
  private peak = process.memoryUsage.rss();
  private readonly timer: NodeJS.Timeout;
  constructor(intervalMs = 5) {
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }
  sample(): number {
    const rss = process.memoryUsage.rss();
    if (rss > this.peak) this.peak = rss;
    return rss;
  }
  reset(): void {
    this.peak = process.memoryUsage.rss();
  }
  get peakBytes(): number {
    this.sample();
    return this.peak;
  }
  stop(): number {
    clearInterval(this.timer);
    return this.peakBytes;
  }
}

export function log(line: string): void {
  process.stdout.write(line + '\n');
}
