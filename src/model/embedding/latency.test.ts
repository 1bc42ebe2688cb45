import { describe, expect, it } from 'vitest';
import { LatencyWindow } from './latency.js';

describe('LatencyWindow', () => {
  it('gives nearest-rank percentiles of what was recorded, null before anything was', () => {
    const window = new LatencyWindow(100);
    expect(window.summary()).toEqual({ count: 0, p50Ms: null, p95Ms: null, maxMs: null });
    // 1..100 in a scrambled order.
    for (let i = 0; i < 100; i++) window.record(((i * 37) % 100) + 1);
    expect(window.summary()).toEqual({ count: 100, p50Ms: 50, p95Ms: 95, maxMs: 100 });
  });

  it('follows the latest `window` samples only', () => {
    const window = new LatencyWindow(4);
    for (const ms of [1000, 1000, 1000, 1000, 5, 6, 7, 8]) window.record(ms);
    expect(window.summary()).toEqual({ count: 8, p50Ms: 6, p95Ms: 8, maxMs: 8 });
  });
});
