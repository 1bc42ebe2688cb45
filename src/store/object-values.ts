import { RleError, describeValue } from '../geometry/errors.js';
import {
  countsToString,
  parseRle,
  runsArea,
  runsBbox,
  type BboxXywh,
  type RleRuns,
} from '../geometry/index.js';
import { InvalidValueError } from './errors.js';
import { OBJECT_SOURCES, type ObjectPrompts, type ObjectSource } from './records.js';

/** A mask as the store keeps it: canonical compressed counts plus what is derived from them. */
export interface StoredMask {
  height: number;
  width: number;
  counts: string;
  bbox: BboxXywh;
  area: number;
  /** The decoded runs, when at hand (they seed the overlap checks' cache). */
  runs?: RleRuns;
}

/**
 * Checks a COCO RLE (either form) and derives bbox and area from it: callers' own bbox and
 * area are never trusted (COCO crowd annotations carry ones that do not match their RLE).
 */
export function storedMaskOf(rle: unknown, field: string): StoredMask {
  let runs: RleRuns;
  try {
    runs = parseRle(rle, field);
  } catch (err) {
    if (err instanceof RleError) {
      throw new InvalidValueError(err.message, err.field, err.value, { cause: err });
    }
    throw err;
  }
  return {
    height: runs.height,
    width: runs.width,
    counts: countsToString(runs.counts),
    bbox: runsBbox(runs),
    area: runsArea(runs.counts),
    runs,
  };
}

export function checkSource(value: unknown, field = 'source'): ObjectSource {
  if (!(OBJECT_SOURCES as readonly unknown[]).includes(value)) {
    throw new InvalidValueError(
      `${field} must be one of ${OBJECT_SOURCES.join(', ')}, got ${describeValue(value)}`,
      field,
      value,
    );
  }
  return value as ObjectSource;
}

export function checkScore(value: unknown, field = 'score'): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new InvalidValueError(
      `${field} must be a finite number or null, got ${describeValue(value)}`,
      field,
      value,
    );
  }
  return value;
}

function checkCoordinate(value: unknown, field: string): void {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new InvalidValueError(
      `${field} must be a finite number (original pixels), got ${describeValue(value)}`,
      field,
      value,
    );
  }
}

/** Prompts are kept for re-editing, so they must read back as the shape they were written in. */
export function checkPrompts(value: unknown, field = 'prompts'): ObjectPrompts | null {
  if (value === null || value === undefined) return null;
  const prompts = value as Partial<ObjectPrompts>;
  if (typeof value !== 'object' || !Array.isArray(prompts.points)) {
    throw new InvalidValueError(
      `${field} must be an object {points: [{x, y, label}], box?, model?} or null, got ${describeValue(value)}`,
      field,
      value,
    );
  }
  prompts.points.forEach((point, i) => {
    checkCoordinate(point?.x, `${field}.points[${i}].x`);
    checkCoordinate(point?.y, `${field}.points[${i}].y`);
    if (point.label !== 0 && point.label !== 1) {
      throw new InvalidValueError(
        `${field}.points[${i}].label must be 1 (foreground) or 0 (background), got ${describeValue(point.label)}`,
        `${field}.points[${i}].label`,
        point.label,
      );
    }
  });
  if (prompts.box !== undefined) {
    for (const corner of ['x0', 'y0', 'x1', 'y1'] as const) {
      checkCoordinate(prompts.box?.[corner], `${field}.box.${corner}`);
    }
  }
  if (prompts.model !== undefined && typeof prompts.model !== 'string') {
    throw new InvalidValueError(
      `${field}.model must be a string, got ${describeValue(prompts.model)}`,
      `${field}.model`,
      prompts.model,
    );
  }
  return value as ObjectPrompts;
}
