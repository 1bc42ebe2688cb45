import { GeometryError, describeValue } from './errors.js';
import type { Size } from './types.js';

/** Throws unless `size` is a whole number of pixels on each side, at least `min` (1 for images). */
export function checkSize(size: Size, field: string, min = 1): Size {
  for (const side of ['width', 'height'] as const) {
    const value = size?.[side];
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
      throw new GeometryError(
        `${field}.${side} must be a whole number >= ${min}, got ${describeValue(value)}`,
        `${field}.${side}`,
        value,
      );
    }
  }
  return size;
}

/** Throws unless `value` is a finite number. */
export function checkFinite(value: number, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new GeometryError(
      `${field} must be a finite number, got ${describeValue(value)}`,
      field,
      value,
    );
  }
  return value;
}
