/**
 * Lines of YOLO-style label files ("class v1 v2 ..."): a whole-number class id and decimal
 * numbers, separated by spaces or tabs. Anything else is an ImportError naming file and line.
 */
import { ImportError } from './errors.js';
import { splitLines } from './read-input.js';

export interface LabelLine {
  line: number;
  classId: number;
  values: number[];
}

/** Plain decimal numbers only: no NaN, Infinity, hex or empty strings (which Number() takes). */
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
/** Ultralytics and the seed tool read the class as int(float(text)): "3" and "3.0" both mean 3. */
const CLASS_ID = /^\d+(?:\.0*)?$/;

export function parseLabelLines(text: string, file: string): LabelLine[] {
  const out: LabelLine[] = [];
  splitLines(text).forEach((raw, i) => {
    const tokens = raw.trim().split(/[ \t]+/);
    if (tokens[0] === '') return;
    const line = i + 1;
    const classText = tokens[0]!;
    const classId = CLASS_ID.test(classText) ? Math.trunc(Number(classText)) : NaN;
    if (!Number.isSafeInteger(classId)) {
      throw new ImportError(
        { file, line },
        'a whole-number class id first on the line',
        JSON.stringify(classText),
      );
    }
    const values: number[] = [];
    for (let k = 1; k < tokens.length; k++) {
      const t = tokens[k]!;
      const v = DECIMAL.test(t) ? Number(t) : NaN;
      if (!Number.isFinite(v)) {
        throw new ImportError(
          { file, line },
          `a number as value ${k}`,
          JSON.stringify(t.length > 40 ? `${t.slice(0, 37)}...` : t),
        );
      }
      values.push(v);
    }
    out.push({ line, classId, values });
  });
  return out;
}

/** Normalised coordinates may overshoot 0..1 by this much (rounding in the writing tool). */
export const NORMALISED_TOLERANCE = 1e-3;

/** Throws unless every value is a normalised coordinate (0..1, within the tolerance). */
export function checkNormalised(
  values: readonly number[],
  from: number,
  file: string,
  line: number,
): void {
  for (let k = from; k < values.length; k++) {
    const v = values[k]!;
    if (v < -NORMALISED_TOLERANCE || v > 1 + NORMALISED_TOLERANCE) {
      throw new ImportError(
        { file, line },
        `normalised coordinates between 0 and 1 (value ${k + 1})`,
        String(v),
      );
    }
  }
}

/** The class name of `classId`, or an ImportError naming the class list. */
export function classNameOf(
  names: readonly string[],
  classId: number,
  file: string,
  line: number,
  listFile: string,
): string {
  const name = names[classId];
  if (name === undefined) {
    throw new ImportError(
      { file, line },
      `a class id from 0 to ${names.length - 1} (the classes in ${listFile})`,
      String(classId),
    );
  }
  return name;
}
