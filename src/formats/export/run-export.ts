import { describeValue } from '../../geometry/errors.js';
import { ExportError } from './errors.js';
import { checkSplits, parseSplits, type SplitSpec } from './splits.js';
import { writeStaged, type StagedDirectory } from './staged-directory.js';
import type { ExportFormat, ExportOptions, ExportResult, SplitOptions } from './types.js';
import { ExportWarnings } from './warnings.js';

export interface ExportRun {
  dir: StagedDirectory;
  warnings: ExportWarnings;
}

export interface ExportCounts {
  images: number;
  objects: number;
}

/**
 * The frame every exporter shares: a staged destination (committed on success, removed on any
 * error), a warning list, and the result object.
 */
export async function runExport(
  format: ExportFormat,
  destination: string,
  options: ExportOptions,
  write: (run: ExportRun) => Promise<ExportCounts>,
): Promise<ExportResult> {
  options.signal?.throwIfAborted();
  const warnings = new ExportWarnings();
  let files = 0;
  let target = '';
  const counts = await writeStaged(destination, options, async (dir) => {
    target = dir.destination;
    const result = await write({ dir, warnings });
    files = dir.files;
    return result;
  });
  return { format, destination: target, files, ...counts, warnings: warnings.list() };
}

/** The polygon tolerance option: a number >= 0 in pixels, 0 when absent. */
export function toleranceOption(value: unknown): number {
  if (value === undefined) return 0;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new ExportError(
      `tolerance must be a number of pixels >= 0, got ${describeValue(value)}`,
      'tolerance',
      value,
    );
  }
  return value;
}

/** The splits option, parsed and checked; null when the images are not split. */
export function splitsOption(value: SplitOptions['splits']): SplitSpec[] | null {
  if (value === undefined) return null;
  return typeof value === 'string' ? parseSplits(value, 'splits') : checkSplits(value, 'splits');
}

/** Checks a string option against its allowed values. */
export function choiceOption<T extends string>(
  value: unknown,
  allowed: readonly T[],
  field: string,
  fallback: T,
): T {
  if (value === undefined) return fallback;
  if (!allowed.includes(value as T)) {
    throw new ExportError(
      `${field} must be one of ${allowed.join(', ')}, got ${describeValue(value)}`,
      field,
      value,
    );
  }
  return value as T;
}
