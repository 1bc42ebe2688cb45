import { describeValue } from '../geometry/errors.js';
import { InvalidValueError } from './errors.js';

/**
 * Colours given to new classes, most distinct first (Sasha Trubetskoy's "20 simple distinct
 * colours", without black and white, which vanish on masks drawn over photos).
 */
export const CLASS_PALETTE: readonly string[] = [
  '#e6194b',
  '#3cb44b',
  '#4363d8',
  '#f58231',
  '#911eb4',
  '#46f0f0',
  '#f032e6',
  '#bcf60c',
  '#ffe119',
  '#008080',
  '#9a6324',
  '#800000',
  '#aaffc3',
  '#808000',
  '#000075',
  '#fabebe',
  '#e6beff',
  '#ffd8b1',
  '#fffac8',
  '#808080',
];

/** The first palette colour no class uses yet; once all are taken, the palette repeats. */
export function nextPaletteColor(used: readonly string[]): string {
  const taken = new Set(used);
  return (
    CLASS_PALETTE.find((c) => !taken.has(c)) ?? CLASS_PALETTE[used.length % CLASS_PALETTE.length]!
  );
}

/** "#rrggbb" in either case; stored in lower case. */
export function checkColor(value: unknown, field = 'color'): string {
  if (typeof value !== 'string' || !/^#[0-9a-fA-F]{6}$/.test(value)) {
    throw new InvalidValueError(
      `${field} must be a colour written "#rrggbb" (six hexadecimal digits), got ${describeValue(value)}`,
      field,
      value,
    );
  }
  return value.toLowerCase();
}

export const MAX_CLASS_NAME_LENGTH = 200;

/** Trimmed, NFC, non-empty, no control characters (they would break YOLO and CSV files). */
export function checkClassName(value: unknown, field = 'name'): string {
  if (typeof value !== 'string') {
    throw new InvalidValueError(
      `${field} must be a string, got ${describeValue(value)}`,
      field,
      value,
    );
  }
  const name = value.normalize('NFC').trim();
  if (name.length === 0) {
    throw new InvalidValueError(
      `${field} must not be empty, got ${describeValue(value)}`,
      field,
      value,
    );
  }
  if (name.length > MAX_CLASS_NAME_LENGTH) {
    throw new InvalidValueError(
      `${field} must be at most ${MAX_CLASS_NAME_LENGTH} characters, got ${name.length}: ${describeValue(name)}`,
      field,
      value,
    );
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) {
    throw new InvalidValueError(
      `${field} must not contain control characters (tabs, line breaks), got ${describeValue(value)}`,
      field,
      value,
    );
  }
  return name;
}

/** What class names are compared by: case-insensitive for every script, not only ASCII (SQLite NOCASE). */
export function classNameKey(name: string): string {
  return name.normalize('NFC').toLowerCase();
}
