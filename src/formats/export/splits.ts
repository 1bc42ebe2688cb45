import { createHash } from 'node:crypto';
import { describeValue } from '../../geometry/errors.js';
import { ExportError } from './errors.js';

/** One named share of the images, e.g. { name: 'train', fraction: 0.8 }. */
export interface SplitSpec {
  name: string;
  fraction: number;
}

const SPLIT_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
/** Fractions are typed by people ("0.7,0.2,0.1"); their float sum may miss 1 by a hair. */
const SUM_TOLERANCE = 1e-6;

/**
 * Parses `train=0.8,val=0.2` (the CLI's --split) into checked specs. Errors name the option and
 * the part that is wrong.
 */
export function parseSplits(text: string, field = 'split'): SplitSpec[] {
  if (typeof text !== 'string' || text.trim() === '') {
    throw new ExportError(
      `${field} must look like "train=0.8,val=0.2", got ${describeValue(text)}`,
      field,
      text,
    );
  }
  const specs = text.split(',').map((part) => {
    const match = /^\s*([^=\s]+)\s*=\s*([^\s]+)\s*$/.exec(part);
    if (!match) {
      throw new ExportError(
        `${field}: "${part}" is not NAME=FRACTION (e.g. "train=0.8,val=0.2")`,
        field,
        text,
      );
    }
    return { name: match[1]!, fraction: Number(match[2]) };
  });
  return checkSplits(specs, field);
}

/** Checks names (unique, plain) and fractions (> 0, summing to 1). Returns the same specs. */
export function checkSplits(specs: readonly SplitSpec[], field = 'split'): SplitSpec[] {
  if (!Array.isArray(specs) || specs.length === 0) {
    throw new ExportError(`${field} needs at least one NAME=FRACTION`, field, specs);
  }
  const seen = new Set<string>();
  let sum = 0;
  for (const { name, fraction } of specs) {
    if (typeof name !== 'string' || !SPLIT_NAME.test(name)) {
      throw new ExportError(
        `${field}: split name ${describeValue(name)} must be letters, digits, "_" or "-" (it becomes a file name)`,
        field,
        name,
      );
    }
    if (seen.has(name)) {
      throw new ExportError(`${field}: split "${name}" is given twice`, field, name);
    }
    seen.add(name);
    if (typeof fraction !== 'number' || !(fraction > 0) || !(fraction <= 1)) {
      throw new ExportError(
        `${field}: fraction of "${name}" must be a number in (0, 1], got ${describeValue(fraction)}`,
        field,
        fraction,
      );
    }
    sum += fraction;
  }
  if (Math.abs(sum - 1) > SUM_TOLERANCE) {
    throw new ExportError(
      `${field}: fractions must add up to 1, got ${specs.map((s) => s.fraction).join(' + ')} = ${sum}`,
      field,
      sum,
    );
  }
  return specs.map(({ name, fraction }) => ({ name, fraction }));
}

/**
 * A number in [0, 1) fixed by the path alone (SHA-256, first 48 bits): the same image lands in
 * the same split on every machine and every run, and adding images never moves the others.
 */
export function pathFraction(path: string): number {
  const digest = createHash('sha256').update(path, 'utf8').digest();
  return digest.readUIntBE(0, 6) / 2 ** 48;
}

/** The split an image path belongs to: the share its pathFraction falls in. */
export function splitOf(path: string, specs: readonly SplitSpec[]): string {
  const u = pathFraction(path);
  let upper = 0;
  for (const spec of specs) {
    upper += spec.fraction;
    if (u < upper) return spec.name;
  }
  return specs[specs.length - 1]!.name;
}
