import { RleError, GeometryError } from '../../geometry/index.js';
import { describeValue } from '../../geometry/errors.js';

export { describeValue };

/** Where in an input a problem sits: the file, and a line (text formats) or a JSON field path. */
export interface ImportLocation {
  file: string;
  /** 1-based line of a text file. */
  line?: number;
  /** JSON-style path of the value, e.g. `annotations[12].segmentation.counts`. */
  field?: string;
}

/**
 * An input that cannot be imported. Names the file, the line or field, what was expected there
 * and what was found, so the user can fix the file without reading our code. Importers throw
 * nothing else for bad input: no partial batch is ever returned.
 */
export class ImportError extends Error {
  readonly file: string;
  readonly line?: number;
  readonly field?: string;

  constructor(
    where: ImportLocation,
    /** What the importer needed, in words: "a whole number >= 0". */
    readonly expected: string,
    /** What it found instead (already printable), when there is something to show. */
    readonly got?: string,
    options?: { cause?: unknown },
  ) {
    const place = `${where.file}${where.line !== undefined ? `:${where.line}` : ''}`;
    const field = where.field ? ` ${where.field}` : '';
    super(
      `${place}${field}: expected ${expected}${got !== undefined ? `, got ${got}` : ''}`,
      options,
    );
    this.name = 'ImportError';
    this.file = where.file;
    if (where.line !== undefined) this.line = where.line;
    if (where.field !== undefined) this.field = where.field;
  }
}

/**
 * Runs a geometry call on checked input and turns the geometry module's own typed errors into
 * ImportErrors at `where` (their field names the sub-path, e.g. `.counts[7]`). Anything else is
 * a bug and propagates unchanged.
 */
export function withGeometry<T>(where: ImportLocation, run: () => T): T {
  try {
    return run();
  } catch (err) {
    if (err instanceof RleError || err instanceof GeometryError) {
      const field = where.field && err.field.startsWith(where.field) ? err.field : where.field;
      throw new ImportError(
        { ...where, ...(field ? { field } : {}) },
        'a valid mask',
        err.message,
        { cause: err },
      );
    }
    throw err;
  }
}
