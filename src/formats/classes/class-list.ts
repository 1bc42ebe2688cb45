import { ImportError } from '../import/errors.js';

/**
 * Class names read from a file. `names` is positional: index i is class id i of the source
 * (YOLO and the seed tool refer to classes by that index), so nothing is ever dropped or
 * reordered; duplicates are reported in `repairs`, not removed.
 */
export interface ClassList {
  /** The file it was read from. */
  file: string;
  names: string[];
  /** "#rrggbb" per name where the file gives one, else null. */
  colors: (string | null)[];
  /** What was unusual and how it was read: shown to the user, never silent. */
  repairs: string[];
}

/** The seed tool keeps only the first 1000 rows of its class CSV. */
export const SEED_MAX_CLASSES = 1000;

/**
 * Cleans names in place: trims, turns line breaks and tabs into spaces, names empty ones
 * `class_<i>` (as the seed tool labels unknown ids), and reports duplicates ignoring case.
 * `where(i)` says where name i came from ("line 4").
 */
export function tidyNames(names: string[], where: (i: number) => string, repairs: string[]): void {
  const seen = new Map<string, number>();
  for (let i = 0; i < names.length; i++) {
    const raw = names[i]!;
    let name = raw.replace(/[\r\n\t]+/g, ' ').trim();
    if (name !== raw) {
      repairs.push(
        `${where(i)}: class name ${JSON.stringify(raw)} read as ${JSON.stringify(name)}`,
      );
    }
    if (name === '') {
      name = `class_${i}`;
      repairs.push(`${where(i)}: empty class name; class ${i} is called ${name}`);
    }
    names[i] = name;
    const key = name.toLowerCase();
    const first = seen.get(key);
    if (first === undefined) seen.set(key, i);
    else {
      repairs.push(
        `${where(i)}: class ${JSON.stringify(name)} (id ${i}) repeats ${JSON.stringify(names[first])} (id ${first}, ${where(first)}); both ids mean one class`,
      );
    }
  }
  if (names.length > SEED_MAX_CLASSES) {
    repairs.push(
      `${names.length} classes: the seed tool reads only the first ${SEED_MAX_CLASSES}; all are kept here`,
    );
  }
}

/** "#rrggbb" from "#rgb" / "#rrggbb" in any case, or an ImportError at `field`. */
export function parseColor(value: unknown, file: string, field: string): string {
  if (typeof value === 'string') {
    const m = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(value.trim());
    if (m) {
      const hex = m[1]!.toLowerCase();
      return `#${hex.length === 3 ? [...hex].map((c) => c + c).join('') : hex}`;
    }
  }
  throw new ImportError({ file, field }, 'a colour "#rrggbb"', JSON.stringify(value));
}

export function requireSomeNames(list: ClassList): ClassList {
  if (list.names.length === 0)
    throw new ImportError({ file: list.file }, 'at least one class name', 'none');
  return list;
}
