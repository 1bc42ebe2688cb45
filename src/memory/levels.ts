import type { MemoryLevel } from './types.js';

export interface Thresholds {
  warning: number;
  critical: number;
  /** Usage that shrinking aims for once the warning threshold is crossed. */
  shrinkTarget: number;
  /** How far below a threshold usage must fall before its level is left. */
  hysteresis: number;
}

/**
 * Without a margin, usage hovering at a threshold (RSS jitters by a few MiB between samples) would
 * flip the level, pause and resume prefetch and log a crossing on every check. Levels are entered
 * at their threshold and left only below threshold - hysteresis.
 */
export const DEFAULT_HYSTERESIS = 0.02;

export const LEVEL_RANK: Record<MemoryLevel, number> = { normal: 0, warning: 1, critical: 2 };

/**
 * The level for `usage` given the current one: up at once, down only past the margin. A usage that
 * is not a finite number keeps the current level: every comparison with NaN is false, which would
 * otherwise read as "normal" (measureUsage already rejects such readings; this is the last guard).
 */
export function nextLevel(current: MemoryLevel, usage: number, t: Thresholds): MemoryLevel {
  if (!Number.isFinite(usage)) return current;
  const raw: MemoryLevel =
    usage >= t.critical ? 'critical' : usage >= t.warning ? 'warning' : 'normal';
  if (LEVEL_RANK[raw] >= LEVEL_RANK[current]) return raw;
  if (current === 'critical' && usage >= t.critical - t.hysteresis) return 'critical';
  if (LEVEL_RANK[current] >= LEVEL_RANK.warning && usage >= t.warning - t.hysteresis) {
    return 'warning';
  }
  return 'normal';
}
